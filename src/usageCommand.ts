import { SfCommand } from '@salesforce/sf-plugins-core';
import { writeJsonEnvelope } from './output.js';

/**
 * Base of the usage commands, for what they all do the same way but SfCommand does differently: --json output, which
 * writeJsonEnvelope explains. It adds no flags, so SfCommand's base flags (--json, --flags-dir) reach every command.
 * It lives outside src/commands so that oclif doesn't load it as a command.
 */
export abstract class UsageCommand<T> extends SfCommand<T> {
  public logJson(json: unknown): void {
    writeJsonEnvelope(json, () => super.logJson(json));
  }
}
