import { expect } from 'chai';
import { assertUserInput, closest, resolveApp, resolveApps, selectUsers, userMatches } from '../../src/shared/resolve.js';
import { appId, appRow, expectSfError, userId, userRow } from './fakeTransport.js';

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

  it('refuses an unknown name with UnknownAppError whose actions name the closest developer names', () => {
    const error = expectSfError(() => resolveApp('Billing_Conector', APPS), 'UnknownAppError');
    expect(error.message).to.include('Billing_Conector');
    const actions = error.actions!.join('\n');
    expect(actions).to.include('Billing_Connector');
    expect(actions).to.not.include('Payroll_Sync');
  });

  it('refuses an unknown name with no near match without suggestions', () => {
    const error = expectSfError(() => resolveApp('Zebra', APPS), 'UnknownAppNoSuggestionError');
    expect(error.actions!.join('\n')).to.not.include('Did you mean');
  });

  it('refuses an app id that is not in the list', () => {
    expect(() => resolveApp(appId(99), APPS)).to.throw().with.property('name').that.matches(/^UnknownApp/);
  });

  it('does not match an id whose case differs', () => {
    expect(() => resolveApp(appId(3).replace('0xI', '0xi'), APPS)).to.throw();
  });

  it('resolveApps keeps the order of the inputs and drops repeats', () => {
    expect(resolveApps(['Payroll_Sync', appId(1, true), 'billing_connector', appId(3)], APPS)).to.deep.equal([payroll, billing]);
  });
});

describe('resolve: users', () => {
  const users = [userRow(billing, 1), userRow(billing, 2), userRow(payroll, 1), userRow(payroll, 3)];

  it('matches a username ignoring case', () => {
    expect(userMatches('USER1@Acme.Example.com', users[0])).to.equal(true);
    expect(userMatches('user1@acme.example.co', users[0])).to.equal(false);
  });

  it('matches a user id on 15 or 18 characters', () => {
    expect(userMatches(userId(2), users[1])).to.equal(true);
    expect(userMatches(userId(2, true), users[1])).to.equal(true);
    expect(userMatches(userId(3), users[1])).to.equal(false);
  });

  it('selectUsers returns every row of the named users across apps, in scope order', () => {
    const selected = selectUsers(['User1@ACME.example.com', userId(3, true)], users, 'the 2 apps in scope');
    expect(selected).to.deep.equal([users[0], users[2], users[3]]);
  });

  it('refuses an unknown username with UnknownUserError that suggests close usernames', () => {
    const error = expectSfError(() => selectUsers(['user1@acme.example.co'], users, 'app Billing_Connector'), 'UnknownUserError');
    expect(error.message).to.include('app Billing_Connector').and.include('user1@acme.example.co');
    expect(error.actions!.join('\n')).to.include('user1@acme.example.com');
  });

  it('refuses an unknown user id with UnknownUserNoSuggestionError', () => {
    const error = expectSfError(() => selectUsers([userId(1), userId(9)], users, 'app X'), 'UnknownUserNoSuggestionError');
    expect(error.message).to.include(userId(9));
  });

  it('assertUserInput accepts usernames and ids, refuses anything else', () => {
    expect(assertUserInput(' a@b.c ')).to.equal('a@b.c');
    expect(assertUserInput(userId(1, true))).to.equal(userId(1, true));
    expectSfError(() => assertUserInput('bob'), 'InvalidIdError');
    expectSfError(() => assertUserInput('005/../../x'), 'InvalidIdError');
  });
});

describe('resolve: closest', () => {
  it('suggests names within edit distance of a third of the input, nearest first', () => {
    const names = ['Billing_Connector', 'Billing_Sync', 'Payroll_Sync'];
    expect(closest('Biling_Conector', names)).to.deep.equal(['Billing_Connector']);
    expect(closest('Payrol_Synk', names)).to.deep.equal(['Payroll_Sync']);
  });

  it('ranks substring matches first, then near names, at most three', () => {
    const names = ['Billing_Connector', 'Billing_Connector_2', 'Billing_Sync', 'Payroll_Sync', 'Billing_Connectr'];
    expect(closest('billing_connector', names)).to.deep.equal(['Billing_Connector', 'Billing_Connector_2', 'Billing_Connectr']);
    expect(closest('billing', names, 5)).to.include.members(['Billing_Connector', 'Billing_Sync']);
    expect(closest('billing', names, 5)).to.not.include('Payroll_Sync');
  });

  it('suggests nothing for a distant name', () => {
    expect(closest('Zebra', ['Billing_Connector', 'Payroll_Sync'])).to.deep.equal([]);
  });
});
