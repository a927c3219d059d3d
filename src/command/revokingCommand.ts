import { randomUUID } from 'node:crypto';
import { Messages, OrgConfigProperties, type Org } from '@salesforce/core';
import '../common/pluginMessages.js';
import { OrgUsers } from '../api/orgUsers.js';
import { id18, isSalesforceId } from '../api/salesforceId.js';
import type { UsageClient } from '../api/usageClient.js';
import { AuditLog, auditLogPath, type RunStart } from '../usage/auditLog.js';
import { auditCounts, executePlan, revokeExitCode } from '../usage/execute.js';
import { usersOfWholeApps } from '../usage/plan.js';
import type { PlannedTarget, RevokeOutcome, RevokeTarget } from '../usage/targets.js';
import { printRows } from '../ux/output.js';
import { orgName } from '../ux/orgName.js';
import { startProgress } from '../ux/progress.js';
import { confirmQuestion, describeNotFound, describePlan, summaryLines, tableRows } from '../ux/revokeSummary.js';
import { exitInterrupted, isPromptClosed, whileHandlingSignals, writeInterruptLine } from '../ux/signals.js';
import { UsageCommand } from './usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revocation');
const sharedMessages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/** What a revoking command reports in its `--json` result: `tokens revoke`'s result, and `usage check`'s `fix`. */
export type RevocationResult = Pick<RevokeOutcome, 'dryRun' | 'successes' | 'failures'>;

/** How a run revokes, decided from the command line before anything is read (see revocationMode). */
export type RevocationMode = { dryRun: boolean; mustAsk: boolean };

type RawToken = { type: string; flag?: string; input?: string };

/** A plan on its way to the org: what it costs, where it is logged, and what the audit log says chose it. */
export type RevocationRun = {
  org: Org;
  client: UsageClient;
  plan: PlannedTarget[];
  /** Token lists read to find the plan: part of what the run costs the org, for --api-budget. */
  tokenLists: number;
  mode: RevocationMode;
  audit: AuditLog | undefined;
  flags: { concurrency: number; 'api-budget': number };
  /** The flags that chose the targets, as given, for the audit log's run-start record. */
  selection: Record<string, unknown>;
  raw: readonly RawToken[];
};

/**
 * Whether the run sends DELETEs and must ask first. Only flags given on the command line skip the question:
 * jsonEnabled() is also on when SF_CONTENT_TYPE=JSON is in the environment, which a shell or a CI job may set for
 * every command, and must never answer for the person. Without a terminal the question can't be answered, so nothing
 * may be revoked: decided before anything is read.
 */
export function revocationMode(flags: { 'dry-run'?: boolean; 'no-prompt'?: boolean }, raw: readonly RawToken[]): RevocationMode {
  const dryRun = Boolean(flags['dry-run']);
  const jsonOnCommandLine = raw.some((token) => token.type === 'flag' && token.flag === 'json');
  const mustAsk = !dryRun && !flags['no-prompt'] && !jsonOnCommandLine;
  if (mustAsk && !process.stdin.isTTY) throw sharedMessages.createError('error.NoPromptWithoutTerminal');
  return { dryRun, mustAsk };
}

/** The audit log of a run that revokes, opened before the first request: a log that can't be written means nothing is sent. */
export function openAuditLog(mode: RevocationMode, flag: string | undefined): AuditLog | undefined {
  if (mode.dryRun) return undefined;
  const at = auditLogPath(flag);
  return AuditLog.open(at.path, randomUUID(), { createFolder: !at.chosen });
}

/**
 * What every command that revokes does the same way (`tokens revoke`, `usage check --fix`): the confirmation, Ctrl-C,
 * the API budget, the audit log, the DELETEs and their report, and the exit code. One machinery, so that a revocation
 * behaves the same whichever command asked for it.
 */
export abstract class RevokingCommand<T> extends UsageCommand<T> {
  private stopRequested = false;
  private sendingWith: UsageClient | undefined;

  /**
   * Runs `work` with one Ctrl-C handler from the first request to the report: until the first DELETE nothing was
   * revoked, so Ctrl-C ends the run at once; once sending, it stops sending and the report says what the org lost.
   */
  protected whileRevoking<R>(work: () => Promise<R>): Promise<R> {
    const onSignal = (): void => {
      const client = this.sendingWith;
      if (client === undefined) exitInterrupted(messages.getMessage('info.interruptedBeforeSending'));
      if (this.stopRequested) exitInterrupted();
      this.stopRequested = true;
      client.interrupt();
      writeInterruptLine(messages.getMessage('info.interrupted'));
    };
    return whileHandlingSignals(onSignal, work);
  }

