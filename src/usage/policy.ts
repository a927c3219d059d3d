/*
 * The policy file of `usage check` (commands.md §15): which OAuth access an org may hold. It is read strictly: an
 * unknown key, a wrong type, a number out of range or a rule left without a value is an error naming the key and its
 * line, before anything is sent, because a typo that silently switched a rule off would let a pipeline pass an org it
 * was written to stop.
 */
import { readFile } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import levenshtein from 'fast-levenshtein';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'policy');

/** The rules a policy can set, as their violations name them. */
export const RULES = ['stale', 'tokenAge', 'tokensPerUser', 'unapprovedApp'] as const;
export type RuleName = (typeof RULES)[number];

/** The numeric rules: the key that sets each in a policy file, and the rule it sets. */
export const LIMIT_KEYS = { staleDays: 'stale', maxTokenAgeDays: 'tokenAge', maxTokensPerUser: 'tokensPerUser' } as const;
export type LimitKey = keyof typeof LIMIT_KEYS;
const LIMIT_KEY_NAMES = Object.keys(LIMIT_KEYS) as LimitKey[];
const TOP_KEYS = [...LIMIT_KEY_NAMES, 'allowedApps', 'apps'] as const;

/** The numeric rules in force for one app: a rule that is off is missing. */
export type Limits = Partial<Record<LimitKey, number>>;
/** An app's overrides: a number replaces the policy's; null switches the rule off for that app. */
export type LimitOverrides = Partial<Record<LimitKey, number | null>>;

/** The rules of a policy file, as written (what the check's JSON result shows). */
export type PolicyRules = Limits & {
  allowedApps?: string[];
  apps?: Record<string, LimitOverrides>;
};

export type Policy = { file: string; rules: PolicyRules };

/** Reads and checks a policy file: YAML or JSON (JSON is YAML too, so one reader serves both and gives the same lines). */
export async function readPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.PolicyUnreadable', [path, (error as Error).message]);
  }
  return { file: path, rules: parsePolicy(text, path) };
}

/** The rules of a policy file's text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): PolicyRules {
  const lines = new LineCounter();
  // uniqueKeys: a key given twice is an error, never "the last one wins" (the first could be the one reviewed).
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const fail = (key: string, node: YamlNode | null | undefined, problem: string): never => {
    throw messages.createError('error.PolicyInvalid', [file, lineOf(node), key, problem]);
  };
  if (document.errors.length > 0) {
    const [error] = document.errors;
    throw messages.createError('error.PolicyNotYaml', [file, lines.linePos(error.pos[0]).line, firstLine(error.message)]);
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) throw messages.createError('error.PolicyEmpty', [file]);
  if (!isMap(root)) return fail('(top)', root, messages.getMessage('problem.notMapping'));

  const rules: PolicyRules = {};
  for (const pair of pairsOf(root, fail)) {
    const key = keyName(pair);
    const value = pair.value as YamlNode | null;
    if (isLimitKey(key)) {
      // At the top, leaving a rule out is how it is not set; a key without a value is more likely a typo.
      rules[key] = limitValue(key, value ?? (pair.key as YamlNode), false, fail) as number;
    } else if (key === 'allowedApps') {
      rules.allowedApps = appNames(value ?? (pair.key as YamlNode), fail);
    } else if (key === 'apps') {
      rules.apps = appOverrides(value ?? (pair.key as YamlNode), fail);
    } else {
      fail(key, pair.key as YamlNode, unknownKeyProblem(key, TOP_KEYS));
    }
  }
  const overridden = Object.values(rules.apps ?? {}).some((app) => Object.values(app).some((limit) => limit !== null));
  if (!LIMIT_KEY_NAMES.some((key) => rules[key] !== undefined) && rules.allowedApps === undefined && !overridden) {
    throw messages.createError('error.PolicyWithoutRule', [file]);
  }
  return rules;
}

/** The numeric rules for an app: the policy's, with the app's overrides (by developer name) applied. */
export function limitsFor(rules: PolicyRules, appDeveloperName: string): Limits {
  const overrides = rules.apps?.[appDeveloperName] ?? {};
  const limits: Limits = {};
  for (const key of LIMIT_KEY_NAMES) {
    const value = key in overrides ? overrides[key] : rules[key];
    if (value !== null && value !== undefined) limits[key] = value;
  }
  return limits;
}

