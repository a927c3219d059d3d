import { expect } from 'chai';
import type { PlannedTarget, RevokeTarget } from '../../src/usage/targets.js';
import { confirmQuestion, describeNotFound, describePlan, planBreakdown, summaryLines, tableRows } from '../../src/ux/revokeSummary.js';
import { orgName } from '../../src/ux/orgName.js';

const token = (app: number, user: number, id: string): PlannedTarget => ({
  scope: 'token',
  tokenId: id,
  appIdentifier: `0xIHs00000000${String(app).padStart(2, '0')}`,
  appDeveloperName: `App_${app}`,
  userIdentifier: `005Hs00000000${String(user).padStart(2, '0')}AAA`,
  username: `user${user}@acme.example.com`,
});
const userTarget = (user: number, app = 1): PlannedTarget => ({ ...token(app, user, ''), scope: 'user', tokenId: undefined });
const done = (target: PlannedTarget, status: RevokeTarget['status'], errorCode?: string): RevokeTarget => ({ ...target, status, errorCode });

describe('revokeSummary: describePlan', () => {
  it('counts tokens, their users and their apps, with plurals', () => {
    expect(describePlan([token(1, 1, 'a'), token(1, 2, 'b'), token(2, 2, 'c')])).to.equal('3 refresh tokens of 2 users in 2 apps');
    expect(describePlan([token(1, 1, 'a')])).to.equal('1 refresh token of 1 user of App_1');
  });

  it('leaves out what the plan does not know: token ids alone are just tokens', () => {
    expect(describePlan([{ scope: 'token', tokenId: 'a' }, { scope: 'token', tokenId: 'b' }])).to.equal('2 refresh tokens');
  });

  it('counts a user-level plan in users, never in tokens', () => {
    expect(describePlan([userTarget(1), userTarget(2)])).to.equal('all tokens of 2 users of App_1');
    expect(describePlan([userTarget(1)])).to.equal('all tokens of 1 user of App_1');
  });

  it('names the app of an app-level plan, with its users when they were counted', () => {
    const app: PlannedTarget = { scope: 'app', appIdentifier: '0xIHs0000000001', appDeveloperName: 'Legacy_Sync' };
    expect(describePlan([app])).to.equal('every token of Legacy_Sync');
    expect(describePlan([app], 12)).to.equal('every token of Legacy_Sync (12 users)');
    expect(describePlan([app], 1)).to.equal('every token of Legacy_Sync (1 user)');
  });
});

describe('revokeSummary: planBreakdown', () => {
  it('gives one line per app, largest first, and "… and N more apps" after five', () => {
    const plan = [1, 2, 3, 4, 5, 6, 7].flatMap((app) => Array.from({ length: app }, (_, i) => token(app, i, `t${app}-${i}`)));
    expect(planBreakdown(plan)).to.deep.equal([
      'App_7: 7 refresh tokens of 7 users',
      'App_6: 6 refresh tokens of 6 users',
      'App_5: 5 refresh tokens of 5 users',
      'App_4: 4 refresh tokens of 4 users',
      'App_3: 3 refresh tokens of 3 users',
      '… and 2 more apps',
    ]);
    expect(planBreakdown(plan.filter((target) => target.appDeveloperName !== 'App_1')).pop()).to.equal('… and 1 more app');
  });

  it('is empty for one app, which the plan phrase already names', () => {
    expect(planBreakdown([token(1, 1, 'a'), token(1, 2, 'b')])).to.deep.equal([]);
  });

  it('groups tokens whose app is not known under a line of their own', () => {
    expect(planBreakdown([token(1, 1, 'a'), { scope: 'token', tokenId: 'b' }])).to.deep.equal(['App_1: 1 refresh token of 1 user', '(app not named): 1 refresh token']);
  });
});

describe('revokeSummary: summaryLines', () => {
  it('counts never-sent targets apart from those that failed', () => {
    const targets = [done(token(1, 1, 'a'), 'revoked'), done(token(1, 1, 'b'), 'failed', 'UNKNOWN_EXCEPTION'), done(token(1, 2, 'c'), 'failed', 'NOT_SENT'), done(token(1, 2, 'd'), 'failed', 'NOT_SENT')];
    expect(summaryLines(targets)).to.deep.equal(['4 refresh tokens of 2 users of App_1: revoked 1 refresh token, not found 0, failed 1, not sent 2.']);
  });

  it('leaves "not sent" out when everything was sent', () => {
    expect(summaryLines([done(token(1, 1, 'a'), 'revoked'), done(token(1, 1, 'b'), 'not-found')])).to.deep.equal([
      '2 refresh tokens of 1 user of App_1: revoked 1 refresh token, not found 1, failed 0.',
    ]);
  });

  it('counts user-level and app-level targets as users and apps, never as tokens', () => {
    expect(summaryLines([done(userTarget(1), 'revoked'), done(userTarget(2), 'revoked')])).to.deep.equal([
      'All tokens of 2 users of App_1: revoked the tokens of 2 users, not found 0, failed 0.',
    ]);
    expect(summaryLines([done({ scope: 'app', appIdentifier: '0xIHs0000000001', appDeveloperName: 'Legacy_Sync' }, 'revoked')])).to.deep.equal([
      'Every token of Legacy_Sync: revoked the tokens of 1 app, not found 0, failed 0.',
    ]);
  });
});

