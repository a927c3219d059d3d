/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { expect } from 'chai';
import type { TokenUsage } from '../../src/api/types.js';
import { beyondMostRecent, PolicyCheck, violationOf, type Violation } from '../../src/usage/check.js';
import type { PolicyRules } from '../../src/usage/policy.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T12:00:00.000Z');
const ago = (days: number, ms = 0): string => new Date(NOW.getTime() - days * DAY - ms).toISOString();
const ORG = '00D000000000001AAA';
const APP = { identifier: '0xI000000000001AAA', developerName: 'Billing_Connector' };
const OTHER = { identifier: '0xI000000000002AAA', developerName: 'Mobile_Field_App' };

let serial = 0;
const token = (app: typeof APP, user: string, fields: Partial<TokenUsage> = {}): TokenUsage => ({
  tokenId: `tok${++serial}`,
  orgId: ORG,
  appIdentifier: app.identifier,
  appDeveloperName: app.developerName,
  userIdentifier: `005${user}`,
  username: `${user}@acme.example.com`,
  lastUsedAt: ago(1),
  initialConnectionAt: ago(10),
  ...fields,
});

/** The findings with their violations as they are shown (violationOf), sentences and all. */
function check(rules: PolicyRules, feed: (checker: PolicyCheck) => void): Omit<ReturnType<PolicyCheck['finish']>, 'violations'> & { violations: Violation[] } {
  const checker = new PolicyCheck(rules, NOW);
  feed(checker);
  const found = checker.finish();
  return { ...found, violations: found.violations.map(violationOf) };
}

const user = (name: string): { userIdentifier: string; username: string } => ({ userIdentifier: `005${name}`, username: `${name}@acme.example.com` });

