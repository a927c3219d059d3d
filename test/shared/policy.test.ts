/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { SfError } from '@salesforce/core';
import { isAllowedApp, limitsFor, parsePolicy, rulesInForce } from '../../src/usage/policy.js';

/** The error a policy text gets, or a failure when it is accepted. */
function refusal(text: string): SfError {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    expect(error).to.be.instanceOf(SfError);
    return error as SfError;
  }
  expect.fail(`accepted: ${text}`);
}

describe('policy file', () => {
  it('reads the contract example in YAML, with overrides and null', () => {
    // The policy usage check's NUT checks an org against.
    const rules = parsePolicy(readFileSync(new URL('../fixtures/policy.yml', import.meta.url), 'utf8'), 'policy.yml');
    expect(rules).to.deep.equal({
      staleDays: 90,
      maxTokenAgeDays: 365,
      maxTokensPerUser: 3,
      allowedApps: ['Billing_Connector', 'Mobile_Field_App'],
      apps: { Mobile_Field_App: { staleDays: 30 }, Partner_Gateway: { staleDays: null } },
    });
    expect(limitsFor(rules, 'Mobile_Field_App')).to.deep.equal({ staleDays: 30, maxTokenAgeDays: 365, maxTokensPerUser: 3 });
    expect(limitsFor(rules, 'Partner_Gateway')).to.deep.equal({ maxTokenAgeDays: 365, maxTokensPerUser: 3 });
    expect(limitsFor(rules, 'Other')).to.deep.equal({ staleDays: 90, maxTokenAgeDays: 365, maxTokensPerUser: 3 });
    expect(isAllowedApp(rules, 'Billing_Connector')).to.equal(true);
    expect(isAllowedApp(rules, 'Partner_Gateway')).to.equal(false);
    expect(rulesInForce(rules)).to.deep.equal(['stale', 'tokenAge', 'tokensPerUser', 'unapprovedApp']);
  });

  it('reads JSON, and the same rules give the same result', () => {
    const rules = parsePolicy('{\n  "staleDays": 90,\n  "apps": { "A": { "maxTokensPerUser": 2 } }\n}\n', 'policy.json');
    expect(rules).to.deep.equal({ staleDays: 90, apps: { A: { maxTokensPerUser: 2 } } });
    expect(rulesInForce(rules)).to.deep.equal(['stale', 'tokensPerUser']);
    expect(isAllowedApp(rules, 'Anything')).to.equal(true);
  });

  it('takes a rule set only in an override as a policy with a rule', () => {
    expect(parsePolicy('apps:\n  A: { staleDays: 10 }\n', 'p.yml')).to.deep.equal({ apps: { A: { staleDays: 10 } } });
    expect(parsePolicy('allowedApps: []\n', 'p.yml')).to.deep.equal({ allowedApps: [] });
  });

  const errors: Array<[string, string, RegExp]> = [
    ['an unknown key, with the close one', 'staleDays: 90\nstaleDay: 30\n', /line 2: staleDay is not a key of a policy: did you mean staleDays\?/],
    ['an unknown key, with the keys there are', 'staleDays: 90\nfoo: 1\n', /line 2: foo is not a key of a policy\. The keys are staleDays, maxTokenAgeDays/],
    ['an unknown key inside an override', 'apps:\n  A:\n    staleDays: 3\n    allowedApps: [x]\n', /line 4: apps\.A\.allowedApps is not a key/],
    ['a number as text', 'staleDays: "90"\n', /line 1: staleDays must be a whole number of 1 or more, not "90"/],
    ['a negative number', 'maxTokenAgeDays: -5\n', /line 1: maxTokenAgeDays must be a whole number of 1 or more, not -5/],
    ['zero', 'maxTokensPerUser: 0\n', /line 1: maxTokensPerUser must be a whole number of 1 or more, not 0/],
    ['a fraction', '\n\nstaleDays: 1.5\n', /line 3: staleDays must be a whole number/],
    ['a rule without a value at the top', 'maxTokensPerUser: 3\nstaleDays:\n', /line 2: staleDays must be a whole number of 1 or more, not no value/],
    ['null at the top', 'staleDays: null\n', /line 1: staleDays must be a whole number/],
    ['a wrong override value', 'apps:\n  A: { staleDays: thirty }\n', /line 2: apps\.A\.staleDays must be a whole number of 1 or more, or null to switch the rule off for this app, not "thirty"/],
    ['an override that is not a mapping', 'apps:\n  A: 30\n', /line 2: apps\.A must be a mapping of rules/],
    ['allowedApps as text', 'allowedApps: Billing_Connector\n', /line 1: allowedApps must be a list of app developer names/],
    ['allowedApps holding a number', 'allowedApps:\n  - A\n  - 12\n', /line 3: allowedApps must hold app developer names, not 12/],
    ['a key given twice', 'staleDays: 90\nstaleDays: 30\n', /line 2, is not valid YAML or JSON: .*[Uu]nique/],
    ['YAML that does not parse', 'staleDays: [90\n', /is not valid YAML or JSON/],
    ['a list at the top', '- staleDays: 90\n', /line 1: \(top\) must be a mapping of rules/],
    ['no rule at all', 'apps:\n  A: { staleDays: null }\n', /sets no rule/],
    ['an empty file', '\n# nothing\n', /is empty/],
  ];
  for (const [what, text, message] of errors) {
    it(`refuses ${what}, naming the key and its line`, () => {
      const error = refusal(text);
      expect(error.message).to.match(message);
      expect(error.message).to.include('policy.yml');
      expect(error.exitCode).to.equal(1);
    });
  }
});
