import { Flags } from '@salesforce/sf-plugins-core';
import type { Interfaces } from '@oclif/core';
import { Messages, type Org } from '@salesforce/core';
import '../common/pluginMessages.js';
import { lastUsedCriteria, type LastUsedCriteria, parseUserDate } from '../usage/lastUsed.js';
import { DEFAULT_API_BUDGET_PERCENT } from '../usage/apiBudget.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, MAX_CONCURRENCY } from '../api/usageClient.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'flags');

/** Flags that several usage commands share, defined once so that their names, limits and help never drift apart. */
export const orgFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
};

/** For the commands that read an org or saved inventories instead (`usage check`, `usage report`): the org is optional, and each says what for. */
export const optionalOrgFlags = (
  commandMessages: Messages<string>
): { 'target-org': Interfaces.OptionFlag<Org | undefined>; 'api-version': Interfaces.OptionFlag<string | undefined> } => ({
  'target-org': Flags.optionalOrg({
    summary: commandMessages.getMessage('flags.target-org.summary'),
  }),
  'api-version': Flags.orgApiVersion(),
});

/** `--app` and `--user`, each repeatable, for `tokens list` and `tokens revoke`: each command says what it does with them. */
export const scopeFlags = (
  commandMessages: Messages<string>
): { app: Interfaces.OptionFlag<string[] | undefined>; user: Interfaces.OptionFlag<string[] | undefined> } => ({
  app: Flags.string({
    char: 'a',
    summary: commandMessages.getMessage('flags.app.summary'),
    multiple: true,
  }),
  user: Flags.string({
    summary: commandMessages.getMessage('flags.user.summary'),
    multiple: true,
  }),
});

export const listFlags = {
  limit: Flags.integer({
    summary: messages.getMessage('flags.limit.summary'),
    min: 1,
  }),
  'page-size': Flags.integer({
    summary: messages.getMessage('flags.page-size.summary'),
    min: 1,
    max: 2000,
    default: DEFAULT_PAGE_SIZE,
  }),
  'result-format': Flags.option({
    char: 'r',
    summary: messages.getMessage('flags.result-format.summary'),
    options: ['human', 'csv', 'json'] as const,
    default: 'human' as const,
  })(),
};

/** For the list commands: rows written to a file as they are read (UsageCommand.outputRows). */
export const outputFileFlag = {
  'output-file': Flags.file({
    summary: messages.getMessage('flags.output-file.summary'),
  }),
};

export const concurrencyFlag = {
  concurrency: Flags.integer({
    summary: messages.getMessage('flags.concurrency.summary'),
    min: 1,
    max: MAX_CONCURRENCY,
    default: DEFAULT_CONCURRENCY,
  }),
};

/** For every command that can send more requests than a few pages: how much of the org's daily API limit it may spend. */
export const apiBudgetFlag = {
  'api-budget': Flags.integer({
    summary: messages.getMessage('flags.api-budget.summary'),
    min: 1,
    max: 100,
    default: DEFAULT_API_BUDGET_PERCENT,
  }),
};

/**
 * A date flag: the value is checked while the flags are parsed, so a date that does not parse is a flag error (exit 2,
 * "Parsing --last-used-before"), as a number that does not parse is. The value stays as typed, for the audit log.
 */
const dateFlag = Flags.custom<string>({
  // eslint-disable-next-line @typescript-eslint/require-await
  parse: async (input) => {
    parseUserDate(input);
    return input;
  },
});

export const lastUsedFlags = {
  'last-used-before': dateFlag({
    summary: messages.getMessage('flags.last-used-before.summary'),
  }),
  'last-used-after': dateFlag({
    summary: messages.getMessage('flags.last-used-after.summary'),
  }),
  'unused-days': Flags.integer({
    summary: messages.getMessage('flags.unused-days.summary'),
    // 0 would make every token stale: every token in the org selected for revocation.
    min: 1,
  }),
};

/** The parsed values of lastUsedFlags as criteria; the flag names are spelled out here, next to their definitions. */
export const lastUsedCriteriaFromFlags = (flags: {
  'last-used-before'?: string;
  'last-used-after'?: string;
  'unused-days'?: number;
}): LastUsedCriteria =>
  lastUsedCriteria({ before: flags['last-used-before'], after: flags['last-used-after'], unusedDays: flags['unused-days'] });

/** For every command that revokes (`tokens revoke`, `usage check --fix`): one set of flags, one behaviour. */
export const revocationFlags = {
  'dry-run': Flags.boolean({
    summary: messages.getMessage('flags.dry-run.summary'),
  }),
  'audit-log': Flags.string({
    summary: messages.getMessage('flags.audit-log.summary'),
  }),
  'no-prompt': Flags.boolean({
    char: 'p',
    summary: messages.getMessage('flags.no-prompt.summary'),
  }),
};
