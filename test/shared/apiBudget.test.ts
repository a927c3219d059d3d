import { SfError } from '@salesforce/core';
import { expect } from 'chai';
import { BUDGET_FREE_REQUESTS, checkApiBudget } from '../../src/usage/apiBudget.js';
import { tokenInventory } from '../../src/usage/inventory.js';
import type { UserUsage } from '../../src/api/types.js';
import { apiFailure, appRow, expectRejection, FakeTransport, json, makeClient, serveOrg, userRow } from './fakeTransport.js';

const limits = (max: number, remaining: number): ReturnType<typeof json> => json({ DailyApiRequests: { Max: max, Remaining: remaining } });

describe('checkApiBudget', () => {
  it('sends no request for a plan of 200 or fewer', async () => {
    const transport = new FakeTransport();
    const { client } = makeClient(transport);
    expect(await checkApiBudget(client, BUDGET_FREE_REQUESTS, 1)).to.equal(undefined);
    expect(transport.calls).to.deep.equal([]);
  });

  it('reads the limits once and lets a plan within the budget through', async () => {
    const transport = new FakeTransport().on('GET', '/limits', limits(15_000, 1000));
    const { client } = makeClient(transport);
    expect(await checkApiBudget(client, 500, 50)).to.equal(undefined);
    expect(transport.callsTo('GET', '/limits')).to.have.length(1);
    expect(transport.calls).to.have.length(1);
  });

  it('refuses a plan over the budget with planned, remaining and the flag in the error', async () => {
    const transport = new FakeTransport().on('GET', '/limits', limits(15_000, 1000));
    const { client } = makeClient(transport);
    const error = await expectRejection(checkApiBudget(client, 501, 50), 'ApiBudgetExceededError');
    expect(error.message).to.include('501').and.include('1000').and.include('50%').and.include('--api-budget');
    expect(error.exitCode).to.equal(1);
  });

  it('lets the same plan through with a percentage of 100', async () => {
    const transport = new FakeTransport().on('GET', '/limits', limits(15_000, 1000));
    const { client } = makeClient(transport);
    expect(await checkApiBudget(client, 1000, 100)).to.equal(undefined);
  });

  for (const [status, errorCode] of [
    [403, 'INSUFFICIENT_ACCESS'],
    [404, 'NOT_FOUND'],
  ] as const) {
    it(`turns a ${status} on the limits resource into a warning`, async () => {
      const transport = new FakeTransport().on('GET', '/limits', apiFailure(status, errorCode, 'no limits for you'));
      const { client } = makeClient(transport);
      const warning = await checkApiBudget(client, 5000, 50);
      expect(warning).to.include('5000').and.include('--api-budget');
    });
  }

  it('still fails on other errors of the limits resource', async () => {
    const transport = new FakeTransport().on('GET', '/limits', apiFailure(401, 'INVALID_SESSION_ID', 'Session expired'));
    const { client } = makeClient(transport);
    await expectRejection(checkApiBudget(client, 5000, 50), 'SessionExpiredError');
  });
});

describe('tokenInventory beforeTokenLists', () => {
  const billing = appRow(1, 'Billing_Connector');
  const users: UserUsage[] = [userRow(billing, 1), userRow(billing, 2), userRow(billing, 3)];

  it('is told the number of token lists before any is read, and a refusal reads none', async () => {
    const transport = serveOrg(new FakeTransport(), { apps: [billing], usersByApp: { [billing.identifier]: users }, tokensByPair: {} });
    const { client } = makeClient(transport);
    const told: number[] = [];
    const refusal = tokenInventory(client, {
      apps: [],
      users: [],
      criteria: {},
      concurrency: 2,
      beforeTokenLists: async (count) => {
        told.push(count);
        throw new SfError('over budget', 'ApiBudgetExceededError');
      },
    });
    await expectRejection(refusal, 'ApiBudgetExceededError');
    expect(told).to.deep.equal([3]);
    expect(transport.calls.filter((call) => call.resource.endsWith('/tokens'))).to.deep.equal([]);
  });
});
