import { closeSync, constants, fdatasync, fstatSync, lstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Global, Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { PlannedTarget, RevokeStatus } from './targets.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'audit');

export type AuditStatus = Exclude<RevokeStatus, 'would-revoke'> | 'not-sent';

export type RunStart = {
  runId: string;
  orgId: string;
  instanceUrl: string;
  /** The username sf is logged in as: always there. */
  actorUsername: string;
  /** That user's 18-character id, when the saved login or the org says it. */
  actorUserId?: string;
  pluginVersion: string;
  selection: Record<string, unknown>;
  planned: number;
};
export type TargetResult = { status: AuditStatus; httpStatus?: number; errorCode?: string; message?: string };
export type RunEnd = { counts: Partial<Record<AuditStatus, number>>; exitCode: number; interrupted: boolean };

export type AuditLogLocation = {
  path: string;
  /** Named by the user (--audit-log or SF_ECA_AUDIT_LOG): its folder must exist, as a typo must not make folders. */
  chosen: boolean;
};

/** Where the log goes: --audit-log, else SF_ECA_AUDIT_LOG, else beside sf's own state. */
export function auditLogPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): AuditLogLocation {
  const chosen = flag ?? env.SF_ECA_AUDIT_LOG;
  return { path: resolve(chosen ?? join(Global.SF_DIR, 'external-client-app', 'audit.jsonl')), chosen: chosen !== undefined };
}

/** Writes bytes to a file descriptor, as fs.writeSync does: tests give one that writes less. */
export type WriteBytes = (fd: number, bytes: Uint8Array) => number;

export type AuditLogOptions = {
  /** Makes the log's folder when it is missing: for the default log only. */
  createFolder?: boolean;
  write?: WriteBytes;
};

/** Appends, creating the file if need be, but never through a symlink (someone could point it at another file). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

// An append-only JSON Lines log of revocations that survives `kill -9`.
// Each record is one write() of one whole line to a file opened with O_APPEND: two runs at once interleave whole
// lines, never pieces of them. `sending` resolves only once its line is on disk (fdatasync), so every DELETE that
// reached the org has a record. Concurrent callers share one fdatasync (group commit): a bulk revoke pays for a sync
// per batch of DELETEs, not per token.
export class AuditLog {
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private failure: Error | undefined;

  private constructor(
    public readonly path: string,
    private readonly fd: number,
    private readonly runId: string,
    private readonly write: WriteBytes,
    /** The file ends inside a line that an earlier run could not finish: this run's first record starts a new one. */
    private endLineFirst: boolean
  ) {}

  /** The first write or sync error, if any: the report says the log is incomplete from there on. */
  public get error(): Error | undefined {
    return this.failure;
  }

  /** Opens (creating the file) before anything is sent: a log that cannot be written stops the run early. */
  public static open(path: string, runId: string, { createFolder = false, write = writeSync }: AuditLogOptions = {}): AuditLog {
    const folder = dirname(path);
    if (!createFolder && !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw messages.createError('error.NoAuditLogFolder', [folder, path]);
    }
    let fd: number;
    try {
      if (createFolder) mkdirSync(folder, { recursive: true });
      fd = openSync(path, APPEND, 0o600);
    } catch (error) {
      if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) throw messages.createError('error.AuditLogSymlink', [path]);
      throw messages.createError('error.AuditLogUnwritable', [path, (error as Error).message]);
    }
    try {
      // A log someone else owns is theirs to read and rewrite: it can't vouch for this run. Root's files are exempt
      // (root can rewrite any file anyway), which keeps devices such as /dev/full usable.
      const owner = fstatSync(fd).uid;
      const self = process.getuid?.();
      if (self !== undefined && owner !== self && owner !== 0) throw messages.createError('error.AuditLogNotOwned', [path, owner]);
      return new AuditLog(path, fd, runId, write, endsInsideLine(path));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  public async runStart(record: Omit<RunStart, 'runId'>): Promise<void> {
    return this.durable(this.append({ event: 'run-start', ...record }));
  }

  /** Before the DELETE of `target` is sent; rejects when the log can't be written, and then nothing may be sent. */
  public async sending(target: PlannedTarget): Promise<void> {
    return this.durable(this.append({ event: 'sending', ...target }));
  }

  public result(target: PlannedTarget, result: TargetResult): void {
    this.append({ event: 'result', ...target, ...result });
  }

  /** Writes the last record and closes the file; a failure here is reported, the revocations already happened. */
  public async runEnd(record: RunEnd): Promise<void> {
    try {
      await this.durable(this.append({ event: 'run-end', ...record }));
    } finally {
      closeSync(this.fd);
    }
  }

  private append(record: { event: string } & Record<string, unknown>): number {
    if (this.failure) throw this.failure;
    const { event, ...rest } = record;
    const line = `${this.endLineFirst ? '\n' : ''}${JSON.stringify({ event, time: new Date().toISOString(), runId: this.runId, ...rest })}\n`;
    const bytes = Buffer.from(line);
    // One write a record, never continued by a second: with O_APPEND a second write could land after another run's
    // line. A record written in part is a failure, so nothing more is sent.
    let written: number;
    try {
      written = this.write(this.fd, bytes);
    } catch (error) {
      this.failure = messages.createError('error.AuditLogWriteFailed', [this.path, (error as Error).message]);
      throw this.failure;
    }
    if (written !== bytes.length) {
      this.failure = messages.createError('error.AuditLogWriteFailed', [this.path, messages.getMessage('reason.ShortWrite', [written, bytes.length])]);
      throw this.failure;
    }
    this.endLineFirst = false;
    return ++this.written;
  }

  private async durable(sequence: number): Promise<void> {
    while (this.synced < sequence) {
      this.syncing ??= this.sync();
      // eslint-disable-next-line no-await-in-loop
      await this.syncing;
    }
  }

  private async sync(): Promise<void> {
    const upTo = this.written;
    try {
      await new Promise<void>((done, fail) => fdatasync(this.fd, (error) => (error ? fail(error) : done())));
      this.synced = Math.max(this.synced, upTo);
    } catch (error) {
      this.failure ??= messages.createError('error.AuditLogWriteFailed', [this.path, (error as Error).message]);
      throw this.failure;
    } finally {
      this.syncing = undefined;
    }
  }
}

/**
 * Whether a regular file ends without a line break: a record an earlier run wrote only in part (a full disk). Read
 * through a second, read-only descriptor, as the log may be one that users may append to and not read: then, and
 * for devices, false.
 */
function endsInsideLine(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size === 0) return false;
    const last = Buffer.alloc(1);
    return readSync(fd, last, 0, 1, stats.size - 1) === 1 && last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
