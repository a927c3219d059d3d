import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { concurrencyFlag, listFlags, orgFlags } from '../../../flags.js';
import { printRows } from '../../../output.js';
import { withUserCounts } from '../../../shared/inventory.js';
import type { AppUsage } from '../../../shared/types.js';
import { UsageClient } from '../../../shared/usageClient.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.list');

export type UsageListResult = AppUsage[];

export default class UsageList extends SfCommand<UsageListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgFlags,
    'user-counts': Flags.boolean({
      summary: messages.getMessage('flags.user-counts.summary'),
      description: messages.getMessage('flags.user-counts.description'),
    }),
    ...listFlags,
    ...concurrencyFlag,
  };

  public async run(): Promise<UsageListResult> {
    const { flags } = await this.parse(UsageList);
    const connection = flags['target-org'].getConnection(flags['api-version']);
    const client = UsageClient.forConnection(connection, { concurrency: flags.concurrency });
    const pageSize = flags['page-size'];
    const listed = await client.listApps({ pageSize, limit: flags.limit });
    const apps = flags['user-counts']
      ? await this.countingUsers(listed.length, () => withUserCounts(client, listed, pageSize, flags.concurrency, (done) => {
          this.spinner.status = messages.getMessage('progress.status', [done, listed.length]);
        }))
      : listed;
    printRows(this, apps, {
      format: flags['result-format'],
      csvPreferred: ['identifier', 'developerName', 'description', 'accessTokenFormat', 'isFromPackage', 'availableActions', 'usageDetailsUrl'],
      columns: [
        { key: 'developerName', name: 'Developer Name' },
        { key: 'identifier', name: 'Identifier' },
        { key: 'accessTokenFormat', name: 'Token Format' },
        { key: 'isFromPackage', name: 'From Package' },
        ...(flags['user-counts'] ? [{ key: 'userCount' as const, name: 'Users' }] : []),
      ],
    });
    if (flags['result-format'] === 'human') {
      if (apps.length === 0) this.log(messages.getMessage('info.noApps'));
      else if (flags.limit !== undefined && apps.length >= flags.limit) {
        this.log(messages.getMessage('info.summaryLimited', [apps.length, flags.limit]));
      } else this.log(messages.getMessage('info.summary', [apps.length]));
    }
    return apps;
  }

  private async countingUsers<T>(total: number, work: () => Promise<T>): Promise<T> {
    this.spinner.start(messages.getMessage('progress.title'), messages.getMessage('progress.status', [0, total]));
    try {
      return await work();
    } finally {
      this.spinner.stop();
    }
  }
}