/** Whether an app is allowed to hold tokens: every app is, unless the policy lists the allowed ones. */
export const isAllowedApp = (rules: PolicyRules, appDeveloperName: string): boolean =>
  rules.allowedApps === undefined || rules.allowedApps.includes(appDeveloperName);

/** The rules a policy sets for at least one app: the ones a report has a section for. */
export function rulesInForce(rules: PolicyRules): RuleName[] {
  const apps = Object.values(rules.apps ?? {});
  return RULES.filter((rule) => {
    if (rule === 'unapprovedApp') return rules.allowedApps !== undefined;
    const key = LIMIT_KEY_NAMES.find((name) => LIMIT_KEYS[name] === rule)!;
    return rules[key] !== undefined || apps.some((app) => typeof app[key] === 'number');
  });
}

type Fail = (key: string, node: YamlNode | null | undefined, problem: string) => never;

const isLimitKey = (key: string): key is LimitKey => (LIMIT_KEY_NAMES as string[]).includes(key);

function pairsOf(map: YAMLMap, fail: Fail): Array<Pair<unknown, unknown>> {
  for (const pair of map.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') fail(String(pair.key), pair.key as YamlNode, messages.getMessage('problem.keyNotText'));
  }
  return map.items;
}

const keyName = (pair: Pair<unknown, unknown>): string => String((pair.key as { value: unknown }).value);

/** A whole number of 1 or more: 0 days would make every token stale, and 0 tokens is what allowedApps says better. */
function limitValue(key: string, node: YamlNode, nullable: boolean, fail: Fail): number | null {
  const value = isScalar(node) ? node.value : undefined;
  if (value === null && nullable) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  const shown = value === null ? messages.getMessage('problem.noValue') : describe(node);
  return fail(key, node, messages.getMessage(nullable ? 'problem.notLimitOrNull' : 'problem.notLimit', [shown]));
}

function appNames(node: YamlNode, fail: Fail): string[] {
  if (!isSeq(node)) return fail('allowedApps', node, messages.getMessage('problem.notAppList', [describe(node)]));
  return node.items.map((item) => {
    const value = isScalar(item) ? item.value : undefined;
    if (typeof value !== 'string' || value.trim() === '') fail('allowedApps', item as YamlNode, messages.getMessage('problem.notAppName', [describe(item as YamlNode)]));
    return value.trim();
  });
}

function appOverrides(node: YamlNode, fail: Fail): Record<string, LimitOverrides> {
  if (!isMap(node)) return fail('apps', node, messages.getMessage('problem.notAppMapping', [describe(node)]));
  const apps: Record<string, LimitOverrides> = {};
  for (const pair of pairsOf(node, fail)) {
    const app = keyName(pair);
    const body = pair.value as YamlNode | null;
    if (!isMap(body)) return fail(`apps.${app}`, body ?? (pair.key as YamlNode), messages.getMessage('problem.notOverride', [describe(body)]));
    const limits: LimitOverrides = {};
    for (const rule of pairsOf(body, fail)) {
      const key = keyName(rule);
      if (!isLimitKey(key)) fail(`apps.${app}.${key}`, rule.key as YamlNode, unknownKeyProblem(key, LIMIT_KEY_NAMES));
      limits[key] = limitValue(`apps.${app}.${key}`, (rule.value as YamlNode | null) ?? (rule.key as YamlNode), true, fail);
    }
    apps[app] = limits;
  }
  return apps;
}

/** "unknown key", with the key meant when one is close (a typo), and the keys there are. */
function unknownKeyProblem(key: string, known: readonly string[]): string {
  const close = known.find((candidate) => levenshtein.get(candidate.toLowerCase(), key.toLowerCase()) <= 2);
  return close
    ? messages.getMessage('problem.unknownKeyClose', [close, known.join(', ')])
    : messages.getMessage('problem.unknownKey', [known.join(', ')]);
}

function describe(node: YamlNode | null | undefined): string {
  if (node === null || node === undefined) return messages.getMessage('problem.noValue');
  if (isMap(node)) return messages.getMessage('problem.aMapping');
  if (isSeq(node)) return messages.getMessage('problem.aList');
  const value = isScalar(node) ? node.value : undefined;
  return typeof value === 'string' ? `"${printable(value, 40)}"` : printable(String(value), 40);
}

const firstLine = (text: string): string => printable(text.split('\n')[0], 120);
