import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { AuditLog, auditLogPath } from '../../src/usage/auditLog.js';
import { tempDirEachTest } from './tempDir.js';

const target = { scope: 'token' as const, tokenId: 'T1', appIdentifier: '0xIHs000000A1b2', appDeveloperName: 'Billing' };
const lines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('audit log', () => {
  const dir = tempDirEachTest('eca-audit-');

  it('appends run-start, sending, result and run-end as JSON lines, event first, creating the folder', async () => {
    const path = join(dir(), 'nested', 'audit.jsonl');
    const log = AuditLog.open(path, 'run-1', { createFolder: true });
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
    const path = join(dir(), 'audit.jsonl');
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
    const path = join(dir(), 'audit.jsonl');
    const log = AuditLog.open(path, 'r');
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.sending({ ...target, tokenId: `T${i}` })));
    await log.runEnd({ counts: {}, exitCode: 0, interrupted: false });
    expect(lines(path)).to.have.length(51);
  });

  it('refuses to open a folder that stands where the file should be, naming the path', () => {
    const path = join(dir(), 'audit.jsonl');
    mkdirSync(path);
    expect(() => AuditLog.open(path, 'r')).to.throw(/Can't open the audit log/).with.property('name', 'AuditLogUnwritableError');
  });

  it('refuses a folder that does not exist unless told to create it (the default log only)', () => {
    const path = join(dir(), 'nosuch', 'audit.jsonl');
    expect(() => AuditLog.open(path, 'r'))
      .to.throw(join(dir(), 'nosuch'))
      .with.property('name', 'NoAuditLogFolderError');
    expect(existsSync(join(dir(), 'nosuch'))).to.equal(false);
  });

  it('refuses a symlink, leaving the file it points to as it was', () => {
    const victim = join(dir(), 'victim.jsonl');
    writeFileSync(victim, 'precious\n');
    const path = join(dir(), 'audit.jsonl');
    symlinkSync(victim, path);
    expect(() => AuditLog.open(path, 'r'))
      .to.throw(path)
      .with.property('name', 'AuditLogSymlinkError');
    expect(readFileSync(victim, 'utf8')).to.equal('precious\n');
  });

  it('creates the log readable by its owner alone, and refuses a log another user owns', async () => {
    const path = join(dir(), 'audit.jsonl');
    await AuditLog.open(path, 'r').runEnd({ counts: {}, exitCode: 0, interrupted: false });
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    const self = process.getuid!();
    const restore = process.getuid;
    // Someone else's file: as root, given away; otherwise this process pretends to be someone else.
    if (self === 0) chownSync(path, 4242, 4242);
    else process.getuid = (): number => self + 1;
    try {
      expect(() => AuditLog.open(path, 'r'))
        .to.throw(path)
        .with.property('name', 'AuditLogNotOwnedError');
    } finally {
      process.getuid = restore;
    }
  });

  it('rejects a record written only in part, and every record after it, without writing more', async () => {
    const path = join(dir(), 'audit.jsonl');
    const calls: number[] = [];
    // Takes 40 bytes of whatever it is given, as a write on a nearly full disk may, without an error.
    const halfWrites = (fd: number, bytes: Uint8Array): number => {
      calls.push(bytes.length);
      return writeSync(fd, bytes, 0, Math.min(40, bytes.length));
    };
    const log = AuditLog.open(path, 'r', { write: halfWrites });
    let error: Error | undefined;
    await log.sending(target).catch((caught: Error) => (error = caught));
    expect(error?.name).to.equal('AuditLogWriteFailedError');
    expect(error?.message).to.include(path).and.match(/only 40 of the record's \d+ bytes/);
    expect(log.error).to.equal(error);
    expect(() => log.result(target, { status: 'revoked' })).to.throw(/Can't write to the audit log/);
    expect(calls).to.have.length(1);
    expect(readFileSync(path, 'utf8')).to.have.length(40);
  });

  it('starts a new line after a record an earlier run left unfinished, so the next record reads alone', async () => {
    const path = join(dir(), 'audit.jsonl');
    appendFileSync(path, '{"event":"sending","time":"2026-01-01T00:00:00.000Z","runId"', { mode: 0o600 });
    const log = AuditLog.open(path, 'next');
    await log.sending(target);
    await log.runEnd({ counts: {}, exitCode: 0, interrupted: false });
    const [broken, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(broken).to.equal('{"event":"sending","time":"2026-01-01T00:00:00.000Z","runId"');
    expect(rest.map((line) => (JSON.parse(line) as { event: string }).event)).to.deep.equal(['sending', 'run-end']);
  });

  it('rejects a sending record it cannot write, and every record after it', async () => {
    const log = AuditLog.open('/dev/full', 'r');
    let error: Error | undefined;
    await log.sending(target).catch((caught: Error) => (error = caught));
    expect(error?.name).to.equal('AuditLogWriteFailedError');
    expect(log.error).to.equal(error);
    expect(() => log.result(target, { status: 'revoked' })).to.throw(/Can't write to the audit log/);
  });

  it('takes --audit-log first, then SF_ECA_AUDIT_LOG, then the file under sf\'s state folder, the only one not chosen', () => {
    expect(auditLogPath('/a/b.jsonl', { SF_ECA_AUDIT_LOG: '/c.jsonl' })).to.deep.equal({ path: '/a/b.jsonl', chosen: true });
    expect(auditLogPath(undefined, { SF_ECA_AUDIT_LOG: '/c.jsonl' })).to.deep.equal({ path: '/c.jsonl', chosen: true });
    const byDefault = auditLogPath(undefined, {});
    expect(byDefault.path).to.match(/\.sf\/external-client-app\/audit\.jsonl$/);
    expect(byDefault.chosen).to.equal(false);
  });
});
