import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DAY_MS, generateState, staleTokens, type EmulatorState } from '../../emulator/model.js';
import type { UsageReport } from '../../src/usage/report.js';
import type { FleetReport } from '../../src/usage/reportFiles.js';
import { REPO } from '../../scripts/support/hosts.js';
import { isolatedHome, runCli, runPlugin, usageRequests, useEmulator } from './runPlugin.js';

const REPORT = ['external-client-app', 'usage', 'report'];
const BUCKETS = ['d0_7', 'd8_30', 'd31_90', 'd91_180', 'd181_365', 'over365', 'never'] as const;

/**
 * What the report must say about the emulator's data, computed here from its state with the emulator's own stale
 * rule, not with the plugin's code: bucket by whole days since last use, stale as `staleTokens` says.
 */
function expectedFigures(state: EmulatorState, staleDays: number, at: Date): Pick<UsageReport, 'totals' | 'apps'> & { staleUsers: Map<string, number> } {
  const stale = new Set(staleTokens(state, staleDays, at).map((token) => token.tokenId));
  const bucketOf = (lastUsedAt: string | null): string => {
    if (lastUsedAt === null) return 'never';
    const days = Math.floor((at.getTime() - Date.parse(lastUsedAt)) / DAY_MS);
    const limits: Array<[string, number]> = [['d0_7', 7], ['d8_30', 30], ['d31_90', 90], ['d91_180', 180], ['d181_365', 365]];
    return limits.find(([, max]) => days <= max)?.[0] ?? 'over365';
  };
  const apps = state.apps
    .map((app) => {
      const tokens = state.tokens.filter((token) => token.appIdentifier === app.identifier);
      const used = tokens.map((token) => token.lastUsedAt).filter((value): value is string => value !== null).sort();
      const ageBuckets = Object.fromEntries(BUCKETS.map((bucket) => [bucket, tokens.filter((token) => bucketOf(token.lastUsedAt) === bucket).length]));
      const staleCount = tokens.filter((token) => stale.has(token.tokenId)).length;
      return {
        identifier: app.identifier,
        developerName: app.developerName,
        description: app.description,
        users: new Set(tokens.map((token) => token.userIdentifier)).size,
        tokens: tokens.length,
        neverUsedTokens: tokens.filter((token) => token.lastUsedAt === null).length,
        staleTokens: staleCount,
        staleShare: tokens.length === 0 ? 0 : staleCount / tokens.length,
        oldestLastUsedAt: used[0] ?? null,
        ageBuckets: ageBuckets as UsageReport['apps'][number]['ageBuckets'],
      };
    })
    .filter((app) => app.tokens > 0);
  const staleUsers = new Map<string, number>();
  for (const token of state.tokens) if (stale.has(token.tokenId)) staleUsers.set(token.userIdentifier, (staleUsers.get(token.userIdentifier) ?? 0) + 1);
  return {
    totals: {
      apps: apps.length,
      users: new Set(state.tokens.map((token) => token.userIdentifier)).size,
      tokens: state.tokens.length,
      neverUsedTokens: state.tokens.filter((token) => token.lastUsedAt === null).length,
      staleTokens: stale.size,
      staleShare: stale.size / state.tokens.length,
    },
    apps,
    staleUsers,
  };
}

/** The figures of a report, keyed by app id so the order of the apps is checked separately. */
const byApp = (apps: UsageReport['apps']): Record<string, unknown> => Object.fromEntries(apps.map((app) => [app.identifier, app]));

/** Checks a report's figures against the emulator's state; a report from saved inventories has no app descriptions. */
function expectFiguresOf(result: UsageReport, state: EmulatorState, staleDays: number, fromFile = false): void {
  const expected = expectedFigures(state, staleDays, new Date(result.generatedAt));
  expect(result.totals).to.deep.equal(expected.totals);
  expect(byApp(result.apps)).to.deep.equal(byApp(fromFile ? expected.apps.map((app) => ({ ...app, description: null })) : expected.apps));
  const staleCounts = result.apps.map((app) => app.staleTokens);
  expect(staleCounts).to.deep.equal([...staleCounts].sort((a, b) => b - a));
  // The top stale users hold the most stale tokens; ties are broken by username.
  const ranked = [...expected.staleUsers.values()].sort((a, b) => b - a).slice(0, result.topStaleUsers.length);
  expect(result.topStaleUsers.map((user) => user.staleTokens)).to.deep.equal(ranked);
  for (const user of result.topStaleUsers) expect(user.staleTokens).to.equal(expected.staleUsers.get(user.userIdentifier));
}

