import { expect } from 'chai';
import { assertAppInput, assertUserInput, closest, closeUsernames, resolveApp, resolveApps, resolveUsers } from '../../src/usage/resolve.js';
import type { OrgUser } from '../../src/api/types.js';
import { appId, appRow, expectRejection, expectSfError, userId } from './fakeTransport.js';

const billing = appRow(1, 'Billing_Connector');
const billing2 = appRow(2, 'Billing_Connector_2');
const payroll = appRow(3, 'Payroll_Sync');
const lowerCase = appRow(4, 'crm_bridge');
const APPS = [billing, billing2, payroll, lowerCase];

describe('resolve: resolveApp', () => {
  it('resolves an 18-character id to the API row with the 15-character identifier', () => {
    const resolved = resolveApp(appId(3, true), APPS);
    expect(resolved).to.equal(payroll);
    expect(resolved.identifier).to.equal(appId(3)).and.have.length(15);
  });

  it('resolves a 15-character id exactly', () => {
    expect(resolveApp(appId(2), APPS)).to.equal(billing2);
  });

  it('resolves an exact developer name, trimmed', () => {
    expect(resolveApp('Billing_Connector', APPS)).to.equal(billing);
    expect(resolveApp('  Payroll_Sync ', APPS)).to.equal(payroll);
  });

  it('resolves a developer name ignoring case', () => {
    expect(resolveApp('payroll_sync', APPS)).to.equal(payroll);
    expect(resolveApp('CRM_BRIDGE', APPS)).to.equal(lowerCase);
  });

  it('prefers an exact name over a case-insensitive one', () => {
    const upper = appRow(5, 'Crm_Bridge');
    expect(resolveApp('Crm_Bridge', [lowerCase, upper])).to.equal(upper);
  });

  it('refuses a name matching several apps only by case, listing them', () => {
    const upper = appRow(5, 'CRM_Bridge');
    const error = expectSfError(() => resolveApp('Crm_bridge', [lowerCase, upper]), 'UnknownAppError');
    expect(error.actions!.join('\n')).to.include('CRM_Bridge').and.include('crm_bridge');
  });

  it('refuses an unknown name with UnknownAppError that says why, and suggests the close developer names first', () => {
    const error = expectSfError(() => resolveApp('Billing_Conector', APPS), 'UnknownAppError');
    expect(error.message).to.include('"Billing_Conector"').and.include('OAuth usage is gone').and.include('the name is wrong');
    expect(error.actions![0]).to.equal('Did you mean: Billing_Connector, Billing_Connector_2?');
    expect(error.actions!.join('\n')).to.not.include('Payroll_Sync');
    expect(error.actions![1]).to.include('usage list');
  });

  it('suggests the org\'s names without the control sequences they hold', () => {
    // Close enough to be suggested: a "clear the screen" (ESC [2J) is four characters.
    const clearing = appRow(5, '\u001b[2JCustomer_Billing_Connector');
    const error = expectSfError(() => resolveApp('Customer_Billing_Conector', [clearing, payroll]), 'UnknownAppError');
    expect(error.actions![0]).to.equal('Did you mean: Customer_Billing_Connector?');
  });

  it('refuses an unknown name with no near match without suggestions', () => {
    const error = expectSfError(() => resolveApp('Zebra', APPS), 'UnknownAppError');
    expect(error.actions!.join('\n')).to.not.include('Did you mean');
  });

  it('refuses an app id that is not in the list, saying the ID has no OAuth usage', () => {
    const error = expectSfError(() => resolveApp(appId(99), APPS), 'UnknownAppIdError');
    expect(error.message).to.include(`ID "${appId(99)}"`);
  });

  it('does not match an id whose case differs', () => {
    expect(() => resolveApp(appId(3).replace('0xI', '0xi'), APPS)).to.throw();
  });

  it('resolveApps keeps the order of the inputs and drops repeats', () => {
    expect(resolveApps(['Payroll_Sync', appId(1, true), 'billing_connector', appId(3)], APPS)).to.deep.equal([payroll, billing]);
  });

  it('resolveApps leaves out an id with no OAuth usage (nothing to list or revoke), telling of it, but refuses an unknown name', () => {
    const unlisted: string[] = [];
    expect(resolveApps([appId(99), 'Payroll_Sync'], APPS, (id) => unlisted.push(id))).to.deep.equal([payroll]);
    expect(resolveApps([appId(98, true)], APPS, (id) => unlisted.push(id))).to.deep.equal([]);
    expect(unlisted).to.deep.equal([appId(99, true), appId(98, true)]);
    expectSfError(() => resolveApps(['Payroll_Sync', 'Billing_Conector'], APPS), 'UnknownAppError');
  });

  it('assertAppInput checks an app id before any request (a mistyped one is refused) and leaves developer names to the app list', () => {
    expect(assertAppInput(` ${appId(3)} `)).to.equal(appId(3, true));
    expect(assertAppInput('Billing_Connector')).to.equal('Billing_Connector');
    expectSfError(() => assertAppInput(`${appId(3)}XXX`), 'MistypedIdError');
  });

  it('refuses an 18-character app id whose checksum is wrong as mistyped, naming the right one', () => {
    const mistyped = `${appId(3)}XXX`;
    const error = expectSfError(() => resolveApp(mistyped, APPS), 'MistypedIdError');
    expect(error.message).to.include(`"${mistyped}"`).and.include(appId(3, true));
    expectSfError(() => resolveApps([mistyped], APPS), 'MistypedIdError');
  });
});

