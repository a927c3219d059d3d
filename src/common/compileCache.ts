/*
 * Node's on-disk compile cache for the plugin's own copies of @salesforce/core, sf-plugins-core, oclif and ink.
 *
 * Why: a plugin installed into sf loads its own copies of those packages (Node resolves them from the plugin's folder,
 * and no public API lets a plugin use sf's), and compiling them is most of what a single call costs beyond
 * `sf api request rest`, whose command shares the copies sf has already loaded. With the cache, later runs read the
 * compiled code instead (docs/performance.md, "The single call").
 * How: `module.enableCompileCache(dir)`, public since Node 22.1
 * (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir), called by the plugin's `init` hook
 * (src/hooks/compileCache.ts), which oclif runs before it imports the command: the command's whole module graph, ES
 * modules included, is compiled after the cache is on. Node 20 has no such API: there nothing happens. The directory
 * is the user's own cache folder, never the shared temporary folder Node would pick by default (another user could
 * plant entries there), and nothing is enabled on CI, where a fresh machine would pay for writing the cache (a few
 * tenths of a second) without a later run to gain from it.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off (Node's own switch); NODE_COMPILE_CACHE=DIR picks the folder (Node's too).
 */
import nodeModule from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;
/** The part of node:module used here; on Node 20 `enableCompileCache` is absent. */
export type CompileCacheApi = { enableCompileCache?: (dir?: string) => { status: number; message?: string } };

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';
const truthy = (value: string | undefined): boolean => set(value) && !/^(false|0|no)$/i.test(value.trim());

/**
 * The folder for the cache, or undefined where none should be enabled. The user cache folder is found the way
 * oclif finds sf's (SF_CACHE_DIR, else the platform's cache folder), with a folder of its own inside.
 */
export function compileCacheDirectory(env: Env, platform: NodeJS.Platform, home: string): string | undefined {
  if (truthy(env.CI)) return undefined;
  if (set(env.NODE_COMPILE_CACHE)) return env.NODE_COMPILE_CACHE;
  if (set(env.SF_CACHE_DIR)) return join(env.SF_CACHE_DIR, 'node-compile-cache');
  const base =
    platform === 'darwin'
      ? join(home, 'Library', 'Caches')
      : set(env.XDG_CACHE_HOME)
        ? env.XDG_CACHE_HOME
        : platform === 'win32' && set(env.LOCALAPPDATA)
          ? env.LOCALAPPDATA
          : join(home, '.cache');
  return join(base, 'sf', 'node-compile-cache');
}

/**
 * Turns the cache on where Node has the API and a folder is chosen; never throws (a cache that cannot be written only
 * costs speed). Returns what happened, for tests.
 */
export function enableCompileCache(
  api: CompileCacheApi = nodeModule as CompileCacheApi,
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  home: () => string = homedir
): 'enabled' | 'unsupported' | 'off' | 'failed' {
  if (typeof api.enableCompileCache !== 'function') return 'unsupported';
  try {
    const dir = compileCacheDirectory(env, platform, home());
    if (dir === undefined) return 'off';
    const { status } = api.enableCompileCache(dir);
    // module.constants.compileCacheStatus: FAILED 0, ENABLED 1, ALREADY_ENABLED 2 (NODE_COMPILE_CACHE), DISABLED 3.
    return status === 1 || status === 2 ? 'enabled' : status === 3 ? 'off' : 'failed';
  } catch {
    return 'failed';
  }
}

/** The plugin's topic: every command id holds it, in whatever order flexible taxonomy lets the user type the words. */
const PLUGIN_TOPIC = 'external-client-app';

/** Whether the command oclif is about to run is one of this plugin's (ids are colon-separated, as oclif gives them). */
export const isPluginCommand = (id: string | undefined): boolean => id?.split(':').includes(PLUGIN_TOPIC) ?? false;
