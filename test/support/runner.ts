/*
 * Which CLI the end-to-end suite drives, chosen from outside the test files (as sf's own plugin workflows point
 * NUTs at an installed sf with TESTKIT_EXECUTABLE_PATH):
 *   ECA_NUT_RUNNER=bin                  the plugin's own bin/run.js on this Node (default)
 *   ECA_NUT_RUNNER=sf-2.150.6-node22    the real sf 2.150.6 on Node 22, with this plugin linked
 *   ECA_NUT_RUNNER=sf-2.138.0-node20    the real sf 2.138.0 on Node 20, with this plugin linked
 * Tests tagged @host-only mean something only inside a real sf; `npm run test:nuts` leaves them out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureHost, HOST_NAMES, REPO, type HostName, type SfHost } from './hosts.js';
import { run, sfEnv, type RunResult, type SpawnOptions } from './process.js';

export type Runner = {
  name: string;
  /** The real sf, when the runner is one; undefined for bin/run.js. */
  host?: SfHost;
  /** Runs the CLI with these arguments in this HOME; sf's plugin data (the link) is shared by every HOME. */
  exec(args: string[], home: string, options?: SpawnOptions & { extraEnv?: Record<string, string | undefined> }): Promise<RunResult>;
};

let current: Promise<Runner> | undefined;

export function runnerName(): string {
  return process.env.ECA_NUT_RUNNER ?? 'bin';
}

export function runner(): Promise<Runner> {
  current ??= makeRunner(runnerName());
  return current;
}

async function makeRunner(name: string): Promise<Runner> {
  if (name === 'bin') {
    return {
      name,
      exec: (args, home, options = {}) => run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], { ...options, env: sfEnv(home, options.extraEnv) }),
    };
  }
  if (!(HOST_NAMES as readonly string[]).includes(name)) throw new Error(`ECA_NUT_RUNNER=${name}: use bin or one of ${HOST_NAMES.join(', ')}`);
  const host = ensureHost(name as HostName);
  const dataDir = mkdtempSync(join(tmpdir(), 'eca-nut-sf-data-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const exec: Runner['exec'] = (args, home, options = {}) =>
    run(host.node, ['--no-deprecation', host.runJs, ...args], { cwd: home, ...options, env: sfEnv(home, { XDG_DATA_HOME: dataDir, ...options.extraEnv }) });
  const linkHome = mkdtempSync(join(tmpdir(), 'eca-nut-link-'));
  try {
    const linked = await exec(['plugins', 'link', REPO, '--no-install'], linkHome);
    if (linked.code !== 0) throw new Error(`sf plugins link failed on ${name}: ${linked.stderr}`);
  } finally {
    rmSync(linkHome, { recursive: true, force: true });
  }
  return { name, host, exec };
}
