import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../shared/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, listFlags, orgFlags } from '../../../flags.js';
import { exitOnInterrupt } from '../../../signals.js';
import { printRows } from '../../../output.js';
import { startProgress } from '../../../progress.js';
import { withUserCounts } from '../../../shared/inventory.js';
import { countOf } from '../../../shared/plural.js';
import { APP_FIELDS, type AppUsage } from '../../../shared/types.js';
import { UsageClient } from '../../../shared/usageClient.js';
import { UsageCommand } from '../../../usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.list');

export type UsageListResult = AppUsage[];

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
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

  public async run(): Promise<UsageListResult> {
    const { flags } = await this.parse(UsageList);
    return exitOnInterrupt(async () => {
      const client = await UsageClient.connect(flags['target-org'], flags['api-version'], { concurrency: flags.concurrency });
      const pageSize = flags['page-size'];
      const listed = await client.listApps({ pageSize, limit: flags.limit });
      let apps = listed;
      if (flags['user-counts']) {
        // At least one user page per app; more pages for big apps can't be known before they are read.
        await this.checkApiBudget(client, listed.length, flags['api-budget']);
        const progress = startProgress(this, messages.getMessage('progress.title'));
        apps = await withUserCounts(client, listed, pageSize, flags.concurrency, (done) =>
          progress.update(messages.getMessage('progress.status', [done, listed.length]))
        ).finally(() => progress.stop());
      }
      printRows(this, apps, {
        format: flags['result-format'],
        csvColumns: flags['user-counts'] ? [...APP_FIELDS, 'userCount'] : APP_FIELDS,
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
          this.log(messages.getMessage('info.summaryLimited', [countOf(apps.length, 'externalClientApp'), flags.limit]));
        } else this.log(messages.getMessage('info.summary', [countOf(apps.length, 'externalClientApp')]));
      }
      return apps;
    });
  }
}