describe('resolve: resolveUsers', () => {
  const ORG: OrgUser[] = [
    { Id: userId(1, true), Username: 'aaron.jensen@acme.example.com' },
    { Id: userId(2, true), Username: "o'brien@acme.example.com" },
    { Id: userId(7, true), Username: 'zoe@acme.example.com' },
  ];
  type Lookup = { usernames?: readonly string[]; ids?: readonly string[] };
  type OrgClient = {
    findUsers: (lookup: Lookup) => Promise<OrgUser[]>;
    findUsersByPrefix: (prefixes: readonly string[], limit: number) => Promise<OrgUser[]>;
    queries: Lookup[];
    prefixQueries: Array<{ prefixes: readonly string[]; limit: number }>;
  };
  const orgClient = (): OrgClient => {
    const queries: Lookup[] = [];
    const prefixQueries: OrgClient['prefixQueries'] = [];
    return {
      queries,
      prefixQueries,
      // As SOQL's LIKE 'prefix%' does: ignoring case.
      findUsersByPrefix: (prefixes, limit): Promise<OrgUser[]> => {
        prefixQueries.push({ prefixes, limit });
        return Promise.resolve(ORG.filter((user) => prefixes.some((prefix) => user.Username.toLowerCase().startsWith(prefix))).slice(0, limit));
      },
      findUsers: (lookup): Promise<OrgUser[]> => {
        queries.push(lookup);
        // As SOQL does: usernames ignoring case, ids in their 15- or 18-character form.
        return Promise.resolve(
          ORG.filter(
            (user) =>
              (lookup.usernames ?? []).includes(user.Username.toLowerCase()) ||
              (lookup.ids ?? []).some((id) => id.slice(0, 15) === user.Id.slice(0, 15))
          )
        );
      },
    };
  };

  it('verifies every username and id in one lookup, ignoring the case of usernames, and answers 18-character ids', async () => {
    const client = orgClient();
    const refs = await resolveUsers(client, [' Aaron.Jensen@ACME.example.com', userId(7), "O'Brien@acme.example.com"]);
    expect(refs).to.deep.equal([
      { userIdentifier: userId(1, true), username: 'aaron.jensen@acme.example.com' },
      { userIdentifier: userId(7, true), username: 'zoe@acme.example.com' },
      { userIdentifier: userId(2, true), username: "o'brien@acme.example.com" },
    ]);
    expect(client.queries).to.deep.equal([{ usernames: ['aaron.jensen@acme.example.com', "o'brien@acme.example.com"], ids: [userId(7, true)] }]);
  });

  it('takes a 15-character id as its 18-character form (Setup URLs show 15), and names a user given twice once', async () => {
    const client = orgClient();
    expect(await resolveUsers(client, [userId(1), userId(1, true)])).to.deep.equal([
      { userIdentifier: userId(1, true), username: 'aaron.jensen@acme.example.com' },
    ]);
    expect(client.queries).to.deep.equal([{ usernames: [], ids: [userId(1, true)] }]);
    expect(await resolveUsers(client, ['aaron.jensen@acme.example.com', userId(1)])).to.have.length(1);
  });

  it('refuses usernames and ids that no user of the org has, naming each; suggests close usernames from one more lookup', async () => {
    const client = orgClient();
    const error = await expectRejection(
      resolveUsers(client, ['nobody@acme.example.com', 'aaron.jensen@acme.example.com', userId(55), 'aaron.jensn@acme.example.com']),
      'UnknownUserError'
    );
    expect(error.message).to.include(
      `the username "nobody@acme.example.com", the ID "${userId(55, true)}", the username "aaron.jensn@acme.example.com"`
    );
    // Only the typo has a close username; nobody@ gets none, and the fixed advice follows.
    expect(error.actions![0]).to.equal('For "aaron.jensn@acme.example.com", did you mean: aaron.jensen@acme.example.com?');
    expect(error.actions!.slice(1).join('\n')).to.not.match(/did you mean/i);
    expect(error.actions!.slice(1).join('\n')).to.include('sf data query');
    expect(client.prefixQueries).to.deep.equal([{ prefixes: ['nob', 'aar'], limit: 1000 }]);
  });

  it('one unknown username: "Did you mean" with the close ones, or nothing and no suggestion when none is close', async () => {
    const typo = await expectRejection(resolveUsers(orgClient(), ['zoe@acme.example.co']), 'UnknownUserError');
    expect(typo.actions![0]).to.equal('Did you mean: zoe@acme.example.com?');
    const far = await expectRejection(resolveUsers(orgClient(), ['zorro@elsewhere.example.org']), 'UnknownUserError');
    expect(far.actions!.join('\n')).to.not.match(/did you mean/i);
    // Unknown ids only: nothing to look for, no second query.
    const client = orgClient();
    await expectRejection(resolveUsers(client, [userId(55)]), 'UnknownUserError');
    expect(client.prefixQueries).to.deep.equal([]);
  });

  it('a failed suggestion lookup still ends in the unknown-user error, without suggestions', async () => {
    const client = { ...orgClient(), findUsersByPrefix: (): Promise<OrgUser[]> => Promise.reject(new Error('boom')) };
    const error = await expectRejection(resolveUsers(client, ['aaron.jensn@acme.example.com']), 'UnknownUserError');
    expect(error.actions!.join('\n')).to.not.match(/did you mean/i);
  });

  it('refuses an invalid or mistyped value before any lookup', async () => {
    const client = orgClient();
    await expectRejection(resolveUsers(client, ['aaron.jensen@acme.example.com', 'bob']), 'InvalidIdError');
    await expectRejection(resolveUsers(client, [`${userId(1)}ZZZ`]), 'MistypedIdError');
    expect(client.queries).to.deep.equal([]);
  });

  it('assertUserInput accepts usernames and ids (as 18 characters), refuses anything else', () => {
    expect(assertUserInput(' a@b.c ')).to.equal('a@b.c');
    expect(assertUserInput(userId(1, true))).to.equal(userId(1, true));
    expect(assertUserInput(userId(1))).to.equal(userId(1, true));
    expectSfError(() => assertUserInput('bob'), 'InvalidIdError');
    expectSfError(() => assertUserInput('005/../../x'), 'InvalidIdError');
  });
});

