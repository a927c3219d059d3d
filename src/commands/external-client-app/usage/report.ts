import { basename } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { Messages, type Org } from '@salesforce/core';
import '../../../common/pluginMessages.js';
import { apiBudgetFlag, concurrencyFlag, optionalOrgFlags } from '../../../command/flags.js';
import { exitOnInterrupt } from '../../../ux/signals.js';
import { streamTokenInventory, WHOLE_ORG } from '../../../usage/inventory.js';
import { checkedOutputPath, writeTextFile } from '../../../ux/outputFile.js';
import { defaultReportFileName, formatShare, ReportFigures, type UsageReport } from '../../../usage/report.js';
import { type FleetReport, fleetReport, isFleetReport, readInventories } from '../../../usage/reportFiles.js';
import { countOf } from '../../../common/plural.js';
import { UsageClient } from '../../../api/usageClient.js';
import { UsageCommand } from '../../../command/usageCommand.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.report');

/** One org's report; with `--from-file` inventories of several orgs, the fleet's. */
export type UsageReportResult = UsageReport | FleetReport;

/** The default HTML file of a report of several orgs is named after the fleet instead of one org. */
const FLEET = 'fleet';

/** A report made and where its figures came from, for each org in the order of the result's orgs. */
type Made = { result: UsageReportResult; source: string; orgSources: string[] };

export default class UsageReportCommand extends UsageCommand<UsageReportResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...optionalOrgFlags(messages),
    'from-file': Flags.file({
      summary: messages.getMessage('flags.from-file.summary'),
      description: messages.getMessage('flags.from-file.description'),
      exists: true,
      multiple: true,
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
      // The default file is named once the org (or the fleet) is known: after the org or the files were read.
      const outputFileFor = async (orgId: string, generatedAt: Date): Promise<string | null> =>
        chosenFile ?? (format === 'html' ? checkedOutputPath(defaultReportFileName(orgId, generatedAt)) : null);
      const fromFiles = flags['from-file'] ?? [];
      const { result, source, orgSources } =
        fromFiles.length === 0
          ? await this.fromOrg(flags, outputFileFor)
          : await fromInventories(fromFiles, flags['unused-days'], outputFileFor);
      const text = await render(format, result, source, orgSources);
      const outputFile = isFleetReport(result) ? result.orgs[0].outputFile : result.outputFile;
      if (outputFile === null) {
        if (!this.jsonEnabled()) process.stdout.write(text);
        return result;
      }
      await writeTextFile(outputFile, text);
      const { apps, tokens, staleTokens, staleShare } = result.totals;
      this.log(
        isFleetReport(result)
          ? messages.getMessage('info.writtenFleet', [result.orgs.length, outputFile, countOf(apps, 'app'), countOf(tokens, 'refreshToken'), staleTokens, formatShare(staleShare)])
          : messages.getMessage('info.written', [outputFile, countOf(apps, 'app'), countOf(tokens, 'refreshToken'), staleTokens, formatShare(staleShare)])
      );
      return result;
    });
  }

  /** The report of the org, read as `tokens list` reads it. */
  private async fromOrg(
    flags: { 'target-org'?: Org; 'api-version'?: string; concurrency: number; 'api-budget': number; 'unused-days': number },
    outputFileFor: (orgId: string, generatedAt: Date) => Promise<string | null>
  ): Promise<Made> {
    const org = flags['target-org'];
    if (!org) throw messages.createError('error.NoTargetOrg');
    const client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
    // Counted as they are read, never held: a report of 100,000 tokens keeps what it shows (per app, per stale user).
    // Ages count from when the reading began, as `tokens list --unused-days` judges every row against one instant.
    const generatedAt = new Date();
    const figures = new ReportFigures(generatedAt, flags['unused-days']);
    const { apps } = await this.readInventory(client, flags, WHOLE_ORG, (options) =>
      streamTokenInventory(client, options, (tokens) => {
        for (const token of tokens) figures.addToken(token);
      })
    );
    for (const app of apps) figures.addApp(app);
    const orgId = client.orgId;
    const outputFile = await outputFileFor(orgId, generatedAt);
    const instanceUrl = org.getConnection(flags['api-version']).instanceUrl;
    const result = figures.report({ orgId, instanceUrl, outputFile });
    const source = messages.getMessage('source.org');
    return { result, source, orgSources: [source] };
  }
}

/**
 * The report of saved inventories, without contacting any org (so it can be made anywhere): one org's report when
 * their rows name one org, the fleet's when they name several.
 */
async function fromInventories(
  paths: readonly string[],
  staleDays: number,
  outputFileFor: (orgId: string, generatedAt: Date) => Promise<string | null>
): Promise<Made> {
  const generatedAt = new Date();
  const orgs = await readInventories(paths, () => new ReportFigures(generatedAt, staleDays));
  const outputFile = await outputFileFor(orgs.length === 1 ? orgs[0].orgId : FLEET, generatedAt);
  const reports = orgs.map(({ orgId, instanceUrl, figures }) => figures.report({ orgId, instanceUrl, outputFile }));
  const orgSources = orgs.map(({ files }) => filesSource(files));
  if (reports.length === 1) return { result: reports[0], source: orgSources[0], orgSources };
  return { result: fleetReport(reports, generatedAt), source: filesSource([...new Set(paths)]), orgSources };
}

const filesSource = (files: readonly string[]): string =>
  files.length === 1
    ? messages.getMessage('source.file', [basename(files[0])])
    : messages.getMessage('source.files', [files.map((file) => basename(file)).join(', ')]);

/** One renderer a run, loaded when needed. */
async function render(format: 'html' | 'markdown', result: UsageReportResult, source: string, orgSources: string[]): Promise<string> {
  if (format === 'html') {
    const { renderFleetHtml, renderReportHtml } = await import('../../../ux/reportHtml.js');
    return isFleetReport(result) ? renderFleetHtml(result, { source, orgSources }) : renderReportHtml(result, { source });
  }
  const { renderFleetMarkdown, renderReportMarkdown } = await import('../../../ux/reportMarkdown.js');
  return isFleetReport(result) ? renderFleetMarkdown(result, { source, orgSources }) : renderReportMarkdown(result, { source });
}
