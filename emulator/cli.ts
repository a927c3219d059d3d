/*
 * Runs the OAuth usage emulator in the foreground for demos, host tests and manual checks with the real sf CLI.
 * The first two stdout lines (EMULATOR_URL=..., EMULATOR_TOKEN=...) are a stable contract for scripts that spawn it.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadState, summarizeState, type EmulatorState } from './model.js';
import { Emulator, DEFAULT_SEED } from './server.js';

const USAGE = `Usage: node --loader ts-node/esm --no-warnings=ExperimentalWarning emulator/cli.ts [options]

  --port N            port on 127.0.0.1 (default 0 = any free port)
  --seed FILE         JSON EmulatorState to serve (e.g. emulator/seeds/small.json)
  --apps N            generated data: number of apps (default ${DEFAULT_SEED.apps})
  --users N           generated data: users per app (default ${DEFAULT_SEED.usersPerApp})
  --tokens N          generated data: tokens per user and app (default ${DEFAULT_SEED.tokensPerUser})
  --random-seed N     generated data: PRNG seed (default 42)
  --org-id ID         generated data: the org's id (00D..., default 00D000000000001AAA), to play one of several orgs
  --latency MS        delay added to every usage request
  --max-page-size N   serve at most N rows per usage page, whatever pageSize asks for
  --token TOKEN       access token to accept (must look like 00D...!... for sf; default: the org id, then !emulator)
  --absolute-urls     emit absolute URLs instead of the real API's relative ones
  --help              this text
`;

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      apps: { type: 'string' },
      users: { type: 'string' },
      tokens: { type: 'string' },
      'random-seed': { type: 'string' },
      'org-id': { type: 'string' },
      latency: { type: 'string' },
      'max-page-size': { type: 'string' },
      token: { type: 'string' },
      'absolute-urls': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const generated = [values.apps, values.users, values.tokens, values['random-seed'], values['org-id']].some((v) => v !== undefined);
  if (values.seed !== undefined && generated) {
    throw new Error('--seed cannot be combined with --apps/--users/--tokens/--random-seed/--org-id (a seed file names its org)');
  }
  let state: EmulatorState | undefined;
  if (values.seed !== undefined) state = loadState(await readFile(values.seed, 'utf8'));

  const emulator = await Emulator.start({
    port: intFlag('port', values.port) ?? 0,
    state,
    seed: {
      apps: intFlag('apps', values.apps) ?? DEFAULT_SEED.apps,
      usersPerApp: intFlag('users', values.users) ?? DEFAULT_SEED.usersPerApp,
      tokensPerUser: intFlag('tokens', values.tokens) ?? DEFAULT_SEED.tokensPerUser,
      seed: intFlag('random-seed', values['random-seed']),
      orgId: values['org-id'],
    },
    latencyMs: intFlag('latency', values.latency),
    maxPageSize: intFlag('max-page-size', values['max-page-size']),
    accessToken: values.token,
    absoluteUrls: values['absolute-urls'] ?? false,
  });

  const { url, accessToken } = emulator;
  const s = summarizeState(emulator.state());
  process.stdout.write(
    [
      `EMULATOR_URL=${url}`,
      `EMULATOR_TOKEN=${accessToken}`,
      '',
      // The access token as target org needs no saved login, so it works in the plugin's own bin/run.js too, which
      // has no org commands; a saved login needs sf's "org login".
      'Point sf (with this plugin linked) or ./bin/run.js (from this repository) at it, the access token as target org:',
      `  SF_ORG_INSTANCE_URL=${url} sf external-client-app usage list --target-org '${accessToken}'`,
      `  SF_ORG_INSTANCE_URL=${url} ./bin/run.js external-client-app usage list --target-org '${accessToken}'`,
      'Or, with the real sf only (./bin/run.js has no org commands), save a login and use its alias:',
      `  SF_ACCESS_TOKEN='${accessToken}' sf org login access-token --instance-url ${url} --no-prompt --alias emulator`,
      '  sf external-client-app usage list --target-org emulator',
      `Control API: ${url}/__emulator/ (GET state, GET|DELETE log, GET|POST|DELETE faults, POST latency, POST max-page-size, POST reset)`,
      `Data: ${s.appsWithTokens}/${s.apps} apps with tokens, ${s.usersWithTokens} users with tokens, ${s.tokens} tokens, ` +
        `${s.stale} stale (unused ${s.unusedDays}+ days, ${s.neverUsed} never used)`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n')
  );

  let stopping = false;
  const shutdown = (why: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${why}, stopping emulator\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(`Received ${signal}`));
  stopWithParent(shutdown);
}

/**
 * Stops the emulator once the process that started it is gone. `npm run emulator` forwards only SIGINT and SIGTERM,
 * and only to its direct child (package.json's script `exec`s node, so that child is this process); any other end
 * of npm (SIGHUP, SIGKILL, a crash) would leave this process running, its port bound, with nobody to stop it. A
 * process whose parent ends is given to another parent, so the pid it started with no longer answers.
 */
function stopWithParent(shutdown: (why: string) => void): void {
  const parent = process.ppid;
  // pid 1 (init) never ends: started by it, there is nothing to watch.
  if (parent <= 1) return;
  const watch = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      // ESRCH: gone. EPERM: that pid now belongs to another user's process, so our parent is gone too.
      clearInterval(watch);
      shutdown(`Its parent process (pid ${parent}) ended`);
    }
  }, 500);
  // The watch alone must not keep the process alive once the server is closed.
  watch.unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
  process.exit(2);
});
