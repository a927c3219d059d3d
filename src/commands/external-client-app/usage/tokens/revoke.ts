import { randomUUID } from 'node:crypto';
import { Flags } from '@salesforce/sf-plugins-core';
import { Messages, OrgConfigProperties, type Org } from '@salesforce/core';
import '../../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, lastUsedCriteriaFromFlags, lastUsedFlags, orgFlags } from '../../../../command/flags.js';
import { printRows } from '../../../../ux/output.js';
import { startInventoryProgress, startProgress } from '../../../../ux/progress.js';
import { exitInterrupted, isPromptClosed, whileHandlingSignals, writeInterruptLine } from '../../../../ux/signals.js';
import { AuditLog, auditLogPath, type RunStart } from '../../../../usage/auditLog.js';
import type { UserInApp } from '../../../../usage/inventory.js';
import { id18, isSalesforceId } from '../../../../api/salesforceId.js';
import { auditCounts, executePlan, revokeExitCode } from '../../../../usage/execute.js';
import { planOffline, planSelection, usersOfWholeApps, type PlanOptions } from '../../../../usage/plan.js';
import type { PlannedTarget, RevokeOutcome, RevokeTarget } from '../../../../usage/targets.js';
import { orgName } from '../../../../ux/orgName.js';
import { confirmQuestion, describeNotFound, describePlan, summaryLines, tableRows } from '../../../../ux/revokeSummary.js';
import { chooseSelection, type Selection } from '../../../../usage/selection.js';
import { UsageClient } from '../../../../api/usageClient.js';
import { UsageCommand } from '../../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.tokens.revoke');
const sharedMessages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

export type TokensRevokeResult = {
  dryRun: boolean;
  successes: RevokeTarget[];
  failures: RevokeTarget[];
};

export default class TokensRevoke extends UsageCommand<TokensRevokeResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgFlags,
    'token-id': Flags.string({
      summary: messages.getMessage('flags.token-id.summary'),
      multiple: true,
    }),
    'from-file': Flags.file({
      summary: messages.getMessage('flags.from-file.summary'),
      description: messages.getMessage('flags.from-file.description'),
      exists: true,
    }),
    app: Flags.string({
      char: 'a',
      summary: messages.getMessage('flags.app.summary'),
      description: messages.getMessage('flags.app.description'),
      multiple: true,
    }),
    user: Flags.string({
      summary: messages.getMessage('flags.user.summary'),
      multiple: true,
    }),
    'all-users': Flags.boolean({
      summary: messages.getMessage('flags.all-users.summary'),
    }),
    ...lastUsedFlags,
    'by-user': Flags.boolean({
      summary: messages.getMessage('flags.by-user.summary'),
      description: messages.getMessage('flags.by-user.description'),
    }),
    'dry-run': Flags.boolean({
      summary: messages.getMessage('flags.dry-run.summary'),
    }),
    'audit-log': Flags.string({
      summary: messages.getMessage('flags.audit-log.summary'),
      description: messages.getMessage('flags.audit-log.description'),
    }),
    'no-prompt': Flags.boolean({
      char: 'p',
      summary: messages.getMessage('flags.no-prompt.summary'),
    }),
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

  private stopRequested = false;

  public async run(): Promise<TokensRevokeResult> {
    const { flags, raw } = await this.parse(TokensRevoke);
    const selection = chooseSelection({
      tokenIds: flags['token-id'] ?? [],
      fromFile: flags['from-file'],
      apps: flags.app ?? [],
      users: flags.user ?? [],
      allUsers: Boolean(flags['all-users']),
      criteria: lastUsedCriteriaFromFlags(flags),
      byUser: Boolean(flags['by-user']),
    });
    const dryRun = Boolean(flags['dry-run']);
    // Only flags given on the command line skip the question: jsonEnabled() is also on when SF_CONTENT_TYPE=JSON is in
    // the environment, which a shell or a CI job may set for every command, and must never answer for the person.
    const jsonOnCommandLine = raw.some((token) => token.type === 'flag' && token.flag === 'json');
    const mustAsk = !dryRun && !flags['no-prompt'] && !jsonOnCommandLine;
    // Decide before reading anything: without a terminal the question can't be answered, so nothing may be revoked.
    if (mustAsk && !process.stdin.isTTY) throw sharedMessages.createError('error.NoPromptWithoutTerminal');

    const org = flags['target-org'];
    // One handler from the first request to the report: until the first DELETE nothing was revoked, so Ctrl-C ends the
    // run at once; once sending, it stops sending and the report says what the org lost.
    let client: UsageClient | undefined;
    let sending = false;
    const onSignal = (): void => {
      if (!sending || client === undefined) exitInterrupted(messages.getMessage('info.interruptedBeforeSending'));
      if (this.stopRequested) exitInterrupted();
      this.stopRequested = true;
      client.interrupt();
      writeInterruptLine(messages.getMessage('info.interrupted'));
    };
    return whileHandlingSignals(onSignal, async () => {
      const offlinePlan = await planOffline(selection);
      const unlistedApps: string[] = [];
      const nothingToRevoke = (): TokensRevokeResult => {
        this.log(nothingToRevokeLine(selection, unlistedApps));
        return { dryRun, successes: [], failures: [] };
      };
      // A file without rows needs neither the org nor the audit log: no request, no log entry.
      if (offlinePlan?.length === 0) return nothingToRevoke();
      // Opened before the first request: a log that can't be written means nothing is sent.
      const auditAt = auditLogPath(flags['audit-log']);
      const audit = dryRun ? undefined : AuditLog.open(auditAt.path, randomUUID(), { createFolder: !auditAt.chosen });
      client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
      const { plan, tokenLists } = offlinePlan
        ? { plan: offlinePlan, tokenLists: 0 }
        : await this.readPlan(client, selection, { concurrency: flags.concurrency, onUnlistedApp: (id) => unlistedApps.push(id) });
      if (plan.length === 0) return nothingToRevoke();
      for (const id of unlistedApps) this.warn(messages.getMessage('warning.appNotListed', [id]));
      // Before the prompt: a person should not confirm a run that the budget then refuses.
      await this.checkApiBudget(client, plannedRequests(plan, tokenLists, dryRun), flags['api-budget']);
      const shownToPerson = mustAsk || (dryRun && !this.jsonEnabled());
      const appUsers = shownToPerson && selection.kind === 'app' ? await usersOfWholeApps(client, plan, flags.concurrency) : undefined;
      if (mustAsk) {
        const given = raw.find((token) => token.type === 'flag' && token.flag === 'target-org')?.input;
        const named = orgName(given ?? this.configAggregator.getPropertyValue<string>(OrgConfigProperties.TARGET_ORG), org.getOrgId());
        if (!(await this.ask(confirmQuestion(plan, appUsers, named)))) {
          this.log(messages.getMessage('info.cancelled'));
          return { dryRun, successes: [], failures: [] };
        }
      }

      // Who revokes, asked of the org before anything is sent when the saved login does not say: the audit log's first
      // question is "who".
      const identity = audit ? await runIdentity(org, client) : undefined;
      sending = true;
      await audit?.runStart({
        ...identity!,
        pluginVersion: pluginVersion(TokensRevoke.plugin, this.config.pjson.version),
        selection: selectionFlags(flags),
        planned: plan.length,
      });
      const progress = startProgress(this, messages.getMessage('progress.title'));
      const outcome = await executePlan(client, plan, {
        dryRun,
        concurrency: flags.concurrency,
        stopRequested: () => this.stopRequested,
        onProgress: (done, total) => progress.update(() => messages.getMessage('progress.status', [done, total])),
        audit,
      }).finally(() => progress.stop());

      this.report(outcome, dryRun ? describePlan(plan, appUsers) : undefined, audit?.error?.message);
      process.exitCode = revokeExitCode(outcome);
      if (audit && !audit.error) {
        const counts = auditCounts([...outcome.successes, ...outcome.failures]);
        // The revocations already happened: a log that fails now is a warning, not a failed run.
        await audit
          .runEnd({ counts, exitCode: process.exitCode, interrupted: outcome.interrupted })
          .catch((error: Error) => this.warn(error.message));
      }
      return { dryRun: outcome.dryRun, successes: outcome.successes, failures: outcome.failures };
    });
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

  /** The plan, and how many token lists it took to read it: they are part of what the run costs the org. */
  private async readPlan(
    client: UsageClient,
    selection: Selection,
    options: Pick<PlanOptions, 'concurrency' | 'onUnlistedApp'>
  ): Promise<{ plan: PlannedTarget[]; tokenLists: number }> {
    let tokenLists = 0;
    const progress = startInventoryProgress(this);
    const plan = await planSelection(client, selection, {
      ...options,
      onProgress: progress.onProgress,
      beforeTokenLists: (count) => {
        tokenLists = count;
        return Promise.resolve();
      },
      onForeignRows: (pair, rows) => this.warn(foreignRowsWarning(pair, rows)),
    }).finally(() => progress.stop());
    return { plan, tokenLists };
  }

  /** The table of targets, then what a dry run would do (`wouldDo`) or what the run did and why it stopped. */
  private report(outcome: RevokeOutcome, wouldDo: string | undefined, auditError: string | undefined): void {
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
        // How many tokens each user held, where the plan read them (offboarding): shown only then.
        ...(rows.some((row) => row.tokenCount !== undefined) ? [{ key: 'tokenCount' as const, name: 'Tokens' }] : []),
        { key: 'status', name: 'Status' },
        { key: 'message', name: 'Message' },
      ],
    });
    if (more !== undefined) this.log(more);
  }
}

