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
import { ensureHost, HOST_NAMES, REPO, type HostName, type SfHost } from '../../scripts/support/hosts.js';
import { run, sfEnv, type RunResult, type SpawnOptions } from '../../scripts/support/process.js';

export type ExecOptions = SpawnOptions & { extraEnv?: Record<string, string | undefined> };

export type Runner = {
  name: string;
  /** The real sf, when the runner is one; undefined for bin/run.js. */
  host?: SfHost;
  /** The command line that runs the CLI with these arguments. */
  argv(args: string[]): string[];
  /** The environment of a run in this HOME; a host's plugin link lives outside HOME, shared by every HOME. */
  env(home: string, extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  exec(args: string[], home: string, options?: ExecOptions): Promise<RunResult>;
};

let current: Promise<Runner> | undefined;

export function runner(): Promise<Runner> {
  current ??= makeRunner(process.env.ECA_NUT_RUNNER ?? 'bin');
  return current;
}

function withExec(partial: Omit<Runner, 'exec'>): Runner {
  return {
    ...partial,
    exec: (args, home, options = {}): Promise<RunResult> => {
      const [command, ...rest] = partial.argv(args);
      return run(command, rest, { cwd: home, ...options, env: partial.env(home, options.extraEnv) });
    },
  };
}

async function makeRunner(name: string): Promise<Runner> {
  if (name === 'bin') {
    return withExec({ name, argv: (args) => [process.execPath, join(REPO, 'bin', 'run.js'), ...args], env: (home, extra) => sfEnv(home, extra) });
  }
  if (!(HOST_NAMES as readonly string[]).includes(name)) throw new Error(`ECA_NUT_RUNNER=${name}: use bin or one of ${HOST_NAMES.join(', ')}`);
  const host = ensureHost(name as HostName);
  const dataDir = mkdtempSync(join(tmpdir(), 'eca-nut-sf-data-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const cli = withExec({
    name,
    host,
    argv: (args) => [host.node, '--no-deprecation', host.runJs, ...args],
    env: (home, extra) => sfEnv(home, { XDG_DATA_HOME: dataDir, ...extra }),
  });
  const linkHome = mkdtempSync(join(tmpdir(), 'eca-nut-link-'));
  try {
    const linked = await cli.exec(['plugins', 'link', REPO, '--no-install'], linkHome);
    if (linked.code !== 0) throw new Error(`sf plugins link failed on ${name}: ${linked.stderr}`);
  } finally {
    rmSync(linkHome, { recursive: true, force: true });
  }
  return cli;
}
