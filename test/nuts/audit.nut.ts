import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { isolatedHome, runPlugin, signalWhen, usageRequests, useEmulator } from './runPlugin.js';

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const seed = (): EmulatorState => generateState({ apps: 2, usersPerApp: 30, tokensPerUser: 2, seed: 17 });
type AuditRecord = { event: string; runId: string; tokenId?: string; status?: string; counts?: Record<string, number> };
const readLog = (path: string): AuditRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

describe('audit log of revocations (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());
  /** Each test's own folder, for audit logs and token files of the same names. */
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(scratch('test-'));
  });

  /** A --from-file list of the first N tokens, so a revoke has many DELETEs to send. */
  const tokenFile = (count: number, offset = 0): { file: string; ids: string[] } => {
    const ids = emulator.state().tokens.slice(offset, offset + count).map((token) => token.tokenId);
    const file = join(dir, `tokens-${offset}.csv`);
    writeFileSync(file, ['tokenId', ...ids].join('\n'));
    return { file, ids };
  };

  it('records run-start, one sending and one result per token, and run-end, in sf\'s state folder by default @smoke', async () => {
    const { file, ids } = tokenFile(3);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '-p', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const path = join(isolatedHome(), '.sf', 'external-client-app', 'audit.jsonl');
    const records = readLog(path);
    const events = records.map((record) => record.event);
    // The org was given as an access token: run-start names the org by id and the selection by its flags, never the token.
    expect(readFileSync(path, 'utf8')).not.to.include(emulator.accessToken);
    expect(records[0]).to.deep.include({ instanceUrl: emulator.url, selection: { 'from-file': file }, planned: 3 });
    expect(records[0]).to.have.property('orgId').that.is.a('string').and.not.empty;
    expect(records[0]).to.have.property('pluginVersion').that.is.a('string').and.not.empty;
    expect([events[0], events.at(-1)]).to.deep.equal(['run-start', 'run-end']);
    for (const id of ids) {
      const own = records.filter((record) => record.tokenId === id);
      expect(own.map((record) => [record.event, record.status])).to.deep.equal([['sending', undefined], ['result', 'revoked']]);
    }
    expect(records.at(-1)?.counts).to.deep.include({ revoked: 3 });
  });

  it('after kill -9 mid-run: every token the org lost has a sending record, and every revoked record is a lost token', async () => {
    const { file, ids } = tokenFile(100);
    const log = join(dir, 'audit.jsonl');
    emulator.setLatency(150);
    const kill = signalWhen(() => usageRequests(emulator, 'DELETE').length >= 10, 'SIGKILL');
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', log, '--concurrency', '4'], { onSpawn: kill.onSpawn });
    expect(kill.sent()).to.equal(true);
    expect(result.signal).to.equal('SIGKILL');
    // Answers the killed process never read still change the org: wait for the emulator to finish them.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const left = new Set(emulator.state().tokens.map((token) => token.tokenId));
    const lost = ids.filter((id) => !left.has(id));
    const records = readLog(log);
    const sending = new Set(records.filter((record) => record.event === 'sending').map((record) => record.tokenId));
    const revoked = records.filter((record) => record.event === 'result' && record.status === 'revoked').map((record) => record.tokenId!);
    expect(lost.length).to.be.greaterThan(0);
    expect(lost.length).to.be.lessThan(ids.length);
    expect(lost.filter((id) => !sending.has(id))).to.deep.equal([]);
    expect(revoked.filter((id) => left.has(id))).to.deep.equal([]);
    expect(records.some((record) => record.event === 'run-end')).to.equal(false);
  });

  it('keeps every line whole when two revokes write to the same log at once', async () => {
    const first = tokenFile(30, 0);
    const second = tokenFile(30, 30);
    const log = join(dir, 'audit.jsonl');
    emulator.setLatency(20);
    const runs = await Promise.all(
      [first, second].map(({ file }) => runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', log]))
    );
    expect(runs.map((run) => run.code)).to.deep.equal([0, 0]);
    const records = readLog(log); // throws on a broken line
    const runIds = [...new Set(records.map((record) => record.runId))];
    expect(runIds).to.have.length(2);
    for (const runId of runIds) {
      const events = records.filter((record) => record.runId === runId).map((record) => record.event);
      expect(events.filter((event) => event === 'sending')).to.have.length(30);
      expect(events[0]).to.equal('run-start');
      expect(events.at(-1)).to.equal('run-end');
    }
  });

  it('sends nothing when the log cannot be opened, and says which file', async () => {
    const { file } = tokenFile(2);
    const log = join(dir, 'audit.jsonl');
    mkdirSync(log);
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', log]);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('AuditLogUnwritableError');
    expect(result.json?.message).to.include(log);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses a folder the user named that does not exist, by flag or environment, and sends nothing', async () => {
    const { file } = tokenFile(2);
    const app = emulator.state().apps[0].developerName;
    const missing = join(dir, 'nosuch');
    const runs = [
      await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', join(missing, 'a.jsonl')]),
      await runPlugin(emulator, [...REVOKE, '--app', app, '--all-users', '-p', '--json'], { env: { SF_ECA_AUDIT_LOG: join(missing, 'b.jsonl') } }),
    ];
    for (const result of runs) {
      expect(result.code, result.stderr).to.equal(1);
      expect(result.json?.name).to.equal('NoAuditLogFolderError');
      expect(result.json?.message).to.include(missing);
    }
    expect(existsSync(missing)).to.equal(false);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses an audit log that is a symlink, leaving the file it points to as it was, and sends nothing', async () => {
    const { file } = tokenFile(2);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const log = join(dir, 'audit.jsonl');
    symlinkSync(victim, log);
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', log]);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('AuditLogSymlinkError');
    expect(result.json?.message).to.include(log);
    expect(readFileSync(victim, 'utf8')).to.equal('precious\n');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  // Linux's /dev/full opens and then refuses every write with ENOSPC, as a full disk does.
  it('sends nothing when the log opens but cannot be written (a full disk)', async () => {
    const { file } = tokenFile(2);
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--json', '--audit-log', '/dev/full']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('AuditLogWriteFailedError');
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(seed().tokens.length);
  });

  it('writes nothing on a dry run', async () => {
    const { file } = tokenFile(2);
    const log = join(dir, 'audit.jsonl');
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json'], { env: { SF_ECA_AUDIT_LOG: log } });
    expect(result.code, result.stderr).to.equal(0);
    expect(existsSync(log)).to.equal(false);
  });
});
