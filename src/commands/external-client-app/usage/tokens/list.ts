import { Messages } from '@salesforce/core';
import '../../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, lastUsedCriteriaFromFlags, lastUsedFlags, listFlags, orgFlags, outputFileFlag, scopeFlags } from '../../../../command/flags.js';
import { streamTokenInventory } from '../../../../usage/inventory.js';
import { USE_COLUMNS } from '../../../../ux/output.js';
import { countOf } from '../../../../common/plural.js';
import { TOKEN_FIELDS, type TokenUsage } from '../../../../api/types.js';
import { UsageClient } from '../../../../api/usageClient.js';
import { type OutputFileResult, UsageCommand } from '../../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.tokens.list');

export type TokensListResult = TokenUsage[] | OutputFileResult;

export default class TokensList extends UsageCommand<TokensListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgFlags,
    ...scopeFlags(messages),
    ...lastUsedFlags,
    ...concurrencyFlag,
    ...apiBudgetFlag,
    ...listFlags,
    ...outputFileFlag,
  };

  public async run(): Promise<TokensListResult> {
    const { flags } = await this.parse(TokensList);
    const criteria = lastUsedCriteriaFromFlags(flags);
    return this.outputRows<TokenUsage>({
      flags,
      noun: 'refreshToken',
      csvColumns: TOKEN_FIELDS,
      columns: [
        { key: 'appDeveloperName', name: 'App' },
        { key: 'username', name: 'Username' },
        { key: 'tokenId', name: 'Token ID' },
        ...USE_COLUMNS,
      ],
      read: async (sink) => {
        const client = await UsageClient.connect(flags['target-org'], flags['api-version'], { concurrency: flags.concurrency });
        const scope = { apps: flags.app ?? [], users: flags.user ?? [], criteria, limit: flags.limit, pageSize: flags['page-size'] };
        await this.readInventory(client, flags, scope, (options) => streamTokenInventory(client, options, sink));
      },
      summary: (tokens) => {
        if (tokens.length === 0) return messages.getMessage('info.noTokens');
        const tokenCount = countOf(tokens.length, 'refreshToken');
        const userCount = countOf(new Set(tokens.map((token) => token.userIdentifier)).size, 'user');
        const appCount = countOf(new Set(tokens.map((token) => token.appIdentifier)).size, 'app');
        return flags.limit !== undefined && tokens.length >= flags.limit
          ? messages.getMessage('info.summaryLimited', [tokenCount, userCount, appCount, flags.limit])
          : messages.getMessage('info.summary', [tokenCount, userCount, appCount]);
      },
    });
  }
}
