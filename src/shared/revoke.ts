import { Messages, SfError } from '@salesforce/core';
import './pluginMessages.js';
import type { AuditLog, AuditStatus, TargetResult } from './auditLog.js';
import { csvValue } from './csv.js';
import { atFileRow, type FileRow, readTokenListFile } from './fileRows.js';
import { describeFailure, isInterrupted, isNotFound, isNotSent, isRequestLimitExceeded, isSessionRefreshRefused } from './errors.js';
import { matchingUsers, tokenInventory, userHoldings, withUserCounts, type InventoryOptions, type UserHolding } from './inventory.js';
import { runPool } from './limiter.js';
import { resolveApps } from './resolve.js';
import type { Selection } from './selection.js';
import type { AppUsage, TokenUsage, UsageRowBase } from './types.js';
import { DEFAULT_PAGE_SIZE, type UsageClient } from './usageClient.js';
import { sameSalesforceId } from './salesforceId.js';
import { assertSalesforceId, printable, tokenIdFrom, userOfRevocationUrl } from './usagePaths.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revoke');

export type RevokeStatus = 'revoked' | 'would-revoke' | 'not-found' | 'failed';

export type RevokeTarget = {
  scope: 'token' | 'user' | 'app';
  appIdentifier?: string;
  appDeveloperName?: string;
  userIdentifier?: string;
  username?: string;
  tokenId?: string;
  /** For a user-level target: how many tokens the user held in the app when the plan read them, where it did. */
  tokenCount?: number;
  status: RevokeStatus;
  errorCode?: string;
  message?: string;
};

/** A target before it runs: what the dry run shows and the prompt counts. */
export type PlannedTarget = Omit<RevokeTarget, 'status' | 'errorCode' | 'message'>;

export type RevokeOutcome = {
  dryRun: boolean;
  successes: RevokeTarget[];
  failures: RevokeTarget[];
  /** How many of the failures were never sent because the run stopped (Ctrl-C, REQUEST_LIMIT_EXCEEDED, login, audit log). */
  notSent: number;
  interrupted: boolean;
  stoppedByLimit: boolean;
  /** The org refused to renew the session: the login is gone, so the run stopped sending. */
  stoppedBySession: boolean;
  /** The audit log could not be written, so the run stopped sending. */
  auditFailed: boolean;
};

export const planTokens = (tokens: ReadonlyArray<Partial<TokenUsage> & { tokenId: string }>): PlannedTarget[] =>
  dedupe(
    tokens.map((token) =>
      clean({
        scope: 'token',
        tokenId: token.tokenId,
        appIdentifier: token.appIdentifier,
        appDeveloperName: token.appDeveloperName,
        userIdentifier: token.userIdentifier,
        username: token.username,
      })
    )
  );

/** One user-level target per (app, user) of these rows (user rows, or the token rows of the users who hold tokens). */
export const planUsers = (rows: readonly UsageRowBase[]): PlannedTarget[] =>
  dedupe(
    rows.map((row) =>
      clean({
        scope: 'user',
        appIdentifier: row.appIdentifier,
        appDeveloperName: row.appDeveloperName,
        userIdentifier: row.userIdentifier,
        username: row.username,
      })
    )
  );

/**
 * One user-level target per (app, user) that holds tokens, built from the pair the plan asked about (never from ids in
 * the rows the org answered), with how many tokens it holds.
 */
export const planHoldings = (holdings: readonly UserHolding[]): PlannedTarget[] =>
  holdings.map(({ app, userIdentifier, username, tokens }) =>
    clean({ scope: 'user', appIdentifier: app.identifier, appDeveloperName: app.developerName, userIdentifier, username, tokenCount: tokens })
  );

export const planApp = (app: AppUsage): PlannedTarget[] => [
  { scope: 'app', appIdentifier: app.identifier, appDeveloperName: app.developerName },
];

/**
 * Token ids typed with --token-id: ids or whole revocation URLs, validated before anything is sent. An id copied from
 * the plugin's own CSV may carry its formula guard (`'-VM9…`): it is taken off as --from-file takes it off.
 */
export const planTokenIds = (values: readonly string[]): PlannedTarget[] =>
  planTokens(values.map((value) => ({ tokenId: tokenIdFrom(csvValue(value.trim())) })));

/**
 * The targets of a `tokens list` file (one token-level DELETE per row) or of a `users list` file (one user-level DELETE
 * per row), every row validated before anything is sent. A row is a token row when it has a tokenId field or a token's
 * revocation URL, and a user row when it has neither but an app and a user (a user-level revocation URL, or the
 * appIdentifier and userIdentifier fields). A file holding both kinds is refused: a user row revokes far more than a
 * token row, so one slipped into a reviewed token list must not pass unnoticed.
 */
