import { join } from 'node:path';
import { expect } from 'chai';
import { compileCacheDirectory, enableCompileCache, isPluginCommand, type CompileCacheApi } from '../../src/common/compileCache.js';

describe('compileCache', () => {
  const HOME = '/home/ada';

  describe('compileCacheDirectory', () => {
    const cases: Array<[string, Record<string, string | undefined>, NodeJS.Platform, string | undefined]> = [
      ['Linux: ~/.cache/sf', {}, 'linux', join(HOME, '.cache', 'sf', 'node-compile-cache')],
      ['Linux: XDG_CACHE_HOME', { XDG_CACHE_HOME: '/var/cache/ada' }, 'linux', join('/var/cache/ada', 'sf', 'node-compile-cache')],
      ['Linux: a blank XDG_CACHE_HOME is not set', { XDG_CACHE_HOME: ' ' }, 'linux', join(HOME, '.cache', 'sf', 'node-compile-cache')],
      ['macOS: ~/Library/Caches/sf', { XDG_CACHE_HOME: '/x' }, 'darwin', join(HOME, 'Library', 'Caches', 'sf', 'node-compile-cache')],
      ['Windows: LOCALAPPDATA', { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', join('C:\\Users\\ada\\AppData\\Local', 'sf', 'node-compile-cache')],
      ['SF_CACHE_DIR, as oclif reads it for sf', { SF_CACHE_DIR: '/opt/sf-cache' }, 'linux', join('/opt/sf-cache', 'node-compile-cache')],
      ["NODE_COMPILE_CACHE, Node's own choice", { NODE_COMPILE_CACHE: '/c', SF_CACHE_DIR: '/opt/sf-cache' }, 'linux', '/c'],
      ['CI=true: none', { CI: 'true', NODE_COMPILE_CACHE: '/c' }, 'linux', undefined],
      ['CI=1: none', { CI: '1' }, 'darwin', undefined],
      ['CI=false: as without CI', { CI: 'false' }, 'linux', join(HOME, '.cache', 'sf', 'node-compile-cache')],
      ['CI=0: as without CI', { CI: '0' }, 'linux', join(HOME, '.cache', 'sf', 'node-compile-cache')],
    ];
    for (const [what, env, platform, expected] of cases) {
      it(what, () => expect(compileCacheDirectory(env, platform, HOME)).to.equal(expected));
    }
  });

  describe('enableCompileCache', () => {
    const recording = (status: number): CompileCacheApi & { dirs: Array<string | undefined> } => {
      const dirs: Array<string | undefined> = [];
      return { dirs, enableCompileCache: (dir?: string) => (dirs.push(dir), { status }) };
    };

    it('Node 20 (no enableCompileCache): nothing happens, nothing throws', () => {
      expect(enableCompileCache({}, {}, 'linux', () => HOME)).to.equal('unsupported');
    });

    it('asks Node for the user cache folder and says what Node answered', () => {
      for (const [status, outcome] of [[1, 'enabled'], [2, 'enabled'], [0, 'failed'], [3, 'off']] as const) {
        const api = recording(status);
        expect(enableCompileCache(api, {}, 'linux', () => HOME)).to.equal(outcome);
        expect(api.dirs).to.deep.equal([join(HOME, '.cache', 'sf', 'node-compile-cache')]);
      }
    });

    it('on CI: Node is not asked', () => {
      const api = recording(1);
      expect(enableCompileCache(api, { CI: 'true' }, 'linux', () => HOME)).to.equal('off');
      expect(api.dirs).to.deep.equal([]);
    });

    it('a home that cannot be found or a Node that throws costs only the cache', () => {
      const noHome = (): string => {
        throw new Error('ENOENT: no home');
      };
      expect(enableCompileCache(recording(1), {}, 'linux', noHome)).to.equal('failed');
      const throwing: CompileCacheApi = {
        enableCompileCache: () => {
          throw new Error('EACCES');
        },
      };
      expect(enableCompileCache(throwing, {}, 'linux', () => HOME)).to.equal('failed');
    });
  });

  describe('isPluginCommand (the init hook turns the cache on for these ids only)', () => {
    const cases: Array<[string | undefined, boolean]> = [
      ['external-client-app:usage:list', true],
      ['external-client-app:usage:tokens:revoke', true],
      // flexible taxonomy: the words in another order
      ['usage:external-client-app:list', true],
      ['external-client-app', true],
      ['org:list', false],
      ['api:request:rest', false],
      ['external-client-apps:list', false],
      ['--version', false],
      [undefined, false],
    ];
    for (const [id, expected] of cases) {
      it(`${String(id)}: ${expected}`, () => expect(isPluginCommand(id)).to.equal(expected));
    }
  });
});
