import type { Hook } from '@oclif/core';
import { enableCompileCache, isPluginCommand } from '../common/compileCache.js';

/**
 * oclif runs every plugin's `init` hook for every command of sf, before it imports the command to run: this one turns
 * Node's compile cache on for this plugin's commands only, so that their whole module graph is compiled through it
 * (see common/compileCache.ts). Other commands pay only the import of this small module, which imports none but
 * Node's own modules.
 */
const hook: Hook<'init'> = function (options) {
  if (isPluginCommand(options.id)) enableCompileCache();
  return Promise.resolve();
};

export default hook;
