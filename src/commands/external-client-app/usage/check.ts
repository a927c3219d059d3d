import { Flags } from '@salesforce/sf-plugins-core';
import { Messages, type Org } from '@salesforce/core';
import '../../../common/pluginMessages.js';
import { countOf } from '../../../common/plural.js';
import { UsageClient } from '../../../api/usageClient.js';
import { apiBudgetFlag, concurrencyFlag, optionalOrgFlags, revocationFlags } from '../../../command/flags.js';
import { openAuditLog, revocationMode, RevokingCommand, type RevocationResult } from '../../../command/revokingCommand.js';
import type { AuditLog } from '../../../usage/auditLog.js';
import { PolicyCheck, violationOf, type CheckFindings, type OrgCheck, type CheckTotals, type Violation } from '../../../usage/check.js';
import { checkFiles } from '../../../usage/checkFiles.js';
import { streamTokensByUser, type UserInApp, WHOLE_ORG } from '../../../usage/inventory.js';
import { readPolicyFile, rulesInForce, type Policy, type PolicyRules } from '../../../usage/policy.js';
import {
  checkCsvPieces,
  checkedLine,
  checkHumanPieces,
  moreViolationsLine,
  renderCheckMarkdown,
  SHOWN_VIOLATIONS,
  shownViolations,
  summaryRows,
  verdictLine,
  type CheckView,
} from '../../../ux/checkOutput.js';
import { renderJunit } from '../../../ux/junit.js';
import { type Column, printRows } from '../../../ux/output.js';
import { checkedOutputPath, writeTextFile, writeTextPieces } from '../../../ux/outputFile.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.check');
const checkMessages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'check');

export type UsageCheckResult = {
  checkedAt: string;
  /** No violation was found (before any --fix). */
  compliant: boolean;
  policy: { file: string; rules: PolicyRules };
  orgs: OrgCheck[];
  totals: CheckTotals;
  violations: Violation[];
  /** With --fix: what was revoked, as `tokens revoke` reports it. */
  fix?: RevocationResult;
};

/** Exit code of a check that found violations and did not fix them all. */
export const VIOLATIONS_EXIT_CODE = 3;

/** The flags that only mean something with --fix. */
const FIX_ONLY = ['dry-run', 'no-prompt', 'audit-log'] as const;