/**
 * The requests a revoke's --api-budget is checked against: its DELETEs (none for a dry run) and the token lists read
 * to find its targets.
 */
const plannedRequests = (plan: readonly PlannedTarget[], tokenLists: number, dryRun: boolean): number => (dryRun ? 0 : plan.length) + tokenLists;

/** Flags that chose the targets, as given; never the org (it may be an access token) nor how the run behaves. */
const SELECTION_FLAGS = ['token-id', 'from-file', 'app', 'user', 'all-users', 'by-user', 'last-used-before', 'last-used-after', 'unused-days'] as const;

function selectionFlags(flags: Partial<Record<(typeof SELECTION_FLAGS)[number], unknown>>): Record<string, unknown> {
  return Object.fromEntries(SELECTION_FLAGS.filter((name) => flags[name] !== undefined && flags[name] !== false).map((name) => [name, flags[name]]));
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
  const asked = savedUsername && savedUserId ? {} : await client.sessionUser();
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
 * plugin oclif loaded the command from; through the plugin's own bin/run.js both are the plugin.
 */
const pluginVersion = (plugin: { version?: string } | undefined, fallback: string): string => plugin?.version ?? fallback;

/** Why a revoke has nothing to do, in the terms of what was asked. */
function nothingToRevokeLine(selection: Selection, unlistedApps: readonly string[]): string {
  if (unlistedApps.length > 0) return messages.getMessage('info.nothingToRevokeAppNotListed', [unlistedApps.join('", "')]);
  return messages.getMessage(selection.kind === 'byUser' ? 'info.nothingToRevokeNoUser' : 'info.nothingToRevoke');
}

const foreignRowsWarning = (pair: UserInApp, rows: number): string =>
  messages.getMessage('warning.foreignRows', [pair.username ?? pair.userIdentifier, pair.app.developerName, rows]);
