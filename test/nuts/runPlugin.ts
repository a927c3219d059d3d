import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator } from '../../emulator/server.js';
import type { EmulatorState } from '../../emulator/model.js';
import { run, type RunResult } from '../../scripts/support/process.js';
import { runner } from './runner.js';

export type CliResult<T = unknown> = RunResult & {
  /** The parsed --json envelope, when stdout held one. */
  json?: { status: number; result: T; warnings?: unknown[]; name?: string; message?: string; actions?: string[]; exitCode?: number };
};

export type RunOptions = {
  env?: Record<string, string | undefined>;
  /** Called once the process is running, e.g. to send it SIGINT. */
  onSpawn?: (child: ChildProcess) => void;
  /** Called for each stderr chunk, e.g. to wait for progress. */
  onStderr?: (chunk: string, child: ChildProcess) => void;
  /** Written to stdin, which is otherwise closed (no TTY). */
  input?: string;
  timeoutMs?: number;
  home?: string;
};

/**
 * The variables that decide whether and where the compile cache is written (src/common/compileCache.ts), unset so that
 * a test of the cache sets what it means to, whatever the machine running it has.
 */
export const UNSET_COMPILE_CACHE_SETTINGS = { CI: undefined, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, SF_CACHE_DIR: undefined };

let sharedHome: string | undefined;

/** A HOME of our own, so no test ever reads or writes the developer's real sf auth files. */
export function isolatedHome(): string {
  sharedHome ??= mkdtempSync(join(tmpdir(), 'eca-nut-home-'));
  return sharedHome;
}

export function removeIsolatedHome(): void {
  if (sharedHome) rmSync(sharedHome, { recursive: true, force: true });
  sharedHome = undefined;
}

/** The emulator of a describe block's tests, and scratch files of their own. */
export type EmulatorFixture = {
  /** The running emulator: reading it outside the block's tests (before `before`, after `after`) throws. */
  readonly emulator: Emulator;
  /** A path in a folder of the block's own, made at first use and removed after the block; without names, the folder. */
  readonly scratch: (...names: string[]) => string;
};

/**
 * The hooks every NUT block needs, in one place: an emulator serving `state` is started before the block's first
 * test and stopped after its last; before each test it serves `state` again, with an empty log, no faults, no
 * latency and no page-size cap, so no test sees what another did; after the block its scratch folder and the
 * isolated HOME are removed.
 * A block's own hooks run after these (mocha runs hooks in the order they are declared).
 */