  /**
   * Sends a plan: the API budget, the question, the audit log's run-start, the DELETEs, the report and the exit code
   * (0, 68 when some failed, 130 interrupted). Undefined when the person said no.
   */
  protected async revoke(run: RevocationRun): Promise<RevokeOutcome | undefined> {
    const { org, client, plan, mode, audit } = run;
    // Before the prompt: a person should not confirm a run that the budget then refuses.
    await this.checkApiBudget(client, (mode.dryRun ? 0 : plan.length) + run.tokenLists, run.flags['api-budget']);
    const shownToPerson = mode.mustAsk || (mode.dryRun && !this.jsonEnabled());
    const appUsers = shownToPerson && plan.some((target) => target.scope === 'app') ? await usersOfWholeApps(client, plan, run.flags.concurrency) : undefined;
    if (mode.mustAsk) {
      const given = run.raw.find((token) => token.type === 'flag' && token.flag === 'target-org')?.input;
      const named = orgName(given ?? this.configAggregator.getPropertyValue<string>(OrgConfigProperties.TARGET_ORG), org.getOrgId());
      if (!(await this.ask(confirmQuestion(plan, appUsers, named)))) {
        this.log(messages.getMessage('info.cancelled'));
        return undefined;
      }
    }
    // Who revokes, asked of the org before anything is sent when the saved login does not say: the audit log's first
    // question is "who".
    const identity = audit ? await runIdentity(org, client) : undefined;
    this.sendingWith = client;
    await audit?.runStart({
      ...identity!,
      pluginVersion: pluginVersion((this.constructor as { plugin?: { version?: string } }).plugin, this.config.pjson.version),
      selection: run.selection,
      planned: plan.length,
    });
    const progress = startProgress(this, messages.getMessage('progress.title'));
    const outcome = await executePlan(client, plan, {
      dryRun: mode.dryRun,
      concurrency: run.flags.concurrency,
      stopRequested: () => this.stopRequested,
      onProgress: (done, total) => progress.update(() => messages.getMessage('progress.status', [done, total])),
      audit,
    }).finally(() => progress.stop());

    this.reportRevocation(outcome, mode.dryRun ? describePlan(plan, appUsers) : undefined, audit?.error?.message);
    process.exitCode = revokeExitCode(outcome);
    if (audit && !audit.error) {
      const counts = auditCounts([...outcome.successes, ...outcome.failures]);
      // The revocations already happened: a log that fails now is a warning, not a failed run.
      await audit.runEnd({ counts, exitCode: process.exitCode, interrupted: outcome.interrupted }).catch((error: Error) => this.warn(error.message));
    }
    return outcome;
  }

  /**
   * The confirmation. The prompt reads the terminal in raw mode, so Ctrl-C there is a key it turns into an error
   * instead of a SIGINT: that is the person's "stop", which ends the run as any Ctrl-C before sending does.
   */
  private async ask(message: string): Promise<boolean> {
    try {
      return await this.confirm({ message });
    } catch (error) {
      if (isPromptClosed(error)) exitInterrupted(messages.getMessage('info.cancelledAtPrompt'));
      throw error;
    }
  }

  /** The table of targets, then what a dry run would do (`wouldDo`) or what the run did and why it stopped. */
  private reportRevocation(outcome: RevokeOutcome, wouldDo: string | undefined, auditError: string | undefined): void {
    const { successes, failures } = outcome;
    this.printTargets(successes, failures);
    const notFound = describeNotFound(successes);
    if (notFound !== undefined) this.warn(messages.getMessage('warning.notFound', [notFound]));
    if (wouldDo !== undefined) {
      this.log(messages.getMessage('info.dryRun', [wouldDo]));
      return;
    }
    for (const line of summaryLines([...successes, ...failures])) this.log(line);
    if (outcome.interrupted) this.log(messages.getMessage('info.interruptedSummary'));
    if (outcome.stoppedByLimit) this.log(messages.getMessage('info.stoppedByLimit'));
    if (outcome.stoppedBySession) this.log(messages.getMessage('info.stoppedBySession'));
    if (outcome.auditFailed) this.log(messages.getMessage('info.auditLogFailed', [auditError ?? '']));
  }

  private printTargets(successes: RevokeTarget[], failures: RevokeTarget[]): void {
    const { rows, more } = tableRows(successes, failures);
    printRows(this, rows, {
      format: 'human',
      columns: [
        { key: 'scope', name: 'Scope' },
        { key: 'appDeveloperName', name: 'App' },
        { key: 'username', name: 'User' },
        { key: 'tokenId', name: 'Token ID' },
        // How many tokens each user held, where the plan read them (offboarding). Like Token ID and Message, the
        // column is left out when no row fills it (tableOf).
        { key: 'tokenCount', name: 'Tokens' },
        { key: 'status', name: 'Status' },
        { key: 'message', name: 'Message' },
      ],
    });
    if (more !== undefined) this.log(more);
  }
}

/**
 * Who revokes and where. The saved login usually holds the user's id and username; a login made from an access token
 * (`sf org login access-token`, or an access token as the target org, whose "username" is the token itself) may hold
 * neither, and then the org's userinfo says. An access token never goes into the log.
 */
async function runIdentity(org: Org, client: UsageClient): Promise<Pick<RunStart, 'orgId' | 'instanceUrl' | 'actorUserId' | 'actorUsername'>> {
  const connection = org.getConnection();
  const fields = connection.getAuthInfoFields();
  const savedUsername = fields.username && !isAccessToken(fields.username, connection.accessToken ?? undefined) ? fields.username : undefined;
  const savedUserId = fields.userId ?? connection.userInfo?.id;
  const asked = savedUsername && savedUserId ? {} : await new OrgUsers(client).sessionUser();
  const actorUsername = savedUsername ?? asked.username;
  const actorUserId = savedUserId ?? asked.userId;
  if (!actorUsername) throw sharedMessages.createError('error.ActorUnknown');
  return {
    orgId: org.getOrgId(),
    instanceUrl: connection.instanceUrl,
    actorUsername,
    // A 15-character id (some saved logins hold one) is written in the 18-character form the org's records use.
    ...(actorUserId ? { actorUserId: actorUserId.length === 15 && isSalesforceId(actorUserId) ? id18(actorUserId, 'user') : actorUserId } : {}),
  };
}

/** An access token given where sf expects a username (`--target-org 00D...!...`): core keeps it as the username. */
const isAccessToken = (username: string, accessToken: string | undefined): boolean => username === accessToken || /^00D\w{12,15}!/.test(username);

/**
 * This plugin's own version: inside sf, `this.config` is sf's (its version is sf's), so the version comes from the
 * plugin oclif loaded the command from (oclif's public static `Command.plugin`); through the plugin's own bin/run.js
 * both are the plugin.
 */
const pluginVersion = (plugin: { version?: string } | undefined, fallback: string): string => plugin?.version ?? fallback;
