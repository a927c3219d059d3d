import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { buildReport, ReportFigures, UNKNOWN, type ReportToken, type UsageReport } from '../../src/usage/report.js';
import { fleetReport, isFleetReport, readInventories, type OrgInventory } from '../../src/usage/reportFiles.js';
import { toCsv } from '../../src/common/csv.js';
import { TOKEN_FIELDS } from '../../src/api/types.js';
import { expectRejection } from './fakeTransport.js';
import { tempDirEachTest } from './tempDir.js';

const DAY = 86_400_000;
const AT = new Date('2026-12-01T12:00:00.000Z');
const ago = (days: number): string => new Date(AT.getTime() - days * DAY).toISOString();
const ORG_A = '00D000000000001AAA';
const ORG_B = '00D0000000000B2';
const ORG_B18 = '00D0000000000B2EAI';

/** A token row as `tokens list` writes it. */
const row = (orgId: string | undefined, n: number, lastUsedAt: string | null, app = 'A', user = `u${n}`): Record<string, unknown> => ({
  tokenId: `T${n}`,
  appIdentifier: `0xI${app}`,
  appDeveloperName: app,
  userIdentifier: `005${user}`,
  username: `${user}@acme.example.com`,
  lastUsedAt,
  ...(orgId === undefined ? {} : { orgId }),
});

const tokenOf = (saved: Record<string, unknown>): ReportToken => ({
  appIdentifier: saved.appIdentifier as string,
  appDeveloperName: saved.appDeveloperName as string,
  userIdentifier: saved.userIdentifier as string,
  username: saved.username as string,
  lastUsedAt: saved.lastUsedAt as string | null,
});

