import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../../common/pluginMessages.js';
import { lastUsedCriteriaFromFlags, lastUsedFlags, listFlags, orgFlags, outputFileFlag } from '../../../../command/flags.js';
import { hasLastUsedCriteria, lastUsedMatcher } from '../../../../usage/lastUsed.js';
import { USE_COLUMNS } from '../../../../ux/output.js';
import { countOf } from '../../../../common/plural.js';
import { assertAppInput, resolveApp } from '../../../../usage/resolve.js';
import { terminalText } from '../../../../common/terminalText.js';
import { USER_FIELDS, type UserUsage } from '../../../../api/types.js';
import { pagesInto } from '../../../../api/pages.js';
import { UsageClient } from '../../../../api/usageClient.js';
import { type OutputFileResult, UsageCommand } from '../../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.users.list');

export type UsersListResult = UserUsage[] | OutputFileResult;

export default class UsersList extends UsageCommand<UsersListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgFlags,
    app: Flags.string({
      char: 'a',
      summary: messages.getMessage('flags.app.summary'),
      required: true,
    }),
    ...lastUsedFlags,
    ...listFlags,
    ...outputFileFlag,
  };

  public async run(): Promise<UsersListResult> {
    const { flags } = await this.parse(UsersList);
    const criteria = lastUsedCriteriaFromFlags(flags);
    assertAppInput(flags.app);
    let appName = flags.app;
    return this.outputRows<UserUsage>({
      flags,
      noun: 'user',
      csvColumns: USER_FIELDS,
      columns: [
        { key: 'username', name: 'Username' },
        { key: 'userIdentifier', name: 'User ID' },
        ...USE_COLUMNS,
      ],
      read: async (sink) => {
        const client = await UsageClient.connect(flags['target-org'], flags['api-version']);
        const pageSize = flags['page-size'];
        const app = resolveApp(flags.app, await client.listApps({ pageSize }));
        // The org's name for the app, for the line under the table.
        appName = terminalText(app.developerName);
        const keep = hasLastUsedCriteria(criteria) ? lastUsedMatcher(criteria) : undefined;
        await pagesInto(client.userPages(app.identifier, { pageSize, limit: flags.limit, keep }), sink);
      },
      summary: (users) =>
        users.length === 0
          ? messages.getMessage('info.noUsers', [appName])
          : flags.limit !== undefined && users.length >= flags.limit
          ? messages.getMessage('info.summaryLimited', [countOf(users.length, 'user'), appName, flags.limit])
          : messages.getMessage('info.summary', [countOf(users.length, 'user'), appName]),
    });
  }
}
