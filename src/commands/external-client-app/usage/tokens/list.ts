import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../../shared/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, lastUsedCriteriaFromFlags, lastUsedFlags, listFlags, orgFlags } from '../../../../flags.js';
import { exitOnInterrupt } from '../../../../signals.js';
import { printRows } from '../../../../output.js';
import { tokenInventory } from '../../../../shared/inventory.js';
import { countOf } from '../../../../shared/plural.js';
import { startInventoryProgress } from '../../../../progress.js';
import { TOKEN_FIELDS, type TokenUsage } from '../../../../shared/types.js';
import { UsageClient } from '../../../../shared/usageClient.js';
import { UsageCommand } from '../../../../usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.tokens.list');

export type TokensListResult = TokenUsage[];

export default class TokensList extends UsageCommand<TokensListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgFlags,
    app: Flags.string({
      char: 'a',
      summary: messages.getMessage('flags.app.summary'),
      multiple: true,
    }),
    user: Flags.string({
      summary: messages.getMessage('flags.user.summary'),
      multiple: true,
    }),
    ...lastUsedFlags,
    ...concurrencyFlag,
    ...apiBudgetFlag,
    ...listFlags,
  };

  public async run(): Promise<TokensListResult> {
    const { flags } = await this.parse(TokensList);
    return exitOnInterrupt(async () => {
      const criteria = lastUsedCriteriaFromFlags(flags);
      const client = await UsageClient.connect(flags['target-org'], flags['api-version'], { concurrency: flags.concurrency });
      const progress = startInventoryProgress(this);
      const tokens = await tokenInventory(client, {
        apps: flags.app ?? [],
        users: flags.user ?? [],
        criteria,
        limit: flags.limit,
        pageSize: flags['page-size'],
        concurrency: flags.concurrency,
        onProgress: progress.onProgress,
        beforeTokenLists: (count) => this.checkApiBudget(client, count, flags['api-budget']),
      }).finally(() => progress.stop());
      printRows(this, tokens, {
        format: flags['result-format'],
        csvColumns: TOKEN_FIELDS,
        columns: [
          { key: 'appDeveloperName', name: 'App' },
          { key: 'username', name: 'Username' },
          { key: 'tokenId', name: 'Token ID' },
          { key: 'initialConnectionAt', name: 'First Used' },
          { key: 'lastUsedAt', name: 'Last Used' },
          { key: 'useCount', name: 'Use Count' },
        ],
      });
      if (flags['result-format'] === 'human') {
        const tokenCount = countOf(tokens.length, 'refreshToken');
        const userCount = countOf(new Set(tokens.map((token) => token.userIdentifier)).size, 'user');
        const appCount = countOf(new Set(tokens.map((token) => token.appIdentifier)).size, 'app');
        const limited = flags.limit !== undefined && tokens.length >= flags.limit;
        this.log(
          tokens.length === 0
            ? messages.getMessage('info.noTokens')
            : limited
            ? messages.getMessage('info.summaryLimited', [tokenCount, userCount, appCount, flags.limit])
            : messages.getMessage('info.summary', [tokenCount, userCount, appCount])
        );
      }
      return tokens;
    });
  }
}
