import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../emulator/server.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RUN_JS = join(REPO, 'bin', 'run.js');

export type CliResult<T = unknown> = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed --json envelope, when stdout held one. */
  json?: { status: number; result: T; warnings?: unknown[]; name?: string; message?: string; actions?: string[]; exitCode?: number };
};

export type RunOptions = {
  env?: Record<string, string>;
  /** Called once the process is running, e.g. to send it SIGINT. */
  onSpawn?: (child: ChildProcess) => void;
  /** Called for each stderr chunk, e.g. to wait for progress. */
  onStderr?: (chunk: string, child: ChildProcess) => void;
  timeoutMs?: number;
  home?: string;
};

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

/** Environment for a scripted run of sf-style CLIs: quiet, no update checks, fast retries. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
    SF_ECA_RETRY_BASE_MS: '20',
    SF_ECA_RETRY_MAX_DELAY_MS: '200',
    FORCE_COLOR: '0',
    ...extra,
  };
  delete env.NODE_OPTIONS;
  delete env.SF_TARGET_ORG;
  return env;
}

/**
 * Runs the plugin's own bin/run.js against the emulator, the way a user would, with stdin closed (no TTY) unless the
 * test says otherwise. The target org is the emulator's access token, so nothing is written to disk.
 */
export function runPlugin<T = unknown>(emulator: Emulator, args: string[], options: RunOptions = {}): Promise<CliResult<T>> {
  const env = cliEnv(options.home ?? isolatedHome(), { SF_ORG_INSTANCE_URL: emulator.url, ...options.env });
  const argv = [...args];
  if (!argv.includes('--target-org') && !argv.includes('-o')) argv.push('--target-org', emulator.accessToken);
  return runNode([RUN_JS, ...argv], env, options);
}

export function runNode<T>(argv: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}, node = process.execPath): Promise<CliResult<T>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, json: parseJson(stdout) });
    });
    options.onSpawn?.(child);
  });
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
