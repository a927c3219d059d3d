import { expect } from 'chai';
import { Emulator } from '../../emulator/server.js';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import { parseCsv } from '../../src/common/csv.js';
import type { AppUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

const appsWithUsage = (state: EmulatorState): string[] =>
  state.apps
    .filter((app) => state.tokens.some((token) => token.appIdentifier === app.identifier))
    .map((app) => app.developerName)
    .sort();

describe('usage list (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(generateState({ apps: 7, usersPerApp: 5, tokensPerUser: 1, seed: 7 }));

  it('reads every page, following nextPageUrl until the empty page, and returns every app as JSON @smoke', async () => {
    const result = await runPlugin<AppUsage[]>(emulator, ['external-client-app', 'usage', 'list', '--page-size', '2', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json?.status).to.equal(0);
    expect(result.json?.result.map((app) => app.developerName)).to.deep.equal(appsWithUsage(emulator.state()));
    // 7 apps in pages of 2: pages 0-3, the last one short, then the empty page 4 that ends the list.
    expect(usageRequests(emulator)).to.deep.equal([0, 1, 2, 3, 4].map((page) => `GET /services/data/v66.0/apps/oauth/usage?page=${page}&pageSize=2`));
    const first = result.json!.result[0];
    expect(first).to.include.keys('identifier', 'developerName', 'description', 'accessTokenFormat', 'isFromPackage', 'availableActions', 'usageDetailsUrl');
  });

  it('asks for the empty page when the last page is full, and stops there', async () => {
    const result = await runPlugin<AppUsage[]>(emulator, ['external-client-app', 'usage', 'list', '--page-size', '7', '--json']);
    expect(result.json?.result).to.have.length(7);
    expect(usageRequests(emulator)).to.have.length(2);
  });

  it('prints a table and a summary line for people', async () => {
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'list']);
    expect(result.code).to.equal(0);
    for (const name of appsWithUsage(emulator.state())) expect(result.stdout).to.include(name);
    expect(result.stdout).to.match(/7 external client apps with OAuth usage\./);
  });

  it('writes RFC 4180 CSV whose header is the JSON field names', async () => {
    const csv = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '-r', 'csv', '--user-counts']);
    const json = await runPlugin<AppUsage[]>(emulator, ['external-client-app', 'usage', 'list', '--user-counts', '--json']);
    expect(csv.code).to.equal(0);
    expect(csv.stdout.split('\r\n')[0].split(',')).to.include.members(Object.keys(json.json!.result[0]));
    const rows = parseCsv(csv.stdout);
    expect(rows.map((row) => row.developerName)).to.deep.equal(json.json!.result.map((app) => app.developerName));
    expect(rows.map((row) => Number(row.userCount))).to.deep.equal(json.json!.result.map((app) => app.userCount));
  });

  it('counts the users of each app with --user-counts', async () => {
    const result = await runPlugin<AppUsage[]>(emulator, ['external-client-app', 'usage', 'list', '--user-counts', '--json']);
    const state = emulator.state();
    for (const app of result.json!.result) {
      const users = new Set(state.tokens.filter((t) => t.appIdentifier === app.identifier).map((t) => t.userIdentifier));
      expect(app.userCount, app.developerName).to.equal(users.size);
    }
  });

  it('stops after --limit apps without reading further pages', async () => {
    const result = await runPlugin<AppUsage[]>(emulator, ['external-client-app', 'usage', 'list', '--limit', '3', '--page-size', '2', '--json']);
    expect(result.json?.result).to.have.length(3);
    expect(usageRequests(emulator)).to.have.length(2);
  });

  it('says in the --json warnings, and on stderr beside CSV, when --limit cut a list; a table says it under the rows', async () => {
    const cut = 'The list was cut at --limit 3: the org may hold more rows than these. Rerun without --limit, or with a higher one, for all of them.';
    const limitWarnings = (warnings: unknown[] | undefined): unknown[] => (warnings ?? []).filter((warning) => String(warning).includes('--limit'));
    const app = appsWithUsage(emulator.state())[0];
    for (const command of [['list'], ['users', 'list', '--app', app], ['tokens', 'list']]) {
      const args = ['external-client-app', 'usage', ...command, '--limit', '3'];
      // eslint-disable-next-line no-await-in-loop
      const [json, toFile, csv, table] = await Promise.all([
        runPlugin<unknown[]>(emulator, [...args, '--json']),
        runPlugin(emulator, [...args, '--json', '--output-file', scratch(`${command.join('-')}.json`)]),
        runPlugin(emulator, [...args, '-r', 'csv']),
        runPlugin(emulator, args),
      ]);
      expect(json.code, json.stderr).to.equal(0);
      expect(json.json?.result, command.join(' ')).to.have.length(3);
      expect(limitWarnings(json.json?.warnings), command.join(' ')).to.deep.equal([cut]);
      expect(limitWarnings(toFile.json?.warnings), command.join(' ')).to.deep.equal([cut]);
      expect(csv.stderr, command.join(' ')).to.include(`Warning: ${cut}`);
      expect(parseCsv(csv.stdout), command.join(' ')).to.have.length(3);
      expect(table.stdout, command.join(' ')).to.include('(stopped at --limit 3)');
      expect(table.stderr, command.join(' ')).not.to.include('--limit');
    }
    // A list that ends before its limit was not cut.
    const whole = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '--limit', '100', '--json']);
    expect(limitWarnings(whole.json?.warnings)).to.deep.equal([]);
  });

  it('refuses API version 58.0 before any usage request @smoke', async () => {
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '--api-version', '58.0', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('ApiVersionTooLowError');
    expect(result.json?.message).to.include('58.0');
    expect(result.json?.actions?.join(' ')).to.include('--api-version 59.0');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('reports an invalid session with an action to log in again', async () => {
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '--json', '--target-org', '00D000000000001AAA!wrongtoken']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.match(/SessionExpiredError|INVALID_SESSION_ID/);
    expect(`${result.stdout}${result.stderr}`).not.to.include('wrongtoken');
  });

  it('answers an org without OAuth usage kindly', async () => {
    const empty = await Emulator.start({ state: { ...emulator.state(), apps: [], users: [], tokens: [] } });
    try {
      const human = await runPlugin(empty, ['external-client-app', 'usage', 'list']);
      expect(human.code).to.equal(0);
      expect(human.stdout).to.include('No external client app has OAuth usage in this org.');
      const json = await runPlugin<AppUsage[]>(empty, ['external-client-app', 'usage', 'list', '--json']);
      expect(json.json?.result).to.deep.equal([]);
    } finally {
      await empty.stop();
    }
  });
});