export default class UsageCheck extends RevokingCommand<UsageCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...optionalOrgFlags(messages),
    policy: Flags.file({
      summary: messages.getMessage('flags.policy.summary'),
      required: true,
      exists: true,
    }),
    'from-file': Flags.file({
      summary: messages.getMessage('flags.from-file.summary'),
      multiple: true,
      exists: true,
    }),
    'result-format': Flags.option({
      char: 'r',
      summary: messages.getMessage('flags.result-format.summary'),
      options: ['human', 'csv', 'markdown'] as const,
      default: 'human' as const,
    })(),
    'output-file': Flags.file({
      summary: messages.getMessage('flags.output-file.summary'),
    }),
    junit: Flags.file({
      summary: messages.getMessage('flags.junit.summary'),
    }),
    fix: Flags.boolean({
      summary: messages.getMessage('flags.fix.summary'),
      exclusive: ['from-file'],
    }),
    ...revocationFlags,
    ...concurrencyFlag,
    ...apiBudgetFlag,
  };

  public async run(): Promise<UsageCheckResult> {
    const { flags, raw } = await this.parse(UsageCheck);
    const misplaced = FIX_ONLY.filter((name) => flags[name] !== undefined && flags[name] !== false);
    if (misplaced.length > 0 && !flags.fix) throw messages.createError('error.FixFlagWithoutFix', [misplaced.map((name) => `--${name}`).join(', ')], [], 2);
    // Everything a person typed is checked before the first request: the policy, then where the output goes.
    const policy = await readPolicyFile(flags.policy);
    const mode = flags.fix ? revocationMode(flags, raw) : undefined;
    const outputFile = flags['output-file'] === undefined ? undefined : await checkedOutputPath(flags['output-file']);
    const junitFile = flags.junit === undefined ? undefined : await checkedOutputPath(flags.junit);
    const fromFiles = flags['from-file'] ?? [];
    const org = fromFiles.length > 0 ? undefined : flags['target-org'];
    if (fromFiles.length === 0 && org === undefined) throw checkMessages.createError('error.NoOrgOrFile');

    return this.whileRevoking(async () => {
      const checkedAt = new Date();
      const checker = new PolicyCheck(policy.rules, checkedAt, { fixes: mode !== undefined });
      let fixWith: { org: Org; client: UsageClient; audit: AuditLog | undefined } | undefined;
      if (org === undefined) {
        await checkFiles(checker, fromFiles);
      } else {
        const audit = mode ? openAuditLog(mode, flags['audit-log']) : undefined;
        const client = await UsageClient.connect(org, flags['api-version'], { concurrency: flags.concurrency });
        await this.checkOrg(checker, client, flags);
        fixWith = { org, client, audit };
      }
      const findings = checker.finish();
      for (const name of findings.unlistedOverrides) this.warn(checkMessages.getMessage('warning.overrideNotListed', [name]));
      const result = checkResult(policy, checkedAt, findings);
      const { orgs, totals, violations } = findings;
      const view: CheckView = { checkedAt: result.checkedAt, orgs, totals, violations, policyFile: policy.file, rules: rulesInForce(policy.rules) };
      await this.output(view, findings, flags['result-format'], outputFile, junitFile);
      process.exitCode = result.compliant ? 0 : VIOLATIONS_EXIT_CODE;
      if (!mode || !fixWith || result.compliant) return result;

      const outcome = await this.revoke({
        ...fixWith,
        plan: findings.fixPlan,
        // The token lists were sent, and weighed against the budget, before the check: the fix costs its DELETEs.
        tokenLists: 0,
        mode,
        flags,
        selection: { policy: policy.file, fix: true },
        raw,
      });
      // Not fixed: the person said no, or a dry run. Otherwise the revocation's own exit code (0, 68, 130).
      if (!outcome || outcome.dryRun) process.exitCode = VIOLATIONS_EXIT_CODE;
      return { ...result, fix: { dryRun: outcome?.dryRun ?? mode.dryRun, successes: outcome?.successes ?? [], failures: outcome?.failures ?? [] } };
    });
  }

  /** Reads the org the way `tokens list` does (one inventory, streamed, under the API budget) into the checker. */
  private async checkOrg(checker: PolicyCheck, client: UsageClient, flags: { concurrency: number; 'api-budget': number }): Promise<void> {
    const { orgId } = client;
    const warnForeignRows = (pair: UserInApp, rows: number): void => {
      this.warn(checkMessages.getMessage('warning.foreignRows', [pair.username ?? pair.userIdentifier, pair.app.developerName, rows]));
    };
    const { apps } = await this.readInventory(client, flags, { ...WHOLE_ORG, onForeignRows: warnForeignRows }, (options) =>
      streamTokensByUser(client, options, (pair, tokens) => checker.addUserTokens(orgId, pair.app, pair, tokens))
    );
    for (const app of apps) checker.addApp(orgId, app);
  }

  /** The `-r` format to stdout or --output-file, and the JUnit file. */
  private async output(view: CheckView, findings: CheckFindings, format: 'human' | 'csv' | 'markdown', outputFile?: string, junitFile?: string): Promise<void> {
    if (junitFile !== undefined) {
      const junit = renderJunit(findings, view.rules, {
        policyFile: view.policyFile,
        failureMessage: (rule, count) => checkMessages.getMessage('junit.failure', [countOf(count, 'violation'), rule]),
        moreLine: (count) => checkMessages.getMessage('junit.more', [count]),
        switchedOff: checkMessages.getMessage('junit.switchedOff'),
      });
      await writeTextFile(junitFile, junit);
    }
    if (format === 'human' && outputFile === undefined) {
      this.printHuman(view);
      return;
    }
    // CSV and the human text hold every violation: made and written a few hundred rows at a time.
    const pieces = format === 'markdown' ? [renderCheckMarkdown(view)] : format === 'csv' ? checkCsvPieces(view) : checkHumanPieces(view);
    if (outputFile !== undefined) {
      await writeTextPieces(outputFile, pieces);
      this.log(messages.getMessage('info.written', [outputFile]));
      this.log(verdictLine(view));
    } else if (!this.jsonEnabled()) {
      for (const piece of pieces) process.stdout.write(piece);
    }
  }

  private printHuman(view: CheckView): void {
    if (this.jsonEnabled()) return;
    this.log(checkedLine(view));
    // A check of several orgs names each row's org first, in both tables.
    const table = <R extends Record<string, unknown> & { orgId: string }>(rows: R[], columns: Array<Column<R>>): void =>
      printRows(this, rows, { format: 'human', columns: view.orgs.length > 1 ? [{ key: 'orgId', name: 'Org' }, ...columns] : columns });
    table(summaryRows(view), [
      { key: 'rule', name: 'Rule' },
      { key: 'meaning', name: 'Violated when' },
      { key: 'violations', name: 'Violations' },
    ]);
    table(shownViolations(view), [
      { key: 'rule', name: 'Rule' },
      { key: 'appDeveloperName', name: 'App' },
      { key: 'username', name: 'User' },
      { key: 'tokenId', name: 'Token ID' },
      { key: 'detail', name: 'Detail' },
    ]);
    if (view.violations.length > SHOWN_VIOLATIONS) this.log(moreViolationsLine(view.violations.length - SHOWN_VIOLATIONS));
    this.log(verdictLine(view));
  }
}

/**
 * The JSON `result`. Its violations are made from the checker's records when they are read (the --json output reads
 * them once; --fix's result copies them): a check that writes them to a file never holds them all as Violations.
 */
function checkResult(policy: Policy, checkedAt: Date, findings: CheckFindings): UsageCheckResult {
  let violations: Violation[] | undefined;
  return {
    checkedAt: checkedAt.toISOString(),
    compliant: findings.violations.length === 0,
    policy: { file: policy.file, rules: policy.rules },
    orgs: findings.orgs,
    totals: findings.totals,
    get violations(): Violation[] {
      violations ??= findings.violations.map(violationOf);
      return violations;
    },
  };
}
