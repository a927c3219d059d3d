import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { DEFAULT_ORG, generateState, isStale, loadState, staleTokens, to18CharId, type EmulatedToken } from './model.js';
import { DEFAULT_ACCESS_TOKEN, Emulator } from './server.js';
import { DAY, NOW, small } from './testHarness.js';

describe('emulator model', () => {
  it('generateState is deterministic for a seed and uses the documented id formats', () => {
    const spec = { apps: 30, usersPerApp: 10, tokensPerUser: 2, seed: 11, now: NOW };
    const a = generateState(spec);
    expect(generateState(spec)).to.deep.equal(a);
    expect(generateState({ ...spec, seed: 12 })).to.not.deep.equal(a);

    expect(a.apps).to.have.length(30);
    for (const app of a.apps) expect(app.identifier).to.match(/^0xI[A-Za-z0-9]{12}$/);
    expect(new Set(a.apps.map((x) => x.developerName)).size).to.equal(30);
    expect(a.apps.map((x) => x.developerName)).to.include('Billing_Connector').and.include('Billing_Connector_2');
    expect(new Set(a.apps.map((x) => x.accessTokenFormat))).to.deep.equal(new Set(['JWT', 'Opaque']));

    // Shared users: one population of usersPerApp users, each holding tokens of every app.
    expect(a.users).to.have.length(10);
    for (const u of a.users) {
      expect(u.userIdentifier).to.match(/^005[A-Za-z0-9]{15}$/);
      expect(to18CharId(u.userIdentifier.slice(0, 15))).to.equal(u.userIdentifier);
      expect(u.username).to.match(/^[a-z]+\.[a-z]+\d*@acme\.example\.com$/);
    }
    expect(new Set(a.users.map((u) => u.username)).size).to.equal(10);
    expect(a.tokens).to.have.length(600);
    expect(new Set(a.tokens.map((t) => t.tokenId)).size).to.equal(600);
    for (const t of a.tokens) {
      expect(t.tokenId).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(t.initialConnectionAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      if (t.lastUsedAt !== null) expect(t.initialConnectionAt <= t.lastUsedAt).to.equal(true);
      else expect(t.useCount).to.equal(0);
    }
    expect(generateState({ ...spec, sharedUsers: false }).users).to.have.length(300);
  });

  it('spreads lastUsedAt so staleTokens matches the requested fractions', () => {
    const state = generateState({ apps: 4, usersPerApp: 25, tokensPerUser: 2, seed: 3, now: NOW });
    const now = new Date(NOW);
    const stale = staleTokens(state, 90, now);
    const never = state.tokens.filter((t) => t.lastUsedAt === null);
    expect(never).to.have.length(20);
    expect(stale).to.have.length(20 + 70);
    const age = (t: EmulatedToken): number => (now.getTime() - Date.parse(t.lastUsedAt as string)) / DAY;
    for (const t of state.tokens.filter((x) => x.lastUsedAt !== null)) {
      const days = age(t);
      expect(days > 90 ? days <= 720 : days <= 60, `age ${days}`).to.equal(true);
    }
    // Stale tokens are older than 90 days, so a 60-day threshold catches them plus nothing recent.
    expect(staleTokens(state, 60, now)).to.have.length(90);
    expect(staleTokens(state, 800, now)).to.have.length(20);
  });

  it('isStale: never used is stale, used exactly N days ago is too (age N), a millisecond later is not', () => {
    const now = Date.parse(NOW);
    expect(isStale(null, 90, now)).to.equal(true);
    expect(isStale(new Date(now - 90 * DAY - 1).toISOString(), 90, now)).to.equal(true);
    expect(isStale(new Date(now - 90 * DAY).toISOString(), 90, now)).to.equal(true);
    expect(isStale(new Date(now - 90 * DAY + 1).toISOString(), 90, now)).to.equal(false);
  });

  it('loadState accepts the bundled seed and rejects broken data clearly', async () => {
    const state = loadState(await readFile(new URL('seeds/small.json', import.meta.url), 'utf8'));
    expect(state.apps).to.have.length(3);
    expect(state.tokens.some((t) => t.lastUsedAt === null)).to.equal(true);
    expect(() => loadState('{')).to.throw(/not JSON/);
    const bad = small();
    bad.tokens[0].appIdentifier = 'nope';
    expect(() => loadState(JSON.stringify(bad))).to.throw(/tokens\[0\]\.appIdentifier/);
    const badFormat = small();
    (badFormat.apps[0] as { accessTokenFormat: string }).accessTokenFormat = 'jwt';
    expect(() => loadState(JSON.stringify(badFormat))).to.throw(/accessTokenFormat/);
  });

  it('plays another org: the orgId of a seed spec, in its 18-character form, and an access token that starts with it', async () => {
    const spec = { apps: 2, usersPerApp: 2, tokensPerUser: 1, seed: 4, now: NOW };
    expect(generateState(spec).org).to.deep.equal(DEFAULT_ORG);
    const other = generateState({ ...spec, orgId: '00D000000000002' });
    expect(other.org).to.deep.equal({ ...DEFAULT_ORG, orgId: '00D000000000002EAA' });
    expect(generateState({ ...spec, orgId: '00D000000000002AAA' }).org.orgId).to.equal('00D000000000002AAA');
    for (const orgId of ['005000000000002', '00D00000000002', '00D000000000002AA!']) {
      expect(() => generateState({ ...spec, orgId }), orgId).to.throw(/orgId must be an org id/);
    }
    // sf takes an access token's org from its prefix: the default token names the emulated org.
    const emulator = await Emulator.start({ state: other });
    const fallback = await Emulator.start({ state: generateState(spec) });
    try {
      expect(emulator.accessToken).to.equal('00D000000000002EAA!emulator');
      expect(fallback.accessToken).to.equal(DEFAULT_ACCESS_TOKEN);
      const info = await fetch(`${emulator.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${emulator.accessToken}` } });
      expect(await info.json()).to.include({ 'organization_id': '00D000000000002EAA' });
    } finally {
      await Promise.all([emulator.stop(), fallback.stop()]);
    }
  });
});
