import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Logger } from '@salesforce/core';
import { PLUGIN_ROOT_LOGGER_NAME, shareHostLogger } from '../../src/command/hostLogger.js';
import { REPO } from '../../scripts/support/hosts.js';

type LogRecord = Record<string, unknown>;

/** The part of a pino logger that core's Logger uses: children with bindings, and one method per level. */
function fakePino(records: LogRecord[], bindings: LogRecord = {}): unknown {
  const write = (level: string) => (message: unknown): void => {
    records.push({ ...bindings, level, msg: message });
  };
  return {
    child: (more: LogRecord) => fakePino(records, { ...bindings, ...more }),
    bindings: () => bindings,
    levelVal: 20,
    ...Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, write(level)])),
  };
}

describe('shareHostLogger', () => {
  const slot = Logger as unknown as { rootLogger?: unknown };
  let saved: unknown;
  let cliRoot: string;
  let cliScript: string;
  let hostModulePath: string;

  beforeEach(() => {
    saved = slot.rootLogger;
    slot.rootLogger = undefined;
    // A CLI with its own copy of @salesforce/core, as sf has: resolved from the CLI's root, not from the plugin.
    cliRoot = mkdtempSync(join(tmpdir(), 'eca-host-'));
    const core = join(cliRoot, 'node_modules', '@salesforce', 'core');
    mkdirSync(join(core, 'lib', 'logger'), { recursive: true });
    writeFileSync(join(cliRoot, 'package.json'), JSON.stringify({ name: 'fake-cli' }));
    mkdirSync(join(cliRoot, 'bin'));
    cliScript = join(cliRoot, 'bin', 'run.js');
    writeFileSync(cliScript, '');
    writeFileSync(join(core, 'package.json'), JSON.stringify({ name: '@salesforce/core', exports: { './logger': './lib/logger/logger.js' } }));
    writeFileSync(join(core, 'lib', 'logger', 'logger.js'), 'module.exports = {};\n');
    hostModulePath = createRequire(join(cliRoot, 'package.json')).resolve('@salesforce/core/logger');
  });

  afterEach(() => {
    slot.rootLogger = saved;
    const requireHere = createRequire(import.meta.url);
    Reflect.deleteProperty(requireHere.cache, hostModulePath);
    rmSync(cliRoot, { recursive: true, force: true });
  });

  /** Loads the CLI's copy of core's logger module, as sf does at start-up, with a root logger that records. */
  function hostLoaded(records: LogRecord[]): void {
    const hostModule = createRequire(join(cliRoot, 'package.json'))(hostModulePath) as { Logger?: unknown };
    hostModule.Logger = { getRoot: () => ({ getRawLogger: () => fakePino(records, { name: 'sf:oclif' }) }) };
  }

  it("sends our core's records through the CLI's root logger, named after the plugin", () => {
    const records: LogRecord[] = [];
    hostLoaded(records);
    expect(shareHostLogger(cliScript)).to.equal(true);
    Logger.childFromRoot('AuthInfo').warn('hello');
    expect(records).to.deep.include({ name: `${PLUGIN_ROOT_LOGGER_NAME}:AuthInfo`, level: 'warn', msg: 'hello' });
  });

  it('leaves core alone when the CLI has not loaded its logger, and does not load it', () => {
    expect(shareHostLogger(cliScript)).to.equal(false);
    expect(slot.rootLogger).to.equal(undefined);
    expect(createRequire(import.meta.url).cache[hostModulePath]).to.equal(undefined);
  });

  it('leaves core alone when the CLI resolves our own copy (the plugin run on its own)', () => {
    expect(shareHostLogger(join(REPO, 'bin', 'run.js'))).to.equal(false);
    expect(slot.rootLogger).to.equal(undefined);
  });

  it('leaves core alone without a CLI script', () => {
    hostLoaded([]);
    expect(shareHostLogger(undefined)).to.equal(false);
    expect(slot.rootLogger).to.equal(undefined);
  });

  it('leaves a root logger that already exists alone', () => {
    const existing = { pinoLogger: fakePino([]) };
    slot.rootLogger = existing;
    hostLoaded([]);
    expect(shareHostLogger(cliScript)).to.equal(false);
    expect(slot.rootLogger).to.equal(existing);
  });

  it('leaves core alone when the CLI root logger is not what it expects', () => {
    const hostModule = createRequire(join(cliRoot, 'package.json'))(hostModulePath) as { Logger?: unknown };
    hostModule.Logger = { getRoot: () => ({ getRawLogger: () => ({}) }) };
    expect(shareHostLogger(cliScript)).to.equal(false);
    hostModule.Logger = { getRoot: (): never => { throw new Error('no root'); } };
    expect(shareHostLogger(cliScript)).to.equal(false);
    expect(slot.rootLogger).to.equal(undefined);
  });

  it('leaves a core whose Logger lacks the private rootLogger field alone: it still logs, through its own root', () => {
    const hostRecords: LogRecord[] = [];
    hostLoaded(hostRecords);
    const ownRecords: LogRecord[] = [];
    /** A later core's Logger: the same public API, its root kept in a field of another name. */
    class RenamedRootLogger {
      private static ownRoot?: { pino: unknown };
      public static getRoot(): { pino: unknown } {
        return (this.ownRoot ??= { pino: fakePino(ownRecords, { name: 'sf' }) });
      }
      public static childFromRoot(name: string): { warn(message: string): void } {
        const root = this.getRoot().pino as { child(bindings: LogRecord): { warn(message: string): void } };
        return root.child({ name: `sf:${name}` });
      }
    }
    expect(shareHostLogger(cliScript, RenamedRootLogger)).to.equal(false);
    expect(Object.hasOwn(RenamedRootLogger, 'rootLogger'), 'no stray field written').to.equal(false);
    RenamedRootLogger.childFromRoot('AuthInfo').warn('hello');
    expect(ownRecords).to.deep.equal([{ name: 'sf:AuthInfo', level: 'warn', msg: 'hello' }]);
    expect(hostRecords).to.deep.equal([]);
  });
});
