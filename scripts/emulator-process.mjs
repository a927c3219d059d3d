// The OAuth usage emulator (test/emulator/cli.ts) as a child process, for the scripts that drive the real sf or the
// plugin's bin/run.js from outside a test runner (host test, benchmark). Node built-ins only.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts the emulator with the given cli.ts flags (which must include `--token`) and resolves once it printed its
 * EMULATOR_URL and EMULATOR_TOKEN lines. Returns { child, exited, url, token, stderr() }.
 */
export async function startEmulatorProcess(cliArgs, { token, timeoutMs = 90_000 } = {}) {
  const args = ['--loader', 'ts-node/esm', '--no-warnings=ExperimentalWarning', path.join('test', 'emulator', 'cli.ts'), ...cliArgs];
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, args, { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const emu = { child, exited, url: undefined, token: undefined, stderr: () => stderr };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not print EMULATOR_URL within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    const onData = () => {
      const url = /^EMULATOR_URL=(\S+)$/m.exec(stdout);
      const tok = /^EMULATOR_TOKEN=(\S+)$/m.exec(stdout);
      if (url && tok) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        emu.url = url[1];
        emu.token = tok[1];
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code ?? signal}) before it was ready:\n${stderr}`));
    });
  });
  if (token !== undefined && emu.token !== token) throw new Error('emulator does not use the token it was given');
  return emu;
}

export async function stopEmulatorProcess(emu) {
  if (!emu || emu.child.exitCode !== null || emu.child.signalCode !== null) return;
  emu.child.kill('SIGTERM');
  const timer = setTimeout(() => emu.child.kill('SIGKILL'), 5000);
  await emu.exited;
  clearTimeout(timer);
}

/** One call of the emulator's control API (`/__emulator/<sub>`); resolves the parsed JSON answer. */
export async function emulatorControl(url, method, sub, body, timeoutMs = 60_000) {
  const res = await fetch(`${url}/__emulator/${sub}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator control ${method} ${sub}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
