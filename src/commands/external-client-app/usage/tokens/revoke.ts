import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, lastUsedCriteriaFromFlags, lastUsedFlags, orgFlags, revocationFlags, scopeFlags } from '../../../../command/flags.js';
import { startInventoryProgress } from '../../../../ux/progress.js';
import type { UserInApp } from '../../../../usage/inventory.js';
import { planOffline, planSelection, type PlanOptions } from '../../../../usage/plan.js';
import type { PlannedTarget, RevokeTarget } from '../../../../usage/targets.js';
import { chooseSelection, type Selection } from '../../../../usage/selection.js';
import { UsageClient } from '../../../../api/usageClient.js';
import { openAuditLog, revocationMode, RevokingCommand } from '../../../../command/revokingCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.tokens.revoke');

// Spelled out (not RevocationResult) so that the command's JSON schema names its fields as it always has.
export type TokensRevokeResult = {
  dryRun: boolean;
  successes: RevokeTarget[];
  failures: RevokeTarget[];
};

export default class TokensRevoke extends RevokingCommand<TokensRevokeResult> {
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
      exists: true,
    }),
    ...scopeFlags(messages),
    'all-users': Flags.boolean({
      summary: messages.getMessage('flags.all-users.summary'),
    }),
    ...lastUsedFlags,
    'by-user': Flags.boolean({
      summary: messages.getMessage('flags.by-user.summary'),
    }),
    ...revocationFlags,
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

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
    const mode = revocationMode(flags, raw);
    const org = flags['target-org'];
    return this.whileRevoking(async () => {
      const offlinePlan = await planOffline(selection, org.getOrgId());
      const unlistedApps: string[] = [];
      const nothingToRevoke = (): TokensRevokeResult => {
        this.log(nothingToRevokeLine(selection, unlistedApps));
        return { dryRun: mode.dryRun, successes: [], failures: [] };
      };
      // A file without rows needs neither the org nor the audit log: no request, no log entry.
      if (offlinePlan?.length === 0) return nothingToRevoke();
      const audit = openAuditLog(mode, flags['audit-log']);
      const client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
      const { plan, tokenLists } = offlinePlan
        ? { plan: offlinePlan, tokenLists: 0 }
        : await this.readPlan(client, selection, { concurrency: flags.concurrency, onUnlistedApp: (id) => unlistedApps.push(id) });
      if (plan.length === 0) return nothingToRevoke();
      for (const id of unlistedApps) this.warn(messages.getMessage('warning.appNotListed', [id]));
      const outcome = await this.revoke({ org, client, plan, tokenLists, mode, audit, flags, selection: selectionFlags(flags), raw });
      return outcome
        ? { dryRun: outcome.dryRun, successes: outcome.successes, failures: outcome.failures }
        : { dryRun: mode.dryRun, successes: [], failures: [] };
    });
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
}

/** Flags that chose the targets, as given; never the org (it may be an access token) nor how the run behaves. */
const SELECTION_FLAGS = ['token-id', 'from-file', 'app', 'user', 'all-users', 'by-user', 'last-used-before', 'last-used-after', 'unused-days'] as const;

function selectionFlags(flags: Partial<Record<(typeof SELECTION_FLAGS)[number], unknown>>): Record<string, unknown> {
  return Object.fromEntries(SELECTION_FLAGS.filter((name) => flags[name] !== undefined && flags[name] !== false).map((name) => [name, flags[name]]));
}

/** Why a revoke has nothing to do, in the terms of what was asked. */
function nothingToRevokeLine(selection: Selection, unlistedApps: readonly string[]): string {
  if (unlistedApps.length > 0) return messages.getMessage('info.nothingToRevokeAppNotListed', [unlistedApps.join('", "')]);
  return messages.getMessage(selection.kind === 'byUser' ? 'info.nothingToRevokeNoUser' : 'info.nothingToRevoke');
}

const foreignRowsWarning = (pair: UserInApp, rows: number): string =>
  messages.getMessage('warning.foreignRows', [pair.username ?? pair.userIdentifier, pair.app.developerName, rows]);
