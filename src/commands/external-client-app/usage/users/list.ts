import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../../shared/pluginMessages.js';
import { lastUsedCriteriaFromFlags, lastUsedFlags, listFlags, orgFlags } from '../../../../flags.js';
import { exitOnInterrupt } from '../../../../signals.js';
import { printRows } from '../../../../output.js';
import { hasLastUsedCriteria, lastUsedMatcher } from '../../../../shared/lastUsed.js';
import { countOf } from '../../../../shared/plural.js';
import { resolveApp } from '../../../../shared/resolve.js';
import { USER_FIELDS, type UserUsage } from '../../../../shared/types.js';
import { UsageClient } from '../../../../shared/usageClient.js';
import { UsageCommand } from '../../../../usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.users.list');

export type UsersListResult = UserUsage[];

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
  };

  public async run(): Promise<UsersListResult> {
    const { flags } = await this.parse(UsersList);
    return exitOnInterrupt(async () => {
      const criteria = lastUsedCriteriaFromFlags(flags);
      const client = await UsageClient.connect(flags['target-org'], flags['api-version']);
      const pageSize = flags['page-size'];
      const app = resolveApp(flags.app, await client.listApps({ pageSize }));
      const users = await client.listUsers(app.identifier, {
        pageSize,
        limit: flags.limit,
        keep: hasLastUsedCriteria(criteria) ? lastUsedMatcher(criteria) : undefined,
      });
      printRows(this, users, {
        format: flags['result-format'],
        csvColumns: USER_FIELDS,
        columns: [
          { key: 'username', name: 'Username' },
          { key: 'userIdentifier', name: 'User ID' },
          { key: 'initialConnectionAt', name: 'First Used' },
          { key: 'lastUsedAt', name: 'Last Used' },
          { key: 'useCount', name: 'Use Count' },
        ],
      });
      if (flags['result-format'] === 'human') {
        const limited = flags.limit !== undefined && users.length >= flags.limit;
        this.log(
          users.length === 0
            ? messages.getMessage('info.noUsers', [app.developerName])
            : limited
            ? messages.getMessage('info.summaryLimited', [countOf(users.length, 'user'), app.developerName, flags.limit])
            : messages.getMessage('info.summary', [countOf(users.length, 'user'), app.developerName])
        );
      }
      return users;
    });
  }
}
