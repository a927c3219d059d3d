import { Messages, SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import { describeFailure, isInterrupted, isNotFound, isNotSent, isRequestLimitExceeded, isSessionRefreshRefused } from '../api/errors.js';
import { runPool } from '../common/limiter.js';
import type { UsageClient } from '../api/usageClient.js';
import type { AuditLog, AuditStatus, TargetResult } from './auditLog.js';
import type { PlannedTarget, RevokeOutcome, RevokeTarget } from './targets.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revoke');

/**
 * The `sending` records of a plan, written `lookahead` targets ahead of the DELETEs: a record is on disk before its
 * DELETE goes out, as the audit log's guarantee asks, but a DELETE seldom waits for the disk itself, as its record was
 * synced with those before it (a sync takes 1.5-2.5 ms here, a tenth of a DELETE's round trip). A record written for
 * a target that is then never sent (the run stopped) gets its `not-sent` result like any target never sent.
 */
function sendingRecordsAhead(audit: Pick<AuditLog, 'sending'>, plan: readonly PlannedTarget[], lookahead: number): (index: number) => Promise<void> {
  const pending = new Map<number, Promise<void>>();
  let written = 0;
  return (index) => {
    for (; written < Math.min(plan.length, index + 1 + lookahead); written++) {
      const record = audit.sending(plan[written]);
      // Awaited when its target's turn comes; a run that stops first never asks, and that is no failure of its own.
      record.catch(() => undefined);
      pending.set(written, record);
    }
    const record = pending.get(index) ?? Promise.resolve();
    pending.delete(index);
    return record;
  };
}

export type ExecuteOptions = {
  dryRun: boolean;
  concurrency: number;
  /** Ctrl-C: no new DELETE starts once this is true. */
  stopRequested?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  /** Where each DELETE is recorded: `sending` must be on disk before the DELETE goes out. */
  audit?: Pick<AuditLog, 'sending' | 'result'>;
};

/** Sends one DELETE per planned target (or none for a dry run) and sorts the outcome target by target. */
export async function executePlan(client: UsageClient, plan: readonly PlannedTarget[], options: ExecuteOptions): Promise<RevokeOutcome> {
  if (options.dryRun) {
    return {
      dryRun: true,
      successes: plan.map((target) => ({ ...target, status: 'would-revoke' })),
      failures: [],
      notSent: 0,
      interrupted: false,
      stoppedByLimit: false,
      stoppedBySession: false,
      auditFailed: false,
    };
  }
  const results: Array<RevokeTarget | undefined> = new Array<RevokeTarget | undefined>(plan.length);
  let stoppedByLimit = false;
  let stoppedBySession = false;
  let auditFailed = false;
  let done = 0;
  const stop = (): boolean => stoppedByLimit || stoppedBySession || auditFailed || (options.stopRequested?.() ?? false);
  // A record the log refuses means the log is no longer complete: stop sending, as Ctrl-C does.
  const record = (target: PlannedTarget, result: TargetResult): void => {
    try {
      options.audit?.result(target, result);
    } catch {
      auditFailed = true;
    }
  };
  const recorded = options.audit && sendingRecordsAhead(options.audit, plan, options.concurrency);
  await runPool(
    plan,
    options.concurrency,
    async (target, index) => {
      if (recorded) {
        try {
          await recorded(index);
        } catch {
          auditFailed = true;
          return;
        }
        // Ctrl-C or another lane's stop may have come while the record was being synced.
        if (stop()) return;
      }
      let result: RevokeTarget;
      let status: number | undefined;
      try {
        await revokeOne(client, target);
        result = { ...target, status: 'revoked' };
      } catch (error) {
        // Never sent (Ctrl-C, or the run already stopped on the API limit): reported below as NOT_SENT.
        if (isInterrupted(error) || isNotSent(error)) return;
        status = httpStatusOf(error);
        if (isNotFound(error)) {
          result = { ...target, status: 'not-found', message: messages.getMessage('status.notFound') };
          status ??= 404;
        } else {
          if (isRequestLimitExceeded(error)) stoppedByLimit = true;
          if (isSessionRefreshRefused(error)) stoppedBySession = true;
          result = { ...target, status: 'failed', ...describeFailure(error) };
        }
      }
      results[index] = result;
      record(target, { status: auditStatus(result), httpStatus: status, errorCode: result.errorCode, message: result.message });
      options.onProgress?.(++done, plan.length);
    },
    stop
  );
  const interrupted = !stoppedByLimit && !stoppedBySession && !auditFailed && (options.stopRequested?.() ?? false);
  // Every planned target is reported exactly once: one never sent is a failure that says why, so the report always
  // matches what the org still holds.
  const notSentReason = auditFailed
    ? 'status.notSentAuditLog'
    : stoppedByLimit
    ? 'status.notSentLimit'
    : stoppedBySession
    ? 'status.notSentSession'
    : 'status.notSentInterrupted';
  const finished = plan.map((target, index): RevokeTarget => {
    const result = results[index];
    if (result) return result;
    const notSent: RevokeTarget = { ...target, status: 'failed', errorCode: 'NOT_SENT', message: messages.getMessage(notSentReason) };
    record(target, { status: 'not-sent', errorCode: notSent.errorCode, message: notSent.message });
    return notSent;
  });
  return {
    dryRun: false,
    successes: finished.filter((result) => result.status !== 'failed'),
    failures: finished.filter((result) => result.status === 'failed'),
    notSent: plan.filter((_, index) => results[index] === undefined).length,
    interrupted,
    stoppedByLimit,
    stoppedBySession,
    auditFailed,
  };
}

/** How the audit log counts a reported target: one never sent is `not-sent`, not `failed`. */
export const auditStatus = (target: RevokeTarget): AuditStatus =>
  target.errorCode === 'NOT_SENT' ? 'not-sent' : (target.status as AuditStatus);

/** Counts per audit status, for the run-end record. */
export function auditCounts(targets: readonly RevokeTarget[]): Partial<Record<AuditStatus, number>> {
  const counts: Partial<Record<AuditStatus, number>> = {};
  for (const target of targets) counts[auditStatus(target)] = (counts[auditStatus(target)] ?? 0) + 1;
  return counts;
}

function httpStatusOf(error: unknown): number | undefined {
  const status = error instanceof SfError ? (error.data as { status?: unknown } | undefined)?.status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * 130 after Ctrl-C; otherwise 0 when nothing failed, 68 when some targets succeeded and some failed, and 1 when every
 * target failed. An empty plan (no token matched) is a success: there was nothing to revoke.
 */
export function revokeExitCode(outcome: Pick<RevokeOutcome, 'successes' | 'failures' | 'interrupted'>): number {
  if (outcome.interrupted) return 130;
  if (outcome.failures.length === 0) return 0;
  return outcome.successes.length > 0 ? 68 : 1;
}

async function revokeOne(client: UsageClient, target: PlannedTarget): Promise<void> {
  if (target.scope === 'token') return client.revokeToken(target.tokenId!);
  if (target.scope === 'user') return client.revokeUserTokens(target.appIdentifier!, target.userIdentifier!);
  return client.revokeAppTokens(target.appIdentifier!);
}