describe('revokeSummary: offboarding one user from several apps', () => {
  const inApp = (app: number): PlannedTarget => ({ ...token(app, 7, ''), scope: 'user', tokenId: undefined });

  it('counts the user once and names the apps, with the app-user pairs (one request each), in the plan and in the summary', () => {
    const plan = [inApp(1), inApp(2), inApp(3)];
    expect(describePlan(plan)).to.equal('all tokens of 1 user in 3 apps (3 app-user pairs, one request each)');
    expect(summaryLines(plan.map((target) => done(target, 'revoked')))).to.deep.equal([
      'All tokens of 1 user in 3 apps (3 app-user pairs, one request each): revoked the tokens of 1 user in 3 apps, not found 0, failed 0.',
    ]);
  });

  it('says how many tokens would go where the plan read them (offboarding), in total and per app', () => {
    const plan = [{ ...inApp(1), tokenCount: 2 }, { ...inApp(2), tokenCount: 3 }];
    expect(describePlan(plan)).to.equal('all 5 refresh tokens of 1 user in 2 apps (2 app-user pairs, one request each)');
    expect(planBreakdown(plan)).to.deep.equal(['App_1: all 2 refresh tokens of 1 user', 'App_2: all 3 refresh tokens of 1 user']);
  });

  it('counts the users of each app so that the per-app lines add up to the whole (--by-user across apps)', () => {
    // Users 1 and 2 in app 1, users 2 and 3 in app 2: 3 people, 4 app-user pairs, 4 requests.
    const plan = [userTarget(1, 1), userTarget(2, 1), userTarget(2, 2), userTarget(3, 2)];
    expect(describePlan(plan)).to.equal('all tokens of 3 users in 2 apps (4 app-user pairs, one request each)');
    expect(planBreakdown(plan).map((line) => /of (\d+) user/.exec(line)![1])).to.deep.equal(['2', '2']);
  });
});

describe('revokeSummary: names from the org or a file', () => {
  const ESC = '\u001b';
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
  const linked = `${ESC}]8;;https://evil.example.com${ESC}\\Billing${ESC}]8;;\u0007`;
  const coloured = `${ESC}[31mPayroll\u009b0m\nRevoked 0 refresh tokens.`;
  const plan: PlannedTarget[] = [
    { ...token(1, 1, 'a'), appDeveloperName: linked },
    { ...token(2, 1, 'b'), appDeveloperName: coloured },
    { ...token(2, 2, 'c'), appDeveloperName: coloured },
  ];

  it('reach the prompt, the dry run, the breakdown and the summary without control sequences or line breaks', () => {
    // The question's own lines, and no line of a name's.
    const question = confirmQuestion(plan, undefined, 'prod').split('\n');
    expect(question).to.deep.equal([
      'Revoke 3 refresh tokens of 2 users in 2 apps in org prod:',
      '  Payroll Revoked 0 refresh tokens.: 2 refresh tokens of 2 users',
      '  Billing: 1 refresh token of 1 user',
      "This can't be undone. Revoke?",
    ]);
    const single = [{ scope: 'app' as const, appIdentifier: '0xIHs0000000001', appDeveloperName: linked }];
    expect(describePlan(single)).to.equal('every token of Billing');
    for (const line of [...planBreakdown(plan), ...summaryLines(plan.map((target) => done(target, 'revoked')))]) expect(line).not.to.match(CONTROL);
  });
});

describe('revokeSummary: describeNotFound', () => {
  it('counts what was already gone in its units, or nothing', () => {
    expect(describeNotFound([done(token(1, 1, 'a'), 'not-found'), done(token(1, 1, 'b'), 'revoked')])).to.equal('1 refresh token');
    expect(describeNotFound([done(userTarget(1), 'not-found'), done(userTarget(2), 'not-found')])).to.equal('the tokens of 2 users');
    expect(describeNotFound([done(token(1, 1, 'a'), 'revoked')])).to.equal(undefined);
  });
});

describe('revokeSummary: tableRows', () => {
  const many = (n: number, status: RevokeTarget['status']): RevokeTarget[] => Array.from({ length: n }, (_, i) => done(token(1, i, `t${i}`), status));

  it('puts failures first (refused, then never sent) and shows at most 50 rows, then how many more', () => {
    const refused = done(token(1, 1, 'refused'), 'failed', 'UNKNOWN_EXCEPTION');
    const notSent = done(token(1, 1, 'unsent'), 'failed', 'NOT_SENT');
    const { rows, more } = tableRows(many(60, 'revoked'), [notSent, refused]);
    expect(rows).to.have.length(50);
    expect(rows.slice(0, 2).map((row) => row.tokenId)).to.deep.equal(['refused', 'unsent']);
    expect(more).to.equal('… and 12 more (use --json for every target).');
  });

  it('shows every row of a short run', () => {
    expect(tableRows(many(50, 'would-revoke'), [])).to.deep.equal({ rows: many(50, 'would-revoke') });
  });
});

describe('orgName', () => {
  it('names the org as the user did, unless that was an access token', () => {
    expect(orgName('prod', '00D000000000001AAA')).to.equal('prod');
    expect(orgName('admin@acme.example.com', '00D000000000001AAA')).to.equal('admin@acme.example.com');
    expect(orgName('00D000000000001AAA!AQEAQ.secret_value', '00D000000000001AAA')).to.equal('00D000000000001AAA');
    expect(orgName(undefined, '00D000000000001AAA')).to.equal('00D000000000001AAA');
  });
});
