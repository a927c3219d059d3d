import { unexpectedBodyError, type Subject } from './errors.js';
import type { HttpResponse } from './transport.js';
import type { OrgUser } from './types.js';
import type { UsageClient } from './usageClient.js';
import { usagePaths } from './usagePaths.js';

/** Usernames per User query: 100 long usernames, escaped and URL-encoded, stay near 10,000 characters of URL. */
export const USER_QUERY_BATCH = 100;

const USER_LOOKUP: Subject = { kind: 'user lookup' };

/**
 * The org's users, as the User sObject and the userinfo resource know them: who a `--user` value names, and who the
 * session belongs to. Every request goes through the usage client's `get`, under its concurrency limit and retries.
 */
export class OrgUsers {
  public constructor(private readonly client: Pick<UsageClient, 'get'>) {}

  /**
   * The User records (Id, Username) of these usernames and ids: whoever has one is a user of the org, tokens or not.
   * One query per USER_QUERY_BATCH values keeps the URL well under the length the REST API accepts.
   */
  public async findUsers({ usernames = [], ids = [] }: { usernames?: readonly string[]; ids?: readonly string[] }): Promise<OrgUser[]> {
    const values: Array<{ username?: string; id?: string }> = [...usernames.map((username) => ({ username })), ...ids.map((id) => ({ id }))];
    const batches: Array<typeof values> = [];
    for (let start = 0; start < values.length; start += USER_QUERY_BATCH) batches.push(values.slice(start, start + USER_QUERY_BATCH));
    const answers = await Promise.all(
      batches.map((batch) =>
        this.userRecords(usagePaths.userQuery({ usernames: batch.flatMap((value) => value.username ?? []), ids: batch.flatMap((value) => value.id ?? []) }))
      )
    );
    return answers.flat();
  }

  /** At most `limit` User records whose username begins with one of these prefixes, in one query (see usernamePrefixQuery). */
  public async findUsersByPrefix(prefixes: readonly string[], limit: number): Promise<OrgUser[]> {
    return prefixes.length === 0 ? [] : this.userRecords(usagePaths.usernamePrefixQuery(prefixes, limit));
  }

  /** The user the session belongs to, from the org's userinfo: for the audit log, when the saved login does not say. */
  public async sessionUser(): Promise<{ userId?: string; username?: string }> {
    const response = await this.client.get(usagePaths.userInfo(), USER_LOOKUP);
    const info = response.body as { user_id?: unknown; preferred_username?: unknown } | undefined;
    return {
      ...(typeof info?.user_id === 'string' ? { userId: info.user_id } : {}),
      ...(typeof info?.preferred_username === 'string' ? { username: info.preferred_username } : {}),
    };
  }

  /** The Id and Username of each record a User query answered. */
  private async userRecords(path: string): Promise<OrgUser[]> {
    const response: HttpResponse = await this.client.get(path, USER_LOOKUP);
    const records = (response.body as { records?: unknown } | undefined)?.records;
    if (!Array.isArray(records)) throw unexpectedBodyError(response, 'GET', USER_LOOKUP);
    return (records as Array<Record<string, unknown>>)
      .filter((record) => typeof record.Id === 'string' && typeof record.Username === 'string')
      .map((record) => ({ Id: record.Id as string, Username: record.Username as string }));
  }
}