describe('report: saved inventories of several orgs', () => {
  const dir = tempDirEachTest('eca-report-files-');

  /** Writes rows as the JSON array of --output-file, or as the --json envelope. */
  const file = (name: string, rows: Array<Record<string, unknown>>, envelope = false): string => {
    const path = join(dir(), name);
    writeFileSync(path, JSON.stringify(envelope ? { status: 0, result: rows, warnings: [] } : rows));
    return path;
  };
  const read = (paths: string[]): Promise<OrgInventory[]> => readInventories(paths, () => new ReportFigures(AT, 90));
  const reportOf = (org: OrgInventory): UsageReport => org.figures.report({ orgId: org.orgId, instanceUrl: org.instanceUrl, outputFile: null });
  const alone = (rows: Array<Record<string, unknown>>, orgId: string, instanceUrl = UNKNOWN): UsageReport =>
    buildReport({ tokens: rows.map(tokenOf), generatedAt: AT, staleDays: 90, orgId, instanceUrl, outputFile: null });

  it('groups the rows of several files by orgId, in the order the orgs first appear, and adds up the files of one org', async () => {
    const a1 = [row(ORG_A, 1, ago(1)), row(ORG_A, 2, null)];
    const b = [row(ORG_B18, 3, ago(200), 'B'), row(ORG_B18, 4, ago(5), 'B', 'u1')];
    const a2 = [row(ORG_A, 5, ago(100), 'C', 'u1')];
    const orgs = await read([file('a1.json', a1), file('b.json', b, true), file('a2.json', a2)]);
    expect(orgs.map((org) => [org.orgId, org.files.map((path) => path.slice(dir().length + 1))])).to.deep.equal([
      [ORG_A, ['a1.json', 'a2.json']],
      [ORG_B18, ['b.json']],
    ]);
    // Each org's report is the one its rows alone would give: u1 of org A is one user in two files.
    expect(reportOf(orgs[0])).to.deep.equal(alone([...a1, ...a2], ORG_A));
    expect(reportOf(orgs[0]).totals.users).to.equal(2);
    expect(reportOf(orgs[1])).to.deep.equal(alone(b, ORG_B18));
  });

  it('takes a 15-character orgId as the 18-character one, so both name the same org', async () => {
    const orgs = await read([file('short.json', [row(ORG_B, 1, null)]), file('long.json', [row(ORG_B18, 2, null)])]);
    expect(orgs.map((org) => org.orgId)).to.deep.equal([ORG_B18]);
    expect(reportOf(orgs[0]).totals.tokens).to.equal(2);
  });

  it('gives a row without orgId the org the other rows of its file name, else "unknown"', async () => {
    const orgs = await read([
      file('mostly-a.json', [row(ORG_A, 1, null), row(undefined, 2, null), row('', 3, null)]),
      file('nameless.json', [row(undefined, 4, null)]),
      file('mixed.json', [row(ORG_A, 5, null), row(ORG_B18, 6, null), row(undefined, 7, null)]),
    ]);
    const tokens = Object.fromEntries(orgs.map((org) => [org.orgId, reportOf(org).totals.tokens]));
    expect(tokens).to.deep.equal({ [ORG_A]: 4, [UNKNOWN]: 2, [ORG_B18]: 1 });
  });

  it('names an org\'s instance only when every row of the org names the same one', async () => {
    const rowAt = (orgId: string, n: number, instanceUrl?: string): Record<string, unknown> => ({ ...row(orgId, n, null), ...(instanceUrl ? { instanceUrl } : {}) });
    const orgs = await read([
      file('a.json', [rowAt(ORG_A, 1, 'https://a.my.salesforce.com'), rowAt(ORG_A, 2, 'https://a.my.salesforce.com')]),
      file('b.json', [rowAt(ORG_B18, 3, 'https://b.my.salesforce.com'), rowAt(ORG_B18, 4)]),
      file('c.json', [rowAt('00D0000000000C3', 5, 'https://c1'), rowAt('00D0000000000C3', 6, 'https://c2')]),
    ]);
    expect(orgs.map((org) => org.instanceUrl)).to.deep.equal(['https://a.my.salesforce.com', UNKNOWN, UNKNOWN]);
  });

  it('reads a CSV inventory as it reads JSON, and a file given twice once', async () => {
    const rows = [row(ORG_A, 1, ago(3)), row(ORG_A, 2, null)];
    const csv = join(dir(), 'tokens.csv');
    writeFileSync(csv, toCsv(rows.map((each) => ({ ...each, lastUsedAt: each.lastUsedAt ?? '' })), TOKEN_FIELDS));
    // The same file by another name: relative to the working folder.
    const orgs = await read([csv, relative(process.cwd(), csv)]);
    expect(orgs.map((org) => org.orgId)).to.deep.equal([ORG_A]);
    expect(reportOf(orgs[0])).to.deep.equal(alone(rows, ORG_A));
  });

  it('gives one "unknown" org without tokens when no file holds a row', async () => {
    const orgs = await read([file('empty.json', []), file('also-empty.json', [], true)]);
    expect(orgs).to.have.length(1);
    expect(reportOf(orgs[0])).to.deep.include({ orgId: UNKNOWN, instanceUrl: UNKNOWN, apps: [], topStaleUsers: [] });
    expect(orgs[0].files).to.have.length(2);
  });

  it('refuses a row that is no token, naming the file and the item, before any report', async () => {
    const path = file('users.json', [row(ORG_A, 1, null), { appIdentifier: '0xIA', userIdentifier: '005u', orgId: ORG_A }]);
    const error = await expectRejection(read([path]), 'NotATokenRowError');
    expect(error.message).to.include(`In the file "${path}", item 2 (index 1 of the array) is not a refresh token row`);
  });
});

describe('report: the fleet', () => {
  const orgReport = (orgId: string, tokens: ReportToken[]): UsageReport =>
    buildReport({ tokens, generatedAt: AT, staleDays: 90, orgId, instanceUrl: UNKNOWN, outputFile: '/tmp/fleet.html' });

  it('sums the totals of its orgs, with the stale share of the sum, and keeps each org\'s report as it is', () => {
    const a = orgReport(ORG_A, [row(ORG_A, 1, ago(1)), row(ORG_A, 2, null), row(ORG_A, 3, ago(100), 'B')].map(tokenOf));
    const b = orgReport(ORG_B18, [row(ORG_B18, 1, ago(400))].map(tokenOf));
    const fleet = fleetReport([a, b], AT);
    expect(fleet).to.deep.equal({
      generatedAt: AT.toISOString(),
      totals: { apps: 3, users: 4, tokens: 4, neverUsedTokens: 1, staleTokens: 3, staleShare: 0.75 },
      orgs: [a, b],
    });
    expect(isFleetReport(fleet)).to.equal(true);
    expect(isFleetReport(a)).to.equal(false);
  });

  it('has a stale share of 0 when the fleet holds no token', () => {
    expect(fleetReport([orgReport(ORG_A, []), orgReport(ORG_B18, [])], AT).totals).to.deep.equal({
      apps: 0,
      users: 0,
      tokens: 0,
      neverUsedTokens: 0,
      staleTokens: 0,
      staleShare: 0,
    });
  });
});
