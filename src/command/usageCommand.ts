import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { type Column, printRows, type RowFormat, writeJsonEnvelope } from '../ux/output.js';
import { exitOnInterrupt } from '../ux/signals.js';
import { checkApiBudget } from '../usage/apiBudget.js';
import type { InventoryOptions } from '../usage/inventory.js';
import { startInventoryProgress } from '../ux/progress.js';
import '../common/pluginMessages.js';
import { openRowFile, rowFileFormat, type RowFileFormat } from '../ux/outputFile.js';
import { countOf, type Noun } from '../common/plural.js';
import type { RowSink } from '../api/pages.js';
import type { UsageClient } from '../api/usageClient.js';
import { shareHostLogger } from './hostLogger.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'output');

/** The `--json` result of a list command run with `--output-file`: the rows are in the file, not in the result. */
export type OutputFileResult = { outputFile: string; format: RowFileFormat; rows: number };

/** How a list command puts out its rows: see UsageCommand.outputRows. */
export type RowOutput<R> = {
  flags: { 'result-format': RowFormat; 'output-file'?: string; limit?: number };
  /** The CSV header, on stdout and in a file: the documented fields, the same with rows or without. */
  csvColumns: readonly string[];
  /** The columns of the table for people. */
  columns: Array<Column<R>>;
  /** What one row is, for the line that says how many rows went to the file. */
  noun: Noun;
  /** Reads the rows into the sink, in output order. It sends every request of the run, so it runs after the file opened. */
  read: (sink: RowSink<R>) => Promise<void>;
  /** The line under a table of these rows. */
  summary: (rows: R[]) => string;
};

// When the module loads: before anything logs through our copy of @salesforce/core, which happens before a command is
// constructed when sf reads the commands of a plugin linked without its manifest (a flag's default org).
shareHostLogger(process.argv[1]);

/**
 * Base of the usage commands, for what they all do the same way but SfCommand does differently: --json output, which
 * writeJsonEnvelope explains, and the output of the list commands. It adds no flags, so SfCommand's base flags
 * (--json, --flags-dir) reach every command. It lives outside src/commands so that oclif doesn't load it as a command.
 */
export abstract class UsageCommand<T> extends SfCommand<T> {
  public logJson(json: unknown): void {
    writeJsonEnvelope(json, () => super.logJson(json));
  }

  /** Checks a plan against `--api-budget` before it is sent: stops the run when over it, warns when the org won't say. */
  protected async checkApiBudget(client: UsageClient, planned: number, percent: number): Promise<void> {
    const warning = await checkApiBudget(client, planned, percent);
    if (warning !== undefined) this.warn(warning);
  }

  /**
   * Reads an inventory (`read`, with the options it is given) under the progress line and `--api-budget`, which is
   * checked once the inventory knows how many token lists it will read: `tokens list`, `usage check` and `usage report`
   * each read their scope this way, and do their own with the rows.
   */
  protected async readInventory<Result>(
    client: UsageClient,
    flags: { concurrency: number; 'api-budget': number },
    scope: Omit<InventoryOptions, 'concurrency' | 'onProgress' | 'beforeTokenLists'>,
    read: (options: InventoryOptions) => Promise<Result>
  ): Promise<Result> {
    const progress = startInventoryProgress(this);
    return read({
      ...scope,
      concurrency: flags.concurrency,
      onProgress: progress.onProgress,
      beforeTokenLists: (count) => this.checkApiBudget(client, count, flags['api-budget']),
    }).finally(() => progress.stop());
  }

  /**
   * The output of a list command. Without `--output-file`: the rows as a table (or CSV, or the file's JSON array) on
   * stdout, and as the `--json` result. With it: the rows go to the file as they are read, in the same order and the
   * same CSV or JSON, and nothing holds
   * them all; the file is opened before the first request, replaces an old one only once the run succeeded, and
   * stdout (or `--json`) says where it is and how many rows it has. Ctrl-C exits 130 either way.
   */
  protected async outputRows<R extends Record<string, unknown>>(output: RowOutput<R>): Promise<R[] | OutputFileResult> {
    const { flags } = output;
    const path = flags['output-file'];
    if (path === undefined) {
      const rows: R[] = [];
      await exitOnInterrupt(() =>
        output.read((page) => {
          for (const row of page) rows.push(row);
        })
      );
      printRows(this, rows, { format: flags['result-format'], columns: output.columns, csvColumns: output.csvColumns });
      const human = flags['result-format'] === 'human';
      if (human) this.log(output.summary(rows));
      // The line under a table says the list stopped at --limit; the rows alone (--json, CSV on stdout) don't.
      if (this.jsonEnabled() || !human) this.warnIfLimited(flags.limit, rows.length);
      return rows;
    }
    const file = await openRowFile<R>(path, rowFileFormat(path, flags['result-format']), output.csvColumns);
    try {
      await exitOnInterrupt(() => output.read((page) => file.write(page)));
      await file.commit();
    } catch (error) {
      await file.abort();
      throw error;
    }
    const written = countOf(file.rows, output.noun);
    const limited = flags.limit !== undefined && file.rows >= flags.limit;
    this.log(messages.getMessage(limited ? 'info.writtenLimited' : 'info.written', [written, file.path, ...(limited ? [flags.limit] : [])]));
    if (this.jsonEnabled()) this.warnIfLimited(flags.limit, file.rows);
    return { outputFile: file.path, format: file.format, rows: file.rows };
  }

  /**
   * A warning (in `warnings` under --json, on stderr otherwise) when --limit stopped the list. Reading stops at the
   * limit, so whether more rows exist is not known: as many rows as the limit is reported as a list that may go on.
   */
  private warnIfLimited(limit: number | undefined, rows: number): void {
    if (limit !== undefined && rows >= limit) this.warn(messages.getMessage('warning.limited', [limit]));
  }
}
