import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AuditLog, auditLogPath } from '../../src/shared/auditLog.js';

const target = { scope: 'token' as const, tokenId: 'T1', appIdentifier: '0xIHs000000A1b2', appDeveloperName: 'Billing' };
const lines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('audit log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eca-audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends run-start, sending, result and run-end as JSON lines, event first, creating the folder', async () => {
    const path = join(dir, 'nested', 'audit.jsonl');
    const log = AuditLog.open(path, 'run-1');
    await log.runStart({ orgId: '00D', instanceUrl: 'https://x', actorUsername: 'admin@acme.example.com', pluginVersion: '0.1.0', selection: { tokenId: ['T1'] }, planned: 1 });
    await log.sending(target);
    log.result(target, { status: 'revoked', httpStatus: 204 });
    await log.runEnd({ counts: { revoked: 1 }, exitCode: 0, interrupted: false });
    const records = lines(path);
    expect(records.map((record) => Object.keys(record)[0])).to.deep.equal(['event', 'event', 'event', 'event']);
    expect(records.map((record) => record.event)).to.deep.equal(['run-start', 'sending', 'result', 'run-end']);
    expect(records.every((record) => record.runId === 'run-1' && typeof record.time === 'string')).to.equal(true);
    expect(records[2]).to.include({ tokenId: 'T1', status: 'revoked', httpStatus: 204 });
  });

  it('only appends: a second run adds to what the first wrote', async () => {
    const path = join(dir, 'audit.jsonl');
    for (const runId of ['a', 'b']) {
      const log = AuditLog.open(path, runId);
      // eslint-disable-next-line no-await-in-loop
      await log.sending(target);
      // eslint-disable-next-line no-await-in-loop
      await log.runEnd({ counts: {}, exitCode: 0, interrupted: false });
    }
    expect(lines(path).map((record) => record.runId)).to.deep.equal(['a', 'a', 'b', 'b']);
  });

  it('shares one sync among many concurrent sending records and resolves every one of them', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, 'r');
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.sending({ ...target, tokenId: `T${i}` })));
    await log.runEnd({ counts: {}, exitCode: 0, interrupted: false });
    expect(lines(path)).to.have.length(51);
  });

  it('refuses to open a folder that stands where the file should be, naming the path', () => {
    const path = join(dir, 'audit.jsonl');
    mkdirSync(path);
    expect(() => AuditLog.open(path, 'r')).to.throw(/Can't open the audit log/).with.property('name', 'AuditLogUnwritableError');
  });

  it('rejects a sending record it cannot write, and every record after it', async () => {
    const log = AuditLog.open('/dev/full', 'r');
    let error: Error | undefined;
    await log.sending(target).catch((caught: Error) => (error = caught));
    expect(error?.name).to.equal('AuditLogWriteFailedError');
    expect(log.error).to.equal(error);
    expect(() => log.result(target, { status: 'revoked' })).to.throw(/Can't write to the audit log/);
  });

  it('takes --audit-log first, then SF_ECA_AUDIT_LOG, then the file under sf\'s state folder', () => {
    expect(auditLogPath('/a/b.jsonl', { SF_ECA_AUDIT_LOG: '/c.jsonl' })).to.equal('/a/b.jsonl');
    expect(auditLogPath(undefined, { SF_ECA_AUDIT_LOG: '/c.jsonl' })).to.equal('/c.jsonl');
    expect(auditLogPath(undefined, {})).to.match(/\.sf\/external-client-app\/audit\.jsonl$/);
  });
});