describe('resolve: closeUsernames', () => {
  const names = ['jane.doe@acme.example.com', 'jane.doe@acme.example.com.fullcopy', 'jane.roe@acme.example.com', 'janet.smith@acme.example.com'];

  it('suggests a typo, and the same username with a sandbox suffix, typos first', () => {
    expect(closeUsernames('jane.deo@acme.example.com', names)).to.deep.equal(['jane.doe@acme.example.com', 'jane.roe@acme.example.com']);
    // 9 edits away, too far for a typo; but a sandbox copies each username with ".<sandbox name>" added.
    const copies = ['jane.doe@acme.example.com.fullcopy', 'jane.roe@acme.example.com.fullcopy', 'jane.doe@acme.example.com.full.copy'];
    expect(closeUsernames('Jane.Doe@acme.example.com', copies)).to.deep.equal(['jane.doe@acme.example.com.fullcopy']);
  });

  it('suggests nothing when nothing is close', () => {
    expect(closeUsernames('jack@other.example.org', names)).to.deep.equal([]);
  });
});

describe('resolve: closest', () => {
  it('suggests names at most max(2, 20% of the input) edits away, ignoring case, nearest first', () => {
    const names = ['Billing_Connector', 'Billing_Sync', 'Payroll_Sync'];
    expect(closest('Biling_Conector', names)).to.deep.equal(['Billing_Connector']);
    expect(closest('Payrol_Synk', names)).to.deep.equal(['Payroll_Sync']);
    expect(closest('BILLING_SYNC', names)).to.deep.equal(['Billing_Sync']);
  });

  it('keeps at most three, and does not count a shared prefix as close', () => {
    const names = ['Billing_Connector', 'Billing_Connector_2', 'Billing_Sync', 'Payroll_Sync', 'Billing_Connectr', 'Billing_Connect'];
    expect(closest('billing_connector', names)).to.deep.equal(['Billing_Connector', 'Billing_Connectr', 'Billing_Connect']);
    expect(closest('billing', names, 5)).to.deep.equal([]);
  });

  it('suggests nothing for a distant name, and nothing that only shares a domain', () => {
    expect(closest('Zebra', ['Billing_Connector', 'Payroll_Sync'])).to.deep.equal([]);
    expect(closest('nobody@acme.example.com', ['zoe.ueda@acme.example.com', 'zoe.lopez@acme.example.com'])).to.deep.equal([]);
  });
});
