/*
 * The one way the tests, the benchmark and the demo start a child process, and the one environment they give sf:
 * an isolated HOME, no telemetry, no update checks. Quiet switches are from the sf CLI's own docs; both autoupdate
 * variables are needed because the update hook reads only the second.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type RunResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
};

export type SpawnOptions = {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is otherwise closed at once (no TTY, as in CI); null keeps stdin open. */
  input?: string | null;
  /** Kills the whole process group after this long (default 180 s), so a hung sf leaves no grandchild behind. */
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
  onStderr?: (chunk: string, child: ChildProcess) => void;
  onStdout?: (chunk: string, child: ChildProcess) => void;
};

/** Variables that would point oclif or sf at the developer's own folders instead of the isolated HOME. */
const SHARED_FOLDER_VARIABLES = ['NODE_OPTIONS', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'SF_TARGET_ORG'];

export function sfEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SHARED_FOLDER_VARIABLES) delete env[name];
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
    FORCE_COLOR: '0',
  });
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk, child);
    });
    child.stdin.on('error', () => {}); // EPIPE when the process ends before reading its input
    if (options.input !== null) child.stdin.end(options.input);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs ?? 180_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
    options.onSpawn?.(child);
  });
}

/** A command's output as JSON, or undefined when it is not JSON (a crash's stack trace, say). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The child was started in a group of its own; a signal to the group reaches what it started too. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