describe('usage check: rules on both sides of their boundary', () => {
  it('stale: exactly N whole days ago is stale, a millisecond less is not, never used is', () => {
    const tokens = [token(APP, 'a', { lastUsedAt: ago(90) }), token(APP, 'a', { lastUsedAt: ago(89, 86_399_999) }), token(APP, 'a', { lastUsedAt: null })];
    const found = check({ staleDays: 90 }, (c) => c.addUserTokens(ORG, APP, user('a'), tokens));
    expect(found.violations.map((v) => v.tokenId)).to.deep.equal([tokens[0].tokenId, tokens[2].tokenId]);
    expect(found.violations[0].detail).to.equal('Last used 90 days ago, on 2026-09-02; the policy counts a token as stale after 90 days.');
    expect(found.violations[1].detail).to.match(/^Never used/);
    expect(found.fixPlan.map((t) => t.tokenId)).to.deep.equal([tokens[0].tokenId, tokens[2].tokenId]);
  });

  it('tokenAge: first granted exactly N days ago violates, N-1 does not, unknown is not judged', () => {
    const tokens = [token(APP, 'a', { initialConnectionAt: ago(365) }), token(APP, 'a', { initialConnectionAt: ago(364) }), token(APP, 'a', { initialConnectionAt: null })];
    const found = check({ maxTokenAgeDays: 365 }, (c) => c.addUserTokens(ORG, APP, user('a'), tokens));
    expect(found.violations.map((v) => [v.rule, v.tokenId])).to.deep.equal([['tokenAge', tokens[0].tokenId]]);
  });

  it('tokensPerUser: N tokens pass, N+1 is one violation per user, and the fix keeps the N most recently used', () => {
    const three = [token(APP, 'a'), token(APP, 'a'), token(APP, 'a')];
    const four = [
      token(APP, 'b', { lastUsedAt: ago(5) }),
      token(APP, 'b', { lastUsedAt: null }),
      token(APP, 'b', { lastUsedAt: ago(1) }),
      token(APP, 'b', { lastUsedAt: ago(3) }),
    ];
    const found = check({ maxTokensPerUser: 3 }, (c) => {
      c.addUserTokens(ORG, APP, user('a'), three);
      c.addUserTokens(ORG, APP, user('b'), four);
    });
    expect(found.violations).to.have.length(1);
    expect(found.violations[0]).to.include({ rule: 'tokensPerUser', userIdentifier: '005b', username: 'b@acme.example.com' });
    expect(found.violations[0].detail).to.equal('Holds 4 tokens of the app; the policy allows 3 per user.');
    // The never-used one goes: it is the least recently used.
    expect(found.fixPlan.map((t) => t.tokenId)).to.deep.equal([four[1].tokenId]);
  });

  it('unapprovedApp: one violation per app that holds tokens, one app-level fix, and its tokens need no DELETE of their own', () => {
    const found = check({ allowedApps: ['Billing_Connector'], staleDays: 30 }, (c) => {
      c.addApp(ORG, { identifier: '0xI000000000003AAA', developerName: 'Empty_App' });
      c.addUserTokens(ORG, OTHER, user('a'), [token(OTHER, 'a', { lastUsedAt: null }), token(OTHER, 'a')]);
      c.addUserTokens(ORG, OTHER, user('b'), [token(OTHER, 'b')]);
    });
    expect(found.violations.map((v) => v.rule)).to.deep.equal(['stale', 'unapprovedApp']);
    expect(found.violations[1]).to.include({ appDeveloperName: 'Mobile_Field_App', detail: 'Not among the policy\'s allowed apps, and holds 3 refresh tokens of 2 users.' });
    expect(found.fixPlan).to.deep.equal([{ scope: 'app', appIdentifier: OTHER.identifier, appDeveloperName: 'Mobile_Field_App' }]);
    expect(found.totals).to.deep.equal({ apps: 2, users: 2, tokens: 3, violations: 2, byRule: { stale: 1, tokenAge: 0, tokensPerUser: 0, unapprovedApp: 1 } });
  });

  it('applies overrides by developer name, and null switches a rule off for that app only', () => {
    const rules: PolicyRules = { staleDays: 90, apps: { Mobile_Field_App: { staleDays: null }, Billing_Connector: { staleDays: 30 } } };
    const found = check(rules, (c) => {
      c.addUserTokens(ORG, APP, user('a'), [token(APP, 'a', { lastUsedAt: ago(30) })]);
      c.addUserTokens(ORG, OTHER, user('a'), [token(OTHER, 'a', { lastUsedAt: null })]);
      c.addApp(ORG, { identifier: '0xI000000000004AAA', developerName: 'Third' });
    });
    expect(found.violations.map((v) => v.appDeveloperName)).to.deep.equal(['Billing_Connector']);
    const apps = found.appsByOrg[0].apps.map((app) => [app.developerName, app.rules]);
    expect(apps).to.deep.equal([
      ['Billing_Connector', ['stale']],
      ['Mobile_Field_App', []],
      ['Third', ['stale']],
    ]);
  });

  it('warns of overrides for apps no org lists', () => {
    const found = check({ staleDays: 9, apps: { Gone_App: { staleDays: 3 } } }, (c) => c.addApp(ORG, APP));
    expect(found.unlistedOverrides).to.deep.equal(['Gone_App']);
  });

  it('groups by org: counts per org, violations by org then rule', () => {
    const second = '00D000000000002AAA';
    const found = check({ staleDays: 30, maxTokensPerUser: 1 }, (c) => {
      c.addUserTokens(second, APP, user('a'), [token(APP, 'a', { lastUsedAt: null })]);
      c.addUserTokens(ORG, APP, user('a'), [token(APP, 'a'), token(APP, 'a', { lastUsedAt: null })]);
    });
    expect(found.orgs).to.deep.equal([
      { orgId: second, apps: 1, users: 1, tokens: 1, violations: 1 },
      { orgId: ORG, apps: 1, users: 1, tokens: 2, violations: 2 },
    ]);
    expect(found.violations.map((v) => `${v.orgId.slice(-4)} ${v.rule}`)).to.deep.equal(['2AAA stale', '1AAA stale', '1AAA tokensPerUser']);
    // One token both stale and beyond the user's limit is revoked once.
    expect(found.fixPlan).to.have.length(2);
  });

  it('keeps no token to revoke when it is not to fix anything: the same violations, no token targets', () => {
    const checker = new PolicyCheck({ staleDays: 30, maxTokensPerUser: 1 }, NOW, { fixes: false });
    checker.addUserTokens(ORG, APP, user('a'), [token(APP, 'a', { lastUsedAt: null }), token(APP, 'a')]);
    const found = checker.finish();
    expect(found.violations.map((v) => v.rule)).to.deep.equal(['stale', 'tokensPerUser']);
    expect(found.fixPlan).to.deep.equal([]);
  });

  it('stops at a lastUsedAt that is not a date, naming it', () => {
    expect(() => check({ staleDays: 1 }, (c) => c.addUserTokens(ORG, APP, user('a'), [token(APP, 'a', { lastUsedAt: 'yesterday' })]))).to.throw(/yesterday/);
  });
});

