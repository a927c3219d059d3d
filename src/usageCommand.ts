import { SfCommand } from '@salesforce/sf-plugins-core';
import { writeJsonEnvelope } from './output.js';
import { checkApiBudget } from './shared/apiBudget.js';
import { shareHostLogger } from './shared/hostLogger.js';
import type { UsageClient } from './shared/usageClient.js';

// When the module loads: before anything logs through our copy of @salesforce/core, which happens before a command is
// constructed when sf reads the commands of a plugin linked without its manifest (a flag's default org).
shareHostLogger(process.argv[1]);

/**
 * Base of the usage commands, for what they all do the same way but SfCommand does differently: --json output, which
 * writeJsonEnvelope explains. It adds no flags, so SfCommand's base flags (--json, --flags-dir) reach every command.
 * It lives outside src/commands so that oclif doesn't load it as a command.
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
}
