import { closeSync, fdatasync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Global, Messages } from '@salesforce/core';
import './pluginMessages.js';
import type { PlannedTarget, RevokeStatus } from './revoke.js';

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

/** Where the log goes: --audit-log, else SF_ECA_AUDIT_LOG, else beside sf's own state. */
export function auditLogPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.SF_ECA_AUDIT_LOG ?? join(Global.SF_DIR, 'external-client-app', 'audit.jsonl'));
}

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

  private constructor(public readonly path: string, private readonly fd: number, private readonly runId: string) {}

  /** The first write or sync error, if any: the report says the log is incomplete from there on. */
  public get error(): Error | undefined {
    return this.failure;
  }

  /** Opens (creating folder and file) before anything is sent: a log that cannot be written stops the run early. */
  public static open(path: string, runId: string): AuditLog {
    try {
      mkdirSync(dirname(path), { recursive: true });
      return new AuditLog(path, openSync(path, 'a', 0o600), runId);
    } catch (error) {
      throw messages.createError('error.AuditLogUnwritable', [path, (error as Error).message]);
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
    const line = `${JSON.stringify({ event, time: new Date().toISOString(), runId: this.runId, ...rest })}\n`;
    try {
      writeSync(this.fd, line);
    } catch (error) {
      this.failure = messages.createError('error.AuditLogWriteFailed', [this.path, (error as Error).message]);
      throw this.failure;
    }
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