describe('usage report (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(generateState({ apps: 5, usersPerApp: 12, tokensPerUser: 2, seed: 23 }));

  it('writes the HTML report of the org and returns figures that match the org @smoke', async () => {
    const file = scratch('live.html');
    const result = await runPlugin<UsageReport>(emulator, [...REPORT, '--output-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const report = result.json!.result;
    expect(report).to.include({ orgId: emulator.state().org.orgId, instanceUrl: emulator.url, staleDays: 90, outputFile: file });
    expectFiguresOf(report, emulator.state(), 90);
    expect(report.totals.staleTokens).to.be.greaterThan(0).and.lessThan(report.totals.tokens);
    const html = readFileSync(file, 'utf8');
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.include(`data-total="tokens">${report.totals.tokens.toLocaleString('en-US')}<`);
    // The same pages as tokens list: each read once, and nothing but GETs.
    const requests = usageRequests(emulator);
    expect(requests.filter((line, index) => requests.indexOf(line) !== index)).to.deep.equal([]);
    expect(requests.every((line) => line.startsWith('GET '))).to.equal(true);
  });

  it('names the HTML file after the org and the day when no --output-file is given, and says where it went', async () => {
    const result = await runPlugin(emulator, [...REPORT]);
    expect(result.code, result.stderr).to.equal(0);
    const name = `eca-oauth-usage-${emulator.state().org.orgId}-${new Date().toISOString().slice(0, 10)}.html`;
    expect(existsSync(join(isolatedHome(), name)), result.stdout).to.equal(true);
    expect(result.stdout).to.include(join(isolatedHome(), name));
    expect(result.stdout).to.match(/5 apps, \d+ refresh tokens, \d+ stale \(\d+\.\d%\)/);
  });

  it('counts in the line that says where the report went with the right plurals: 1 app, 1 refresh token', async () => {
    const one = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--limit', '1', '--json']);
    expect(one.code, one.stderr).to.equal(0);
    const saved = scratch('one-token.json');
    writeFileSync(saved, one.stdout);
    const result = await runCli([...REPORT, '--from-file', saved, '--output-file', scratch('one.html')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/: 1 app, 1 refresh token, (0 stale \(0%\)|1 stale \(100%\))\.$/m);
  });

  it('counts stale tokens by --unused-days', async () => {
    const result = await runPlugin<UsageReport>(emulator, [...REPORT, '--unused-days', '30', '-r', 'markdown', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.staleDays).to.equal(30);
    expectFiguresOf(result.json!.result, emulator.state(), 30);
  });

  it('prints Markdown, and only Markdown, on stdout for a CI job summary', async () => {
    const result = await runPlugin(emulator, [...REPORT, '--result-format', 'markdown']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^## OAuth usage of external client apps\n/);
    const expected = expectedFigures(emulator.state(), 90, new Date());
    const { totals } = expected;
    expect(result.stdout).to.include(`| ${totals.apps} | ${totals.users} | ${totals.tokens} | ${totals.neverUsedTokens} | ${totals.staleTokens} |`);
    expect(result.stdout).not.to.include('Wrote the report');
  });

  it('writes Markdown to --output-file', async () => {
    const file = scratch('summary.md');
    const result = await runPlugin<UsageReport>(emulator, [...REPORT, '-r', 'markdown', '--output-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.outputFile).to.equal(file);
    expect(readFileSync(file, 'utf8')).to.match(/^## OAuth usage of external client apps\n/);
  });

  it('reports on a saved inventory without an org, with the same figures and no request', async () => {
    const inventory = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--json']);
    expect(inventory.code, inventory.stderr).to.equal(0);
    const saved = scratch('tokens.json');
    writeFileSync(saved, inventory.stdout);
    emulator.clearLog();

    const result = await runCli<UsageReport>([...REPORT, '--from-file', saved, '--output-file', scratch('saved.html'), '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(emulator.requests()).to.deep.equal([]);
    const report = result.json!.result;
    // Every row of tokens list names its org; none names its instance.
    expect(report).to.include({ orgId: emulator.state().org.orgId, instanceUrl: 'unknown' });
    const expected = expectedFigures(emulator.state(), 90, new Date(report.generatedAt));
    expect(report.totals).to.deep.equal(expected.totals);
    // A saved inventory has no app descriptions; every other figure is the org's.
    expect(byApp(report.apps)).to.deep.equal(byApp(expected.apps.map((app) => ({ ...app, description: null }))));
    expect(readFileSync(scratch('saved.html'), 'utf8')).to.include('the file tokens.json');
  });

  it('needs an org when there is no --from-file, and sends nothing', async () => {
    const result = await runCli([...REPORT, '--json'], { env: { SF_ORG_INSTANCE_URL: emulator.url } });
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('NoTargetOrgError');
    expect(result.json?.actions?.join(' ')).to.include('--from-file');
    expect(emulator.requests()).to.deep.equal([]);
  });

  it('refuses a file that is not a token inventory, naming the row as tokens revoke --from-file does: the line of a CSV, the item of a JSON array', async () => {
    const args = ['external-client-app', 'usage', 'users', 'list', '--app', emulator.state().apps[0].developerName];
    const [json, csv] = await Promise.all([runPlugin(emulator, [...args, '--json']), runPlugin(emulator, [...args, '-r', 'csv'])]);
    const savedJson = scratch('users.json');
    const savedCsv = scratch('users.csv');
    writeFileSync(savedJson, json.stdout);
    writeFileSync(savedCsv, csv.stdout);
    const [fromJson, fromCsv] = await Promise.all([
      runCli([...REPORT, '--from-file', savedJson, '--json']),
      runCli([...REPORT, '--from-file', savedCsv, '--json']),
    ]);
    expect(fromJson.code).to.equal(1);
    expect(fromJson.json?.name).to.equal('NotATokenRowError');
    expect(fromJson.json?.message).to.include(`In the file "${savedJson}", item 1 (index 0 of the array) is not a refresh token row`);
    // The first row under the header is line 2, as an editor shows it.
    expect(fromCsv.code).to.equal(1);
    expect(fromCsv.json?.message).to.include(`In the file "${savedCsv}", line 2 is not a refresh token row`);
  });

  it('checks the output folder before reading the org', async () => {
    const result = await runPlugin(emulator, [...REPORT, '--output-file', scratch('no-such-folder', 'r.html'), '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('NoOutputFolderError');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});

const TOTALS = ['apps', 'users', 'tokens', 'neverUsedTokens', 'staleTokens'] as const;
const APP_FIELDS = ['users', 'tokens', 'neverUsedTokens', 'staleTokens'] as const;
type PageFigures = {
  totals: Record<string, number>;
  apps: Record<string, Record<string, unknown>>;
  users: Array<{ username: string; staleTokens: number }>;
};

/**
 * Runs in the page: the figures a person sees in the part of the page `scope` selects (the whole page, or one org's
 * section of a report of several orgs), read from the cells the report marks with data-* attributes.
 */
const readFigures = (scope: string): string => `(() => {
  const root = document.querySelector(${JSON.stringify(scope)});
  const number = (element) => Number(element.textContent.replace(/,/g, ''));
  const text = (element) => element.textContent;
  const totals = Object.fromEntries(${JSON.stringify(TOTALS)}.map((key) => [key, number(root.querySelector('[data-total="' + key + '"]'))]));
  const apps = {};
  for (const row of root.querySelectorAll('tr[data-app]')) {
    const id = row.dataset.app;
    const figure = root.querySelector('figure[data-app="' + id + '"]');
    apps[id] = {
      developerName: text(row.querySelector('[data-field="developerName"]')),
      ...Object.fromEntries(${JSON.stringify(APP_FIELDS)}.map((key) => [key, number(row.querySelector('[data-field="' + key + '"]'))])),
      buckets: Object.fromEntries([...figure.querySelectorAll('[data-bucket]')].map((cell) => [cell.dataset.bucket, number(cell)])),
    };
  }
  const users = [...root.querySelectorAll('tr[data-user]')].map((row) => ({
    username: text(row.querySelector('[data-field="username"]')),
    staleTokens: number(row.querySelector('[data-field="staleTokens"]')),
  }));
  return { totals, apps, users };
})()`;

/** What readFigures must find for a report: its own figures. */
const pageFiguresOf = (report: UsageReport): PageFigures => ({
  totals: Object.fromEntries(TOTALS.map((key) => [key, report.totals[key]])),
  apps: Object.fromEntries(
    report.apps.map((app) => [
      app.identifier,
      { developerName: app.developerName, ...Object.fromEntries(APP_FIELDS.map((key) => [key, app[key]])), buckets: app.ageBuckets },
    ])
  ),
  users: report.topStaleUsers.map((user) => ({ username: user.username, staleTokens: user.staleTokens })),
});

/** Debian's chromium, headless, with nothing of its own going to the network. */
const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/**
 * Opens a report file in a new page of the browser, checking that it loads with no console error or warning, no
 * uncaught error, and no request but the file itself.
 */
async function openReport(browser: Browser, file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  expect(problems).to.deep.equal([]);
  expect(requests).to.deep.equal([url]);
  return page;
}

// The browser sees the file the plugin wrote; which CLI wrote it doesn't matter, so once is enough.
describe('usage report in a real browser @bin-only', () => {
  const HOSTILE = '<script>document.title=\'pwned\'</script><img src=x onerror="document.title=\'pwned\';document.body.dataset.pwned=1"> | `tick`';
  const SHOTS = join(REPO, 'tmp', 'report-screenshots');
  const state = generateState({ apps: 6, usersPerApp: 15, tokensPerUser: 2, seed: 5 });
  state.apps[0].description = HOSTILE;
  state.apps[1].developerName = 'Partner_<b>Portal</b>';
  const { emulator, scratch } = useEmulator(state);
  let browser: Browser;
  let report: UsageReport;
  let file: string;

  before(async function () {
    this.timeout(120_000);
    file = scratch('report.html');
    const result = await runPlugin<UsageReport>(emulator, [...REPORT, '--output-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    report = result.json!.result;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  it('opens with no console error, no request but the file, figures equal to --json, and hostile values shown as text', async () => {
    const page = await openReport(browser, file);

    expect(await page.evaluate<PageFigures>(readFigures('body'))).to.deep.equal(pageFiguresOf(report));

    // The hostile description is on the page as the text it is, and nothing in it ran or became an element.
    expect(await page.title()).to.match(/^OAuth usage of external client apps/);
    expect(await page.evaluate<string | undefined>('document.body.dataset.pwned')).to.equal(undefined);
    expect(await page.locator('img').count()).to.equal(0);
    expect(await page.locator('script').count()).to.equal(0);
    expect(await page.locator('b', { hasText: 'Portal' }).count()).to.equal(0);
    const hostileApp = emulator.state().apps[0].identifier;
    expect(await page.locator(`tr[data-app="${hostileApp}"] .desc`).textContent()).to.equal(HOSTILE);
    expect(await page.locator('body').innerText()).to.include('Partner_<b>Portal</b>');

    // For a person to look at: the page, its print layout on A4 width, the PDF Chromium prints, and the file itself.
    await page.screenshot({ path: join(SHOTS, 'report-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(SHOTS, 'report-print.png'), fullPage: true });
    await page.pdf({ path: join(SHOTS, 'report.pdf'), format: 'A4', printBackground: true });
    copyFileSync(file, join(SHOTS, 'report.html'));
    await page.close();
  });

  it('fits a narrow window without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).to.equal(0);
    await page.screenshot({ path: join(SHOTS, 'report-420.png'), fullPage: true });
    await page.close();
  });
});

// commands.md §16: inventories of two orgs, saved by `tokens list` (JSON and CSV), make one report with fleet totals.
describe('usage report of several orgs (two emulated orgs)', () => {
  const first = useEmulator(generateState({ apps: 4, usersPerApp: 10, tokensPerUser: 2, seed: 31 }));
  const second = useEmulator(generateState({ apps: 3, usersPerApp: 8, tokensPerUser: 1, seed: 32, orgId: '00D000000000002' }));
  const SECOND_ORG = '00D000000000002EAA';
  let files: { json: string; csv: string };

  // The inventories are files: once is enough, whatever the tests do to the emulators afterwards.
  before(async function () {
    this.timeout(180_000);
    files = { json: first.scratch('first.json'), csv: second.scratch('second.csv') };
    const [a, b] = await Promise.all([
      runPlugin(first.emulator, ['external-client-app', 'usage', 'tokens', 'list', '--output-file', files.json]),
      runPlugin(second.emulator, ['external-client-app', 'usage', 'tokens', 'list', '--output-file', files.csv]),
    ]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
  });

  /** The fleet's totals, from each org's expected figures. */
  const fleetTotals = (at: Date): FleetReport['totals'] => {
    const orgs = [expectedFigures(first.emulator.state(), 90, at).totals, expectedFigures(second.emulator.state(), 90, at).totals];
    const sum = (key: 'apps' | 'users' | 'tokens' | 'neverUsedTokens' | 'staleTokens'): number => orgs[0][key] + orgs[1][key];
    return { apps: sum('apps'), users: sum('users'), tokens: sum('tokens'), neverUsedTokens: sum('neverUsedTokens'), staleTokens: sum('staleTokens'), staleShare: sum('staleTokens') / sum('tokens') };
  };

  it('returns { generatedAt, totals, orgs } with each org\'s own report, and sends no request @smoke', async () => {
    const html = first.scratch('fleet.html');
    const result = await runCli<FleetReport>([...REPORT, '--from-file', files.json, '--from-file', files.csv, '--output-file', html, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(first.emulator.requests()).to.deep.equal([]);
    expect(second.emulator.requests()).to.deep.equal([]);
    const fleet = result.json!.result;
    expect(Object.keys(fleet)).to.deep.equal(['generatedAt', 'totals', 'orgs']);
    expect(fleet.orgs.map((org) => org.orgId)).to.deep.equal([first.emulator.state().org.orgId, SECOND_ORG]);
    expect(SECOND_ORG).to.equal(second.emulator.state().org.orgId);
    for (const org of fleet.orgs) {
      expect(org).to.include({ generatedAt: fleet.generatedAt, instanceUrl: 'unknown', staleDays: 90, outputFile: html });
      expect(Object.keys(org)).to.deep.equal(['generatedAt', 'orgId', 'instanceUrl', 'staleDays', 'outputFile', 'totals', 'apps', 'topStaleUsers']);
    }
    expectFiguresOf(fleet.orgs[0], first.emulator.state(), 90, true);
    expectFiguresOf(fleet.orgs[1], second.emulator.state(), 90, true);
    expect(fleet.totals).to.deep.equal(fleetTotals(new Date(fleet.generatedAt)));
    const page = readFileSync(html, 'utf8');
    expect(page).to.include('data-fleet');
    expect(page).to.include(`data-org="${SECOND_ORG}"`);
  });

  it('prints Markdown with the fleet totals, a line per org and a section per org; the HTML goes to a file named after the fleet', async () => {
    const markdown = await runCli([...REPORT, '--from-file', files.json, '--from-file', files.csv, '-r', 'markdown']);
    expect(markdown.code, markdown.stderr).to.equal(0);
    const totals = fleetTotals(new Date());
    expect(markdown.stdout).to.match(/^## OAuth usage of external client apps\n\n\*\*2 orgs\*\* · /);
    expect(markdown.stdout).to.include(`| ${totals.apps} | ${totals.users} | ${totals.tokens} | ${totals.neverUsedTokens} | ${totals.staleTokens} |`);
    expect(markdown.stdout).to.include(`### Org ${first.emulator.state().org.orgId}\n`);
    expect(markdown.stdout).to.include(`### Org ${SECOND_ORG}\n`);

    const html = await runCli([...REPORT, '--from-file', files.json, '--from-file', files.csv]);
    expect(html.code, html.stderr).to.equal(0);
    const name = `eca-oauth-usage-fleet-${new Date().toISOString().slice(0, 10)}.html`;
    expect(existsSync(join(isolatedHome(), name)), html.stdout).to.equal(true);
    expect(html.stdout).to.match(new RegExp(`Wrote the report of 2 orgs to .*${name}: ${totals.apps} apps, ${totals.tokens} refresh tokens, ${totals.staleTokens} stale`));
  });

  it('merges two files of one org into that org\'s report, the same as from one file', async () => {
    const apps = first.emulator.state().apps;
    const part = (index: number, name: string): Promise<unknown> =>
      runPlugin(first.emulator, ['external-client-app', 'usage', 'tokens', 'list', '--app', apps[index].developerName, '--output-file', first.scratch(name)]);
    await Promise.all([part(0, 'one-app.json'), part(1, 'another-app.json')]);
    const [whole, split] = await Promise.all([
      runCli<UsageReport>([...REPORT, '--from-file', files.json, '-r', 'markdown', '--json']),
      runCli<UsageReport>([...REPORT, '--from-file', first.scratch('one-app.json'), '--from-file', first.scratch('another-app.json'), '-r', 'markdown', '--json']),
    ]);
    expect(split.code, split.stderr).to.equal(0);
    expect(split.json!.result.orgId).to.equal(first.emulator.state().org.orgId);
    expect(Object.keys(split.json!.result)).to.deep.equal(Object.keys(whole.json!.result));
    const twoApps = new Set([apps[0].identifier, apps[1].identifier]);
    expect(byApp(split.json!.result.apps)).to.deep.equal(byApp(whole.json!.result.apps.filter((app) => twoApps.has(app.identifier))));
  });

  it('shows the fleet totals and each org\'s section in Chromium, equal to --json @bin-only', async function () {
    this.timeout(120_000);
    const file = first.scratch('fleet-browser.html');
    const result = await runCli<FleetReport>([...REPORT, '--from-file', files.json, '--from-file', files.csv, '--output-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const fleet = result.json!.result;
    const browser = await launchChromium();
    try {
      const page = await openReport(browser, file);

      const fleetTotalsSeen = await page.evaluate<Record<string, number>>(`Object.fromEntries(${JSON.stringify(TOTALS)}.map((key) =>
        [key, Number(document.querySelector('section[data-fleet] [data-total="' + key + '"]').textContent.replace(/,/g, ''))]))`);
      expect(fleetTotalsSeen).to.deep.equal(Object.fromEntries(TOTALS.map((key) => [key, fleet.totals[key]])));
      const orgRows = await page.evaluate<Array<{ orgId: string; tokens: number; staleTokens: number }>>(`[...document.querySelectorAll('section[data-fleet] tr[data-org]')].map((row) => ({
        orgId: row.querySelector('[data-field="orgId"]').textContent,
        tokens: Number(row.querySelector('[data-field="tokens"]').textContent.replace(/,/g, '')),
        staleTokens: Number(row.querySelector('[data-field="staleTokens"]').textContent.replace(/,/g, '')),
      }))`);
      expect(orgRows).to.deep.equal(fleet.orgs.map((org) => ({ orgId: org.orgId, tokens: org.totals.tokens, staleTokens: org.totals.staleTokens })));
      for (const org of fleet.orgs) {
        // eslint-disable-next-line no-await-in-loop
        expect(await page.evaluate<PageFigures>(readFigures(`section.org[data-org="${org.orgId}"]`)), org.orgId).to.deep.equal(pageFiguresOf(org));
      }
      // Each line of the fleet's table leads to its org's section.
      await page.click(`section[data-fleet] tr[data-org="${SECOND_ORG}"] a`);
      expect(await page.evaluate<string>('location.hash')).to.equal('#org-2');

      const shots = join(REPO, 'tmp', 'report-screenshots');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'fleet-1280.png'), fullPage: true });
      await page.setViewportSize({ width: 420, height: 900 });
      expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).to.equal(0);
      await page.screenshot({ path: join(shots, 'fleet-420.png'), fullPage: true });
      copyFileSync(file, join(shots, 'fleet.html'));
    } finally {
      await browser.close();
    }
  });
});
