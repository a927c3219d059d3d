import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, listFlags, orgFlags, outputFileFlag } from '../../../command/flags.js';
import { startProgress } from '../../../ux/progress.js';
import { countOf } from '../../../common/plural.js';
import { APP_FIELDS, type AppUsage } from '../../../api/types.js';
import { pagesInto } from '../../../api/pages.js';
import { UsageClient } from '../../../api/usageClient.js';
import { type OutputFileResult, UsageCommand } from '../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.list');

export type UsageListResult = AppUsage[] | OutputFileResult;

export default class UsageList extends UsageCommand<UsageListResult> {
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
    ...outputFileFlag,
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

  public async run(): Promise<UsageListResult> {
    const { flags } = await this.parse(UsageList);
    const userCounts = flags['user-counts'];
    return this.outputRows<AppUsage>({
      flags,
      noun: 'externalClientApp',
      csvColumns: userCounts ? [...APP_FIELDS, 'userCount'] : APP_FIELDS,
      columns: [
        { key: 'developerName', name: 'Developer Name' },
        { key: 'identifier', name: 'Identifier' },
        { key: 'accessTokenFormat', name: 'Token Format' },
        { key: 'isFromPackage', name: 'From Package' },
        ...(userCounts ? [{ key: 'userCount' as const, name: 'Users' }] : []),
      ],
      read: async (sink) => {
        const client = await UsageClient.connect(flags['target-org'], flags['api-version'], { concurrency: flags.concurrency });
        const pageSize = flags['page-size'];
        if (!userCounts) {
          return pagesInto(client.appPages({ pageSize, limit: flags.limit }), sink);
        }
        const listed = await client.listApps({ pageSize, limit: flags.limit });
        // At least one user page per app; more pages for big apps can't be known before they are read.
        await this.checkApiBudget(client, listed.length, flags['api-budget']);
        // Loaded for --user-counts only: the inventory and the user and app resolution it brings are a sixth of the code
        // the plain list would load (about 10 ms of its start-up on Node 20, which has no compile cache).
        const { streamUserCounts } = await import('../../../usage/inventory.js');
        const progress = startProgress(this, messages.getMessage('progress.title'));
        await streamUserCounts(client, listed, { pageSize, concurrency: flags.concurrency, onAppDone: (done) =>
          progress.update(() => messages.getMessage('progress.status', [done, listed.length])) }, sink).finally(() => progress.stop());
      },
      summary: (apps) =>
        apps.length === 0
          ? messages.getMessage('info.noApps')
          : flags.limit !== undefined && apps.length >= flags.limit
          ? messages.getMessage('info.summaryLimited', [countOf(apps.length, 'externalClientApp'), flags.limit])
          : messages.getMessage('info.summary', [countOf(apps.length, 'externalClientApp')]),
    });
  }
}
