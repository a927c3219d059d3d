import { expect } from 'chai';
import { chooseSelection, type SelectionInput } from '../../src/usage/selection.js';
import { expectSfError, userId } from './fakeTransport.js';

const none: SelectionInput = { tokenIds: [], apps: [], users: [], allUsers: false, criteria: {} };
const input = (overrides: Partial<SelectionInput>): SelectionInput => ({ ...none, ...overrides });
const unused = { unusedDays: 90 };

describe('selection: valid modes', () => {
  it('--token-id selects token ids', () => {
    expect(chooseSelection(input({ tokenIds: ['T1', 'T2'] }))).to.deep.equal({ kind: 'tokenIds', tokenIds: ['T1', 'T2'] });
  });

  it('--from-file selects the file', () => {
    expect(chooseSelection(input({ fromFile: 'tokens.csv' }))).to.deep.equal({ kind: 'file', path: 'tokens.csv' });
  });

  it('--app with --user selects users of one app', () => {
    expect(chooseSelection(input({ apps: ['Billing'], users: ['a@b.c', userId(1, true)] }))).to.deep.equal({
      kind: 'users',
      apps: ['Billing'],
      users: ['a@b.c', userId(1, true)],
    });
  });

  it('--app with --all-users selects the whole app', () => {
    expect(chooseSelection(input({ apps: ['Billing'], allUsers: true }))).to.deep.equal({ kind: 'app', app: 'Billing' });
  });

  it('a filter alone selects across every app and user', () => {
    expect(chooseSelection(input({ criteria: unused }))).to.deep.equal({ kind: 'filter', apps: [], users: [], criteria: unused });
  });

  it('a filter with several apps and users narrows the filter', () => {
    const criteria = { before: new Date('2026-01-01T00:00:00Z'), after: new Date('2025-01-01T00:00:00Z') };
    expect(chooseSelection(input({ criteria, apps: ['A', 'B'], users: ['a@b.c'] }))).to.deep.equal({
      kind: 'filter',
      apps: ['A', 'B'],
      users: ['a@b.c'],
      criteria,
    });
  });

  it('a filter with --user and no --app is allowed', () => {
    expect(chooseSelection(input({ criteria: unused, users: ['a@b.c'] }))).to.include({ kind: 'filter' });
  });
});

describe('selection: --by-user', () => {
  it('a filter with --by-user judges user rows, in every app', () => {
    expect(chooseSelection(input({ criteria: unused, byUser: true }))).to.deep.equal({ kind: 'byUser', apps: [], criteria: unused });
  });

  it('--app (repeatable) narrows the apps', () => {
    expect(chooseSelection(input({ criteria: unused, byUser: true, apps: ['A', 'B'] }))).to.deep.equal({ kind: 'byUser', apps: ['A', 'B'], criteria: unused });
  });

  it('without a filter, or with --user, is a wrong combination: exit 2', () => {
    const wrong: Array<[Partial<SelectionInput>, string]> = [
      [{ byUser: true }, 'ByUserWithoutFilterError'],
      [{ byUser: true, apps: ['A'] }, 'ByUserWithoutFilterError'],
      [{ byUser: true, fromFile: 'users.csv' }, 'ByUserWithoutFilterError'],
      [{ byUser: true, criteria: unused, users: ['a@b.c'] }, 'ByUserWithUserError'],
      [{ byUser: true, criteria: unused, tokenIds: ['T1'] }, 'ConflictingSelectionError'],
      [{ byUser: true, criteria: unused, apps: ['A'], allUsers: true }, 'ConflictingSelectionError'],
    ];
    for (const [flags, name] of wrong) {
      expect(expectSfError(() => chooseSelection(input(flags)), name).exitCode, name).to.equal(2);
    }
  });
});

