import { expect } from 'chai';
import sinon from 'sinon';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import { printRows, tableOf, USE_COLUMNS, type Column } from '../../src/ux/output.js';
import { jsonArrayText } from '../../src/ux/outputFile.js';
import type { UsageRowBase } from '../../src/api/types.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

const row = (lastUsedAt: string | null | undefined, initialConnectionAt: string | null = '2025-06-01T12:00:59.999Z'): UsageRowBase => ({
  orgId: '00D000000000001EAA',
  appIdentifier: '0xIHs0000000001',
  appDeveloperName: 'App_1',
  userIdentifier: '005Hs00000000AAAAA',
  username: 'jane@acme.example.com',
  initialConnectionAt,
  ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
  useCount: 3,
});

const COLUMNS: Array<Column<UsageRowBase>> = [{ key: 'username', name: 'Username' }, ...USE_COLUMNS];

describe('output: the tables a person reads', () => {
  it('shows timestamps to the minute in UTC, cut and not rounded, whatever offset the API used', () => {
    const { data } = tableOf([row('2026-02-19T23:59:59.999Z'), row('2026-02-20T01:30:00.000+02:00')], COLUMNS, NOW);
    expect(data.map((shown) => shown.initialConnectionAt)).to.deep.equal(['2025-06-01 12:00 UTC', '2025-06-01 12:00 UTC']);
    expect(data.map((shown) => shown.lastUsedAt)).to.deep.equal(['2026-02-19 23:59 UTC', '2026-02-19 23:30 UTC']);
  });

  it('adds Idle Days after Last Used: whole days since the last use, as --unused-days counts them', () => {
    const rows = [row(new Date(NOW.getTime() - 90 * DAY).toISOString()), row(new Date(NOW.getTime() - 90 * DAY + 1).toISOString()), row(NOW.toISOString())];
    const table = tableOf(rows, COLUMNS, NOW);
    expect(table.columns.map(({ name }) => name)).to.deep.equal(['Username', 'First Used', 'Last Used', 'Idle Days', 'Use Count']);
    expect(table.data.map((shown) => shown.idleDays)).to.deep.equal([90, 89, 0]);
  });

  it('shows "never" under Last Used and no Idle Days for a row never used (null or missing)', () => {
    const { data } = tableOf([row(null), row(undefined), row('2026-02-28T12:00:00.000Z')], COLUMNS, NOW);
    expect(data.map((shown) => [shown.lastUsedAt, shown.idleDays])).to.deep.equal([
      ['never', ''],
      ['never', ''],
      ['2026-02-28 12:00 UTC', 1],
    ]);
  });

  it('leaves out a column no row fills, and keeps one that a single row fills, even with 0', () => {
    const neverUsed = tableOf([row(null, null), row(null, null)], COLUMNS, NOW);
    expect(neverUsed.columns.map(({ key }) => key)).to.deep.equal(['username', 'lastUsedAt', 'useCount']);
    const targets = [
      { scope: 'user', username: 'a@x.com', tokenId: undefined, tokenCount: 0, message: '' },
      { scope: 'user', username: 'b@x.com', tokenId: undefined, tokenCount: undefined, message: undefined },
    ];
    const columns: Array<Column<(typeof targets)[number]>> = [
      { key: 'scope', name: 'Scope' },
      { key: 'username', name: 'User' },
      { key: 'tokenId', name: 'Token ID' },
      { key: 'tokenCount', name: 'Tokens' },
      { key: 'message', name: 'Message' },
    ];
    expect(tableOf(targets, columns, NOW).columns.map(({ name }) => name)).to.deep.equal(['Scope', 'User', 'Tokens']);
  });

  it('shows a timestamp that is no API date-time as it came, without control sequences, and no Idle Days for it', () => {
    const { data } = tableOf([row('yesterday\u001b[2J')], COLUMNS, NOW);
    expect([data[0].lastUsedAt, data[0].idleDays]).to.deep.equal(['yesterday', '']);
  });
});

describe('output: rows for programs', () => {
  const fakeCommand = (json: boolean): { command: SfCommand<unknown>; table: sinon.SinonSpy } => {
    const table = sinon.spy();
    return { command: { jsonEnabled: () => json, table } as unknown as SfCommand<unknown>, table };
  };
  let write: sinon.SinonStub;
  beforeEach(() => {
    write = sinon.stub(process.stdout, 'write');
  });
  afterEach(() => write.restore());
  const printed = (): string => write.getCalls().map((call) => String(call.args[0])).join('');

  it('-r json prints the rows as they are, as the JSON array of an output file: no table, no formatting', () => {
    const rows = [row('2026-02-19T23:59:59.999Z'), row(null)];
    const { command, table } = fakeCommand(false);
    printRows(command, rows, { format: 'json', columns: COLUMNS });
    write.restore();
    expect(printed()).to.equal(jsonArrayText(rows));
    expect(JSON.parse(printed())).to.deep.equal(rows);
    expect(table.called).to.equal(false);
  });

  it('-r json prints an empty array for no rows, and nothing under --json', () => {
    printRows(fakeCommand(false).command, [], { format: 'json', columns: COLUMNS });
    printRows(fakeCommand(true).command, [row(null)], { format: 'json', columns: COLUMNS });
    write.restore();
    expect(printed()).to.equal('[]\n');
  });
});