export function useEmulator(state: EmulatorState, options: { accessToken?: string } = {}): EmulatorFixture {
  let running: Emulator | undefined;
  let folder: string | undefined;
  const current = (): Emulator => {
    if (!running) throw new Error('the emulator runs only while the tests of the block that uses it run');
    return running;
  };
  before(async () => {
    running = await Emulator.start({ state, accessToken: options.accessToken });
  });
  beforeEach(() => {
    const emulator = current();
    emulator.reset(state);
    emulator.clearLog();
    emulator.clearFaults();
    emulator.setLatency(0);
    emulator.setMaxPageSize(undefined);
  });
  after(async () => {
    await running?.stop();
    running = undefined;
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
    removeIsolatedHome();
  });
  // The emulator exists only once `before` ran, while test bodies are written when the file loads: they get a
  // stand-in that hands every property of the running emulator over, its methods bound to it.
  const emulator = new Proxy({} as Emulator, {
    get: (_target, property): unknown => {
      const target = current();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { emulator, scratch: (...names): string => join((folder ??= mkdtempSync(join(tmpdir(), 'eca-nut-'))), ...names) };
}

/** Fast retries, so fault tests don't wait for production back-off. */
const TEST_TUNING = { SF_ECA_RETRY_BASE_MS: '20', SF_ECA_RETRY_MAX_DELAY_MS: '200' };

/**
 * Runs the CLI the runner names (bin/run.js or a real sf with the plugin linked) against the emulator, with stdin
 * closed (no TTY) unless the test gives input. Without -o, the target org is the emulator's access token with
 * SF_ORG_INSTANCE_URL, so nothing is written to disk.
 */
export async function runPlugin<T = unknown>(emulator: Emulator, args: string[], options: RunOptions = {}): Promise<CliResult<T>> {
  const argv = [...args];
  if (!argv.includes('--target-org') && !argv.includes('-o')) argv.push('--target-org', emulator.accessToken);
  return runCli<T>(argv, { ...options, env: { SF_ORG_INSTANCE_URL: emulator.url, ...options.env } });
}

/** Runs the CLI with exactly these arguments (no org added), e.g. for `org login` or `--version`. */
export async function runCli<T = unknown>(args: string[], options: RunOptions = {}): Promise<CliResult<T>> {
  const cli = await runner();
  const result = await cli.exec(args, options.home ?? isolatedHome(), {
    extraEnv: { ...TEST_TUNING, ...options.env },
    input: options.input,
    onSpawn: options.onSpawn,
    onStderr: options.onStderr,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  return { ...result, json: parseJson(result.stdout) };
}

function parseJson<T>(stdout: string): CliResult<T>['json'] {
  const trimmed = stdout.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed) as CliResult<T>['json'];
  } catch {
    return undefined;
  }
}

/** Usage-resource requests from the emulator's log, as "METHOD path?query" lines. */
export function usageRequests(emulator: Emulator, method?: string): string[] {
  return emulator
    .requests()
    .filter((entry) => entry.path.includes('/apps/oauth/usage') && (method === undefined || entry.method === method))
    .map((entry) => `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''}`);
}

const TERMINAL_ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g; // eslint-disable-line no-control-regex

/** The key a person presses to stop: as an answer to runOnTerminal, it is sent alone, without Enter. */
export const CTRL_C = '\x03';

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), as a person at a prompt would, and answers the first
 * yes/no question with `answer` and Enter (or with CTRL_C alone). The terminal merges stdout and stderr, so both come
 * back as `stdout`.
 */
export async function runOnTerminal(
  emulator: Emulator,
  args: string[],
  answer: string,
  options: { env?: Record<string, string | undefined> } = {}
): Promise<CliResult & { sawPrompt: boolean }> {
  const cli = await runner();
  const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;
  const commandLine = cli.argv([...args, '--target-org', emulator.accessToken]).map(quote).join(' ');
  let seen = '';
  let sawPrompt = false;
  const result = await run('script', ['-q', '-e', '-c', commandLine, '/dev/null'], {
    env: cli.env(isolatedHome(), { SF_ORG_INSTANCE_URL: emulator.url, ...TEST_TUNING, ...options.env }),
    cwd: isolatedHome(),
    input: null,
    timeoutMs: 120_000,
    onStdout: (chunk, child) => {
      seen += chunk;
      if (!sawPrompt && /\(y\/\s*N\)/.test(seen.replace(TERMINAL_ESCAPES, ''))) {
        sawPrompt = true;
        child.stdin?.write(answer === CTRL_C ? answer : `${answer}\r`);
      }
    },
  });
  return { ...result, stdout: result.stdout.replace(TERMINAL_ESCAPES, ''), sawPrompt };
}

/**
 * Sends `signal` to the CLI once `ready()` holds, polled every 20 ms, as a person pressing Ctrl-C mid-run would.
 * Pass `onSpawn` to runPlugin; `sent()` says whether the moment came before the run ended.
 */
export function signalWhen(ready: () => boolean, signal: NodeJS.Signals = 'SIGINT'): { onSpawn: (child: ChildProcess) => void; sent: () => boolean } {
  let sent = false;
  return {
    sent: () => sent,
    onSpawn: (child): void => {
      const timer = setInterval(() => {
        if (sent || !ready()) return;
        sent = true;
        child.kill(signal);
        clearInterval(timer);
      }, 20);
      child.on('close', () => clearInterval(timer));
    },
  };
}
