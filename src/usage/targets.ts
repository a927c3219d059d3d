/*
 * What a revoke works on: the targets of a plan (a token, a user's tokens in an app, an app's tokens), each with its
 * status once the run sent it, and the outcome of a run. Planning, the audit log, execution and the summaries share
 * these shapes, so they live apart from all of them.
 */

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