export async function planFromFile(path: string): Promise<PlannedTarget[]> {
  // A list without rows is what `tokens list` writes when nothing matched (a CSV header, an empty result): nothing to
  // revoke, so a scheduled review-then-revoke job succeeds. readTokenListFile refuses a blank file, which is no list.
  const rows = await readTokenListFile(path);
  const planned = rows.map((fileRow) => {
    let target: FileTarget;
    try {
      target = fileRowTarget(fileRow);
    } catch (error) {
      throw atFileRow(error, path, fileRow.where);
    }
    if (target.kind === undefined) throw messages.createError('error.FileRowWithoutToken', [path, fileRow.where]);
    return { where: fileRow.where, ...target };
  });
  const firstToken = planned.find((row) => row.kind === 'token');
  const firstUser = planned.find((row) => row.kind === 'user');
  if (firstToken && firstUser) throw messages.createError('error.FileMixesTokensAndUsers', [path, firstToken.where, firstUser.where]);
  const fields = planned.map((row) => row.fields);
  return firstUser ? planUsers(fields) : planTokens(fields as Array<UsageRowBase & { tokenId: string }>);
}

type FileTarget = { kind?: 'token' | 'user'; fields: UsageRowBase & { tokenId?: string } };

function fileRowTarget({ row }: FileRow): FileTarget {
  const url = stringField(row.revocationUrl);
  const userOfUrl = url === undefined || 'tokenId' in row ? undefined : userOfRevocationUrl(url);
  const fields = {
    appIdentifier: stringField(row.appIdentifier),
    appDeveloperName: stringField(row.appDeveloperName),
    userIdentifier: stringField(row.userIdentifier),
    username: stringField(row.username),
  };
  if ('tokenId' in row || (url !== undefined && userOfUrl === undefined)) {
    const source = stringField(row.tokenId) ?? url;
    return source === undefined ? { fields: fields as UsageRowBase } : { kind: 'token', fields: { ...fields, tokenId: tokenIdFrom(source) } as FileTarget['fields'] };
  }
  const appIdentifier = fields.appIdentifier ?? userOfUrl?.appIdentifier;
  const userIdentifier = fields.userIdentifier ?? userOfUrl?.userIdentifier;
  if (appIdentifier === undefined || userIdentifier === undefined) return { fields: fields as UsageRowBase };
  // A hand-edited row whose ids and URL name different users: which one the reviewer meant can't be known.
  if (userOfUrl && !(sameSalesforceId(userOfUrl.appIdentifier, appIdentifier) && sameSalesforceId(userOfUrl.userIdentifier, userIdentifier))) {
    throw messages.createError('error.UserRowMismatch', [printable(url!)]);
  }
  return {
    kind: 'user',
    fields: { ...fields, appIdentifier: assertSalesforceId(appIdentifier, 'app'), userIdentifier: assertSalesforceId(userIdentifier, 'user') } as UsageRowBase,
  };
}

/** How a plan is read: the inventory's concurrency and hooks (progress, API budget, what it leaves out). */
export type PlanOptions = Pick<InventoryOptions, 'concurrency' | 'onProgress' | 'beforeTokenLists' | 'onUnlistedApp' | 'onForeignRows'>;

/** Turns the selection into the exact list of DELETEs to send: the plan that --dry-run shows and the prompt counts. */
export async function planSelection(client: UsageClient, selection: Selection, options: PlanOptions): Promise<PlannedTarget[]> {
  switch (selection.kind) {
    case 'tokenIds':
    case 'file':
      return (await planOffline(selection))!;
    case 'app':
      return resolveApps([selection.app], await client.listApps(), options.onUnlistedApp).flatMap(planApp);
    case 'users':
      // The users' token lists say in which apps they hold tokens: no DELETE goes to an app where they hold none.
      return planHoldings(await userHoldings(client, { ...options, apps: selection.apps, users: selection.users, criteria: {} }));
    case 'filter':
      return planTokens(await tokenInventory(client, { ...options, apps: selection.apps, users: selection.users, criteria: selection.criteria }));
    case 'byUser':
      return planUsers(await matchingUsers(client, { ...options, apps: selection.apps, criteria: selection.criteria }));
  }
}

/** The plan of a selection that needs nothing from the org (token ids, a file), so it is checked before connecting. */
export async function planOffline(selection: Selection): Promise<PlannedTarget[] | undefined> {
  if (selection.kind === 'tokenIds') return planTokenIds(selection.tokenIds);
  if (selection.kind === 'file') return planFromFile(selection.path);
  return undefined;
}

/**
 * The users of the apps a plan revokes whole. The API has no count of its own, so this reads their user lists: only to
 * show a person what an app-level revoke cuts off, never for a run nobody reviews.
 */
export async function usersOfWholeApps(client: UsageClient, plan: readonly PlannedTarget[], concurrency: number): Promise<number> {
  const apps = plan
    .filter((target) => target.scope === 'app')
    .map((target) => ({ identifier: target.appIdentifier!, developerName: target.appDeveloperName ?? target.appIdentifier! }));
  const counted = await withUserCounts(client, apps, DEFAULT_PAGE_SIZE, concurrency);
  return counted.reduce((sum, app) => sum + (app.userCount ?? 0), 0);
}

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

const stringField = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function clean(target: PlannedTarget): PlannedTarget {
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined)) as PlannedTarget;
}

/** A token or user named twice is revoked once. */
function dedupe(targets: PlannedTarget[]): PlannedTarget[] {
  const seen = new Map<string, PlannedTarget>();
  for (const target of targets) {
    const key =
      target.scope === 'token' ? `token:${target.tokenId ?? ''}` : `${target.scope}:${target.appIdentifier ?? ''}:${target.userIdentifier ?? ''}`;
    if (!seen.has(key)) seen.set(key, target);
  }
  return [...seen.values()];
}
