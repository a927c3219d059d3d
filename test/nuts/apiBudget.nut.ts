import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import type { TokenUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

const TOKENS_LIST = ['external-client-app', 'usage', 'tokens', 'list'];
const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const REPORT = ['external-client-app', 'usage', 'report'];
const USAGE_LIST = ['external-client-app', 'usage', 'list'];

describe('--api-budget: the org daily API requests (against the emulator)', () => {
  /** 3 apps x 80 users, one token each: an inventory reads 240 token lists, more than the 200 that go unchecked. */
  const { emulator, scratch } = useEmulator(generateState({ apps: 3, usersPerApp: 80, tokensPerUser: 1, seed: 5 }));
  const pairs = (): number => new Set(emulator.state().tokens.map((t) => `${t.appIdentifier}/${t.userIdentifier}`)).size;
  const limitsRequests = (): number => emulator.requests().filter((entry) => entry.path.endsWith('/limits')).length;
  const tokenListRequests = (): string[] => usageRequests(emulator, 'GET').filter((line) => /\/tokens(\?|$)/.test(line));

  beforeEach(() => emulator.setApiLimit(15_000, 15_000));

  /** Each command that plans more than 200 requests, over the budget: it reads the limits once and sends none of them. */
  const overBudget: Array<{ name: string; args: () => string[]; state?: () => EmulatorState; planned: () => number; sent: () => string[] }> = [
    { name: 'an inventory (tokens list)', args: () => TOKENS_LIST, planned: pairs, sent: tokenListRequests },
    { name: 'usage report', args: () => [...REPORT, '--output-file', scratch('report.html')], planned: pairs, sent: tokenListRequests },
    {
      name: 'usage list --user-counts',
      args: () => [...USAGE_LIST, '--user-counts'],
      // One user page per app: 210 apps is a plan of 210 requests.
      state: () => generateState({ apps: 210, usersPerApp: 1, tokensPerUser: 1, seed: 5 }),
      planned: () => emulator.state().apps.length,
      sent: () => usageRequests(emulator, 'GET').filter((line) => line.includes('/users?')),
    },
  ];
  for (const { name, args, state, planned, sent } of overBudget) {
    it(`stops ${name} over the budget before sending any request of its plan`, async () => {
      if (state) emulator.reset(state());
      expect(planned()).to.be.greaterThan(200);
      emulator.setApiLimit(15_000, 400);
      const result = await runPlugin(emulator, [...args(), '--json']);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.json!.name).to.equal('ApiBudgetExceededError');
      const remaining = /more than 50% of the org's (\d+) remaining/.exec(result.json!.message!);
      expect(result.json!.message).to.include(`send ${planned()} API requests`).and.include('--api-budget');
      expect(Number(remaining?.[1])).to.be.within(300, 400);
      expect(sent()).to.deep.equal([]);
      expect(limitsRequests()).to.equal(1);
    });
  }

  it('runs an inventory within the budget, reading the limits once', async () => {
    const result = await runPlugin<TokenUsage[]>(emulator, [...TOKENS_LIST, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result).to.have.length(pairs());
    expect(tokenListRequests()).to.have.length(pairs());
    expect(limitsRequests()).to.equal(1);
  });

  it('lets a plan between 50% and 100% of the remaining requests through with --api-budget 100', async () => {
    // 240 token lists against about 280 remaining: over the default 50%, within 100%.
    emulator.setApiLimit(15_000, 280);
    const refused = await runPlugin(emulator, [...TOKENS_LIST, '--json']);
    expect(refused.code, refused.stderr).to.equal(1);
    emulator.setApiLimit(15_000, 280);
    emulator.clearLog();
    const result = await runPlugin<TokenUsage[]>(emulator, [...TOKENS_LIST, '--api-budget', '100', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(tokenListRequests()).to.have.length(pairs());
  });

  it('warns and goes on when the limits resource answers 403', async () => {
    emulator.setApiLimit(15_000, 15_000, true);
    const result = await runPlugin(emulator, [...TOKENS_LIST]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.include('--api-budget was not checked');
    expect(limitsRequests()).to.equal(1);
    expect(tokenListRequests()).to.have.length(pairs());
  });

  it('sends no limits request for a run of 200 requests or fewer', async () => {
    const app = emulator.state().apps[0];
    emulator.setApiLimit(15_000, 10);
    const result = await runPlugin<TokenUsage[]>(emulator, [...TOKENS_LIST, '--app', app.developerName, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.length).to.be.within(1, 200);
    expect(limitsRequests()).to.equal(0);
  });

  it('sends no DELETE of a revoke over the budget', async () => {
    const file = scratch('tokens.json');
    writeFileSync(file, JSON.stringify(emulator.state().tokens.map((t) => ({ ...t, revocationUrl: `/services/data/v62.0/apps/oauth/usage/tokens/${t.tokenId}` }))));
    emulator.setApiLimit(15_000, 300);
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '-p', '--audit-log', scratch('audit.jsonl'), '--json']);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.json!.name).to.equal('ApiBudgetExceededError');
    expect(result.json!.message).to.include(`send ${pairs()} API requests`);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(pairs());
  });
});