describe('selection: invalid combinations', () => {
  it('--app alone is AppAloneError', () => {
    expectSfError(() => chooseSelection(input({ apps: ['Billing'] })), 'AppAloneError');
  });

  it('nothing at all is NoSelectionError, with actions', () => {
    const error = expectSfError(() => chooseSelection(none), 'NoSelectionError');
    expect(error.actions).to.be.an('array').that.is.not.empty;
  });

  it('--token-id with --from-file conflicts', () => {
    const error = expectSfError(() => chooseSelection(input({ tokenIds: ['T1'], fromFile: 'x.csv' })), 'ConflictingSelectionError');
    expect(error.message).to.include('--token-id').and.include('--from-file');
  });

  it('--token-id with --app conflicts', () => {
    const error = expectSfError(() => chooseSelection(input({ tokenIds: ['T1'], apps: ['Billing'] })), 'ConflictingSelectionError');
    expect(error.message).to.include('--token-id').and.include('--app');
  });

  it('--from-file with --user conflicts', () => {
    const error = expectSfError(() => chooseSelection(input({ fromFile: 'x.csv', users: ['a@b.c'] })), 'ConflictingSelectionError');
    expect(error.message).to.include('--from-file').and.include('--user');
  });

  it('--token-id with a filter conflicts', () => {
    expectSfError(() => chooseSelection(input({ tokenIds: ['T1'], criteria: unused })), 'ConflictingSelectionError');
  });

  it('--all-users with --user conflicts', () => {
    const error = expectSfError(() => chooseSelection(input({ apps: ['Billing'], allUsers: true, users: ['a@b.c'] })), 'ConflictingSelectionError');
    expect(error.message).to.include('--all-users').and.include('--user');
  });

  it('--all-users with a filter conflicts', () => {
    expectSfError(() => chooseSelection(input({ apps: ['Billing'], allUsers: true, criteria: unused })), 'ConflictingSelectionError');
  });

  it('--all-users with two apps is OneAppOnlyError', () => {
    const error = expectSfError(() => chooseSelection(input({ apps: ['A', 'B'], allUsers: true })), 'OneAppOnlyError');
    expect(error.message).to.include('--all-users').and.include('2');
  });

  it('--all-users without --app is OneAppOnlyError', () => {
    expectSfError(() => chooseSelection(input({ allUsers: true })), 'OneAppOnlyError');
  });

  it('--user with two apps and no filter is OneAppOnlyError', () => {
    expectSfError(() => chooseSelection(input({ apps: ['A', 'B'], users: ['a@b.c'] })), 'OneAppOnlyError');
  });

  it('--user without --app and without a filter selects the users in every app (offboarding)', () => {
    expect(chooseSelection(input({ users: ['a@b.c'] }))).to.deep.equal({ kind: 'users', apps: [], users: ['a@b.c'] });
  });

  it('every wrong combination exits 2, like oclif\'s own flag errors', () => {
    const wrong: Array<[Partial<SelectionInput>, string]> = [
      [{}, 'NoSelectionError'],
      [{ apps: ['Billing'] }, 'AppAloneError'],
      [{ tokenIds: ['T1'], fromFile: 'x.csv' }, 'ConflictingSelectionError'],
      [{ tokenIds: ['T1'], apps: ['Billing'] }, 'ConflictingSelectionError'],
      [{ apps: ['Billing'], allUsers: true, users: ['a@b.c'] }, 'ConflictingSelectionError'],
      [{ allUsers: true }, 'OneAppOnlyError'],
      [{ apps: ['A', 'B'], users: ['a@b.c'] }, 'OneAppOnlyError'],
    ];
    for (const [flags, name] of wrong) {
      expect(expectSfError(() => chooseSelection(input(flags)), name).exitCode, name).to.equal(2);
    }
  });

  it('a bad value is not a wrong combination: it exits 1', () => {
    expect(expectSfError(() => chooseSelection(input({ apps: ['Billing'], users: ['bob'] })), 'InvalidIdError').exitCode).to.equal(1);
  });

  it('a --user that is neither a username nor an id is InvalidIdError', () => {
    expectSfError(() => chooseSelection(input({ apps: ['Billing'], users: ['bob'] })), 'InvalidIdError');
    expectSfError(() => chooseSelection(input({ criteria: unused, users: ['005/../x'] })), 'InvalidIdError');
  });
});
