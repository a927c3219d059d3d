/*
 * The emulator's mutable data: the usage routes read it and revoke from it, the control API replaces it on reset.
 * It validates and copies what it is given, so a caller that keeps mutating its own state object changes nothing here.
 */
import {
  cloneState,
  validateState,
  type EmulatedApp,
  type EmulatedOrg,
  type EmulatedToken,
  type EmulatedUser,
  type EmulatorState,
} from './model.js';

/** The data plus the indexes the routes need, so big seeds page quickly. */
export class Store {
  public readonly org: EmulatedOrg;
  private readonly apps = new Map<string, EmulatedApp>();
  private readonly users = new Map<string, EmulatedUser>();
  /** 15-character id -> user: SOQL finds a User record by either form of its id. */
  private readonly usersById15 = new Map<string, EmulatedUser>();
  private readonly tokens = new Map<string, EmulatedToken>();
  /** app id -> user id -> token ids */
  private readonly byApp = new Map<string, Map<string, Set<string>>>();
  private readonly sortedUsers = new Map<string, EmulatedUser[]>();

  public constructor(state: EmulatorState) {
    const copy = cloneState(validateState(state));
    this.org = copy.org;
    for (const app of copy.apps) {
      this.apps.set(app.identifier, app);
      this.byApp.set(app.identifier, new Map());
    }
    for (const user of copy.users) {
      this.users.set(user.userIdentifier, user);
      this.usersById15.set(user.userIdentifier.slice(0, 15), user);
    }
    for (const token of copy.tokens) {
      this.tokens.set(token.tokenId, token);
      const perUser = this.byApp.get(token.appIdentifier) as Map<string, Set<string>>;
      const ids = perUser.get(token.userIdentifier) ?? new Set<string>();
      ids.add(token.tokenId);
      perUser.set(token.userIdentifier, ids);
    }
  }

  public snapshot(): EmulatorState {
    return cloneState({
      org: this.org,
      apps: [...this.apps.values()],
      users: [...this.users.values()],
      tokens: [...this.tokens.values()],
    });
  }

  public app(id: string): EmulatedApp | undefined {
    return this.apps.get(id);
  }

  /**
   * A user by id exactly as the usage resources return it (18 characters): like the API the acceptance runs met, a
   * usage path with the 15-character form is 404. Users stay when their tokens are revoked: they are the org's users.
   */
  public user(id: string): EmulatedUser | undefined {
    return this.users.get(id);
  }

  /** A User record by id, 15 or 18 characters, as SOQL finds it (the admin included). */
  public orgUserById(id: string): EmulatedUser | undefined {
    const id15 = id.slice(0, 15);
    if (id.length !== 15 && id.length !== 18) return undefined;
    if (this.org.adminUserId.slice(0, 15) === id15) return this.admin();
    const user = this.usersById15.get(id15);
    return user && (id.length === 15 || user.userIdentifier === id) ? user : undefined;
  }

  /** Every User record of the org, the admin included. */
  public orgUsers(): EmulatedUser[] {
    return [this.admin(), ...this.users.values()];
  }

  /** The org's users (the admin included) with these usernames, compared ignoring case as Salesforce does. */
  public usersByUsername(usernames: readonly string[]): EmulatedUser[] {
    const wanted = new Set(usernames.map((name) => name.toLowerCase()));
    return this.orgUsers().filter((user) => wanted.has(user.username.toLowerCase()));
  }

  public listedApps(): EmulatedApp[] {
    return [...this.apps.values()]
      .filter((a) => (this.byApp.get(a.identifier)?.size ?? 0) > 0)
      .sort((a, b) => cmp(a.developerName, b.developerName) || cmp(a.identifier, b.identifier));
  }

  public appUsers(appId: string): EmulatedUser[] {
    let sorted = this.sortedUsers.get(appId);
    if (!sorted) {
      const ids = [...(this.byApp.get(appId)?.keys() ?? [])];
      sorted = ids
        .map((id) => this.users.get(id) as EmulatedUser)
        .sort((a, b) => cmp(a.username, b.username) || cmp(a.userIdentifier, b.userIdentifier));
      this.sortedUsers.set(appId, sorted);
    }
    return sorted;
  }

  public userTokens(appId: string, userId: string): EmulatedToken[] {
    const ids = this.byApp.get(appId)?.get(userId) ?? new Set<string>();
    return [...ids]
      .map((id) => this.tokens.get(id) as EmulatedToken)
      .sort((a, b) => cmp(a.initialConnectionAt, b.initialConnectionAt) || cmp(a.tokenId, b.tokenId));
  }

  public deleteToken(tokenId: string): boolean {
    const token = this.tokens.get(tokenId);
    if (!token) return false;
    this.tokens.delete(tokenId);
    const perUser = this.byApp.get(token.appIdentifier);
    const ids = perUser?.get(token.userIdentifier);
    ids?.delete(tokenId);
    if (perUser && ids?.size === 0) {
      perUser.delete(token.userIdentifier);
      this.sortedUsers.delete(token.appIdentifier);
    }
    return true;
  }

  public deleteUserTokens(appId: string, userId: string): number {
    const ids = [...(this.byApp.get(appId)?.get(userId) ?? [])];
    for (const id of ids) this.deleteToken(id);
    return ids.length;
  }

  public deleteAppTokens(appId: string): number {
    let count = 0;
    for (const userId of [...(this.byApp.get(appId)?.keys() ?? [])]) count += this.deleteUserTokens(appId, userId);
    return count;
  }

  private admin(): EmulatedUser {
    return { userIdentifier: this.org.adminUserId, username: this.org.adminUsername };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

