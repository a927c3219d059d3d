import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { concurrencyFlag, lastUsedCriteriaFromFlags, lastUsedFlags, orgFlags } from '../../../../flags.js';
import { printRows } from '../../../../output.js';
import { startProgress } from '../../../../progress.js';
import { whileHandlingSignals } from '../../../../signals.js';
import {
  executePlan,
  planOffline,
  planSelection,
  revokeExitCode,
  type PlannedTarget,
  type RevokeTarget,
} from '../../../../shared/revoke.js';
import { chooseSelection } from '../../../../shared/selection.js';
import { UsageClient } from '../../../../shared/usageClient.js';
import { UsageCommand } from '../../../../usageCommand.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
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
    'dry-run': Flags.boolean({
      summary: messages.getMessage('flags.dry-run.summary'),
    }),
    'no-prompt': Flags.boolean({
      char: 'p',
      summary: messages.getMessage('flags.no-prompt.summary'),
    }),
    ...concurrencyFlag,
  };

  private stopRequested = false;

  public async run(): Promise<TokensRevokeResult> {
    const { flags } = await this.parse(TokensRevoke);
    const selection = chooseSelection({
      tokenIds: flags['token-id'] ?? [],
      fromFile: flags['from-file'],
      apps: flags.app ?? [],
      users: flags.user ?? [],
      allUsers: Boolean(flags['all-users']),
      criteria: lastUsedCriteriaFromFlags(flags),
    });
    const dryRun = Boolean(flags['dry-run']);
    const mustAsk = !dryRun && !flags['no-prompt'] && !this.jsonEnabled();
    // Decide before reading anything: without a terminal the question can't be answered, so nothing may be revoked.
    if (mustAsk && !process.stdin.isTTY) throw sharedMessages.createError('error.NoPromptWithoutTerminal');

    const offlinePlan = await planOffline(selection);
    const org = flags['target-org'];
    const client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
    const plan = offlinePlan ?? (await planSelection(client, selection, flags.concurrency));
    if (plan.length === 0) {
      this.log(messages.getMessage('info.nothingToRevoke'));
      return { dryRun, successes: [], failures: [] };
    }
    // Never name the org by username: when --target-org is an access token, getUsername() returns the token itself.
    if (mustAsk && !(await this.confirm({ message: messages.getMessage('prompt.confirm', [describePlan(plan), org.getOrgId()]) }))) {
      this.log(messages.getMessage('info.cancelled'));
      return { dryRun, successes: [], failures: [] };
    }

    const onSignal = (): void => {
      if (this.stopRequested) process.exit(130);
      this.stopRequested = true;
      client.interrupt();
      process.stderr.write(`\n${messages.getMessage('info.interrupted')}\n`);
    };
    const progress = startProgress(this, messages.getMessage('progress.title'));
    const outcome = await whileHandlingSignals(onSignal, () =>
      executePlan(client, plan, {
        dryRun,
        concurrency: flags.concurrency,
        stopRequested: () => this.stopRequested,
        onProgress: (done, total) => progress.update(messages.getMessage('progress.status', [done, total])),
      }).finally(() => progress.stop())
    );

    this.report(outcome.successes, outcome.failures);
    const notFound = outcome.successes.filter((target) => target.status === 'not-found').length;
    if (notFound > 0) this.warn(messages.getMessage('warning.notFound', [notFound]));
    if (dryRun) this.log(messages.getMessage('info.dryRun', [describePlan(plan)]));
    else {
      const revoked = outcome.successes.length - notFound;
      this.log(messages.getMessage('info.summary', [capitalize(describePlan(plan)), revoked, notFound, outcome.failures.length]));
      if (outcome.interrupted) this.log(messages.getMessage('info.interruptedSummary', [outcome.notSent]));
      if (outcome.stoppedByLimit) this.log(messages.getMessage('info.stoppedByLimit', [outcome.notSent]));
    }
    process.exitCode = revokeExitCode(outcome);
    return { dryRun: outcome.dryRun, successes: outcome.successes, failures: outcome.failures };
  }

  private report(successes: RevokeTarget[], failures: RevokeTarget[]): void {
    printRows(this, [...successes, ...failures], {
      format: 'human',
      csvPreferred: [],
      columns: [
        { key: 'scope', name: 'Scope' },
        { key: 'appDeveloperName', name: 'App' },
        { key: 'username', name: 'User' },
        { key: 'tokenId', name: 'Token ID' },
        { key: 'status', name: 'Status' },
        { key: 'message', name: 'Message' },
      ],
    });
  }
}

function describePlan(plan: readonly PlannedTarget[]): string {
  const scopes = new Set(plan.map((target) => target.scope));
  if (scopes.size !== 1) return messages.getMessage('count.targets', [plan.length]);
  const first = plan[0];
  const app = first.appDeveloperName ?? first.appIdentifier ?? '';
  if (first.scope === 'app') return messages.getMessage('count.app', [app]);
  if (first.scope === 'user') {
    const apps = new Set(plan.map((target) => target.appIdentifier)).size;
    if (apps === 1) return messages.getMessage('count.user', [plan.length, app]);
    return messages.getMessage('count.userApps', [new Set(plan.map((target) => target.userIdentifier)).size, apps]);
  }
  return messages.getMessage('count.token', [plan.length]);
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
