import { basename } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import '../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag } from '../../../command/flags.js';
import { startInventoryProgress } from '../../../ux/progress.js';
import { exitOnInterrupt } from '../../../ux/signals.js';
import { readTokenListFile } from '../../../usage/fileRows.js';
import { appsAndTokenInventory } from '../../../usage/inventory.js';
import { checkedOutputPath, writeTextFile } from '../../../ux/outputFile.js';
import {
  buildReport,
  defaultReportFileName,
  formatShare,
  orgOfRows,
  reportTokensFromRows,
  type ReportInput,
  type UsageReport,
} from '../../../usage/report.js';
import { countOf } from '../../../common/plural.js';
import { UsageClient } from '../../../api/usageClient.js';
import { UsageCommand } from '../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.report');

export type UsageReportResult = UsageReport;

export default class UsageReportCommand extends UsageCommand<UsageReportResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.optionalOrg({
      summary: messages.getMessage('flags.target-org.summary'),
    }),
    'api-version': Flags.orgApiVersion(),
    'from-file': Flags.file({
      summary: messages.getMessage('flags.from-file.summary'),
      description: messages.getMessage('flags.from-file.description'),
      exists: true,
    }),
    'output-file': Flags.file({
      summary: messages.getMessage('flags.output-file.summary'),
    }),
    'result-format': Flags.option({
      char: 'r',
      summary: messages.getMessage('flags.result-format.summary'),
      options: ['html', 'markdown'] as const,
      default: 'html' as const,
    })(),
    'unused-days': Flags.integer({
      summary: messages.getMessage('flags.unused-days.summary'),
      // 0 would count every token as stale.
      min: 1,
      default: 90,
    }),
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

  public async run(): Promise<UsageReportResult> {
    const { flags } = await this.parse(UsageReportCommand);
    return exitOnInterrupt(async () => {
      const format = flags['result-format'];
      const chosenFile = flags['output-file'] === undefined ? undefined : await checkedOutputPath(flags['output-file']);
      const fromFile = flags['from-file'];
      let input: Omit<ReportInput, 'generatedAt' | 'outputFile' | 'staleDays'>;
      let source: string;
      if (fromFile === undefined) {
        const org = flags['target-org'];
        if (!org) throw messages.createError('error.NoTargetOrg');
        const client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
        const progress = startInventoryProgress(this);
        const { apps, tokens } = await appsAndTokenInventory(client, {
          apps: [],
          users: [],
          criteria: {},
          concurrency: flags.concurrency,
          onProgress: progress.onProgress,
          beforeTokenLists: (count) => this.checkApiBudget(client, count, flags['api-budget']),
        }).finally(() => progress.stop());
        input = { apps, tokens, orgId: org.getOrgId(), instanceUrl: org.getConnection(flags['api-version']).instanceUrl };
        source = messages.getMessage('source.org');
      } else {
        // No org is contacted: the file is the whole source, so a saved inventory can be reported on anywhere.
        const rows = await readTokenListFile(fromFile);
        input = { tokens: reportTokensFromRows(rows, fromFile), ...orgOfRows(rows.map(({ row }) => row)) };
        source = messages.getMessage('source.file', [basename(fromFile)]);
      }

      const generatedAt = new Date();
      const outputFile =
        chosenFile ?? (format === 'html' ? await checkedOutputPath(defaultReportFileName(input.orgId, generatedAt)) : null);
      const report = buildReport({ ...input, generatedAt, staleDays: flags['unused-days'], outputFile });
      // One renderer a run.
      const text =
        format === 'html'
          ? (await import('../../../ux/reportHtml.js')).renderReportHtml(report, { source })
          : (await import('../../../ux/reportMarkdown.js')).renderReportMarkdown(report, { source });
      if (outputFile === null) {
        if (!this.jsonEnabled()) process.stdout.write(text);
        return report;
      }
      await writeTextFile(outputFile, text);
      const { totals } = report;
      this.log(
        messages.getMessage('info.written', [
          outputFile,
          countOf(totals.apps, 'app'),
          countOf(totals.tokens, 'refreshToken'),
          totals.staleTokens,
          formatShare(totals.staleShare),
        ])
      );
      return report;
    });
  }
}
