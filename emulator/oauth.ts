/*
 * The org's OAuth side: which access tokens it accepts, and its token endpoint (the refresh token flow only, what
 * @salesforce/core sends when an access token expired). Answers as Salesforce's token endpoint does: a new access
 * token, or 400 `invalid_grant` for a refresh token that is unknown, revoked or retired by rotation
 * (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_refresh_token_flow.htm&type=5).
 */
import type { EmulatedOrg } from './model.js';
import { methodNotAllowed, type Reply } from './reply.js';

/** How the token endpoint behaves; the control API's POST /__emulator/oauth sets any of these. */
export type OAuthSettings = {
  /** Every refresh token is refused, as after the user revoked it. */
  refused: boolean;
  /**
   * Refresh token rotation, as an External Client App can require: each refresh answers a new refresh token and a new
   * access token, and retires the refresh token it was given.
   */
  rotate: boolean;
  /**
   * Each refresh answers a new access token (a session of its own, which `expireSessions` ends), keeping the refresh
   * token: a session that times out in the middle of a long run, without rotation. `rotate` implies it.
   */
  issueSessions: boolean;
  /**
   * Holds each refresh answer until this many requests have been refused with 401 since it was set (at most
   * HOLD_LIMIT_MS), so that several clients are known to have found their session expired before any refresh ends.
   */
  holdUntilExpiredSessions: number;
};

const HOLD_LIMIT_MS = 30_000;

export class OAuthGrants {
  private settings: OAuthSettings = { refused: false, rotate: false, issueSessions: false, holdUntilExpiredSessions: 0 };
  private refreshToken: string;
  /** Access tokens the token endpoint issued under rotation; `expireSessions` drops them. */
  private readonly issued = new Set<string>();
  private issuedCount = 0;
  private expiredSessions = 0;
  private waiters: Array<() => void> = [];

  public constructor(private readonly accessToken: string, refreshToken: string) {
    this.refreshToken = refreshToken;
  }

  public settingsNow(): OAuthSettings {
    return { ...this.settings };
  }

  public configure(changes: Partial<OAuthSettings>): OAuthSettings {
    const next = { ...this.settings, ...changes };
    if ([next.refused, next.rotate, next.issueSessions].some((value) => typeof value !== 'boolean')) {
      throw new Error('refused, rotate and issueSessions must be true or false');
    }
    if (!Number.isInteger(next.holdUntilExpiredSessions) || next.holdUntilExpiredSessions < 0) {
      throw new Error('holdUntilExpiredSessions must be an integer >= 0');
    }
    if ('holdUntilExpiredSessions' in changes) this.expiredSessions = 0;
    this.settings = next;
    this.release();
    return this.settingsNow();
  }

  /** The access tokens issued by refreshes stop working, as when a session times out; the emulator's own stays. */
  public expireSessions(): void {
    this.issued.clear();
  }

  public isAuthorized(token: string): boolean {
    return token === this.accessToken || this.issued.has(token);
  }

  /** Counts a request refused with 401, for `holdUntilExpiredSessions`. */
  public sessionRefused(): void {
    this.expiredSessions += 1;
    this.release();
  }

  /** Answers every held refresh now (the emulator is stopping). */
  public releaseAll(): void {
    this.expiredSessions = Number.MAX_SAFE_INTEGER;
    this.release();
  }

  /** POST /services/oauth2/token; `u` is the emulator's origin. */
  public async tokenEndpoint(u: string, org: EmulatedOrg, method: string, form: URLSearchParams): Promise<Reply> {
    if (method !== 'POST') return methodNotAllowed(method, 'POST');
    if (form.get('grant_type') !== 'refresh_token') {
      return { status: 400, body: { error: 'unsupported_grant_type', 'error_description': 'grant type not supported' } };
    }
    if (this.settings.refused || form.get('refresh_token') !== this.refreshToken) {
      return { status: 400, body: { error: 'invalid_grant', 'error_description': 'expired access/refresh token' } };
    }
    let rotated: string | undefined;
    let session: string | undefined;
    if (this.settings.rotate || this.settings.issueSessions) {
      this.issuedCount += 1;
      session = `${this.accessToken}.r${this.issuedCount}`;
      this.issued.add(session);
    }
    if (this.settings.rotate) {
      // Retired as soon as it is spent, before the answer goes out: a second client sending it meanwhile is refused.
      rotated = `${this.refreshToken.replace(/\.r\d+$/, '')}.r${this.issuedCount}`;
      this.refreshToken = rotated;
    }
    await this.held();
    return {
      status: 200,
      body: {
        'access_token': session ?? this.accessToken,
        ...(rotated ? { 'refresh_token': rotated } : {}),
        signature: 'emulator',
        scope: 'refresh_token api web',
        'instance_url': u,
        id: `${u}/id/${org.orgId}/${org.adminUserId}`,
        'token_type': 'Bearer',
        'issued_at': String(Date.now()),
      },
    };
  }

  /** Resolves once enough sessions were refused, or after HOLD_LIMIT_MS, so a test that goes wrong still ends. */
  private held(): Promise<void> {
    if (this.expiredSessions >= this.settings.holdUntilExpiredSessions) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, HOLD_LIMIT_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private release(): void {
    if (this.expiredSessions < this.settings.holdUntilExpiredSessions) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const done of waiting) done();
  }
}