describe('usage check: violations as they are shown', () => {
  const ALL: PolicyRules = { staleDays: 30, maxTokenAgeDays: 365, maxTokensPerUser: 1, allowedApps: ['Billing_Connector'] };

  it('has the fields of the JSON result, in its order, and no field a rule does not have', () => {
    const tokens = [
      token(OTHER, 'a', { tokenId: 'never', lastUsedAt: null, initialConnectionAt: ago(400) }),
      token(OTHER, 'a', { tokenId: 'recent', username: undefined, lastUsedAt: ago(2), initialConnectionAt: null }),
    ];
    const found = check(ALL, (c) => c.addUserTokens(ORG, OTHER, user('a'), tokens));
    const app = { orgId: ORG, appIdentifier: OTHER.identifier, appDeveloperName: 'Mobile_Field_App' };
    const who = { userIdentifier: '005a', username: 'a@acme.example.com' };
    expect(found.violations.map((v) => Object.keys(v).join())).to.deep.equal([
      'rule,orgId,appIdentifier,appDeveloperName,userIdentifier,username,tokenId,lastUsedAt,initialConnectionAt,detail',
      'rule,orgId,appIdentifier,appDeveloperName,userIdentifier,username,tokenId,lastUsedAt,initialConnectionAt,detail',
      'rule,orgId,appIdentifier,appDeveloperName,userIdentifier,username,detail',
      'rule,orgId,appIdentifier,appDeveloperName,detail',
    ]);
    expect(found.violations).to.deep.equal([
      { rule: 'stale', ...app, ...who, tokenId: 'never', lastUsedAt: null, initialConnectionAt: ago(400), detail: found.violations[0].detail },
      { rule: 'tokenAge', ...app, ...who, tokenId: 'never', lastUsedAt: null, initialConnectionAt: ago(400), detail: 'First granted 400 days ago, on 2025-10-27; the policy allows tokens up to 365 days old.' },
      { rule: 'tokensPerUser', ...app, ...who, detail: 'Holds 2 tokens of the app; the policy allows 1 per user.' },
      { rule: 'unapprovedApp', ...app, detail: "Not among the policy's allowed apps, and holds 2 refresh tokens of 1 user." },
    ]);
    expect(found.violations[0].detail).to.equal('Never used; the policy counts a token as stale when it was never used, or not used for 30 days.');
  });

  it('makes the same violation each time it is asked, from a record that holds no sentence', () => {
    const checker = new PolicyCheck({ staleDays: 30 }, NOW);
    checker.addUserTokens(ORG, APP, user('a'), [token(APP, 'a', { lastUsedAt: ago(45) })]);
    const [record] = checker.finish().violations;
    expect(record).not.to.have.property('detail');
    expect(violationOf(record)).to.deep.equal(violationOf(record));
    expect(violationOf(record).detail).to.equal('Last used 45 days ago, on 2026-10-17; the policy counts a token as stale after 30 days.');
  });
});

describe('usage check: the tokens beyond the most recently used', () => {
  it('orders by last use, then by first grant, never-used last', () => {
    const t = [
      token(APP, 'a', { tokenId: 'old', lastUsedAt: ago(9) }),
      token(APP, 'a', { tokenId: 'never-new', lastUsedAt: null, initialConnectionAt: ago(1) }),
      token(APP, 'a', { tokenId: 'never-old', lastUsedAt: null, initialConnectionAt: ago(5) }),
      token(APP, 'a', { tokenId: 'new', lastUsedAt: ago(0) }),
    ];
    expect(beyondMostRecent(t, 1).map((x) => x.tokenId)).to.deep.equal(['old', 'never-new', 'never-old']);
    expect(beyondMostRecent(t, 4)).to.deep.equal([]);
  });
});
