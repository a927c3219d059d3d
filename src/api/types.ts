/*
 * Row types named after the fields the Connect API sends for the OAuth usage resources
 * (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_resources_usage_resources.htm).
 * Only the official token table is documented; the others come from Salesforce's Postman examples, so every row type
 * keeps an index signature: fields we do not know yet are passed through to --json and CSV, never dropped.
 */

/** One item of `apps` from GET /apps/oauth/usage. */
export type AppUsage = {
  [field: string]: unknown;
  identifier: string;
  developerName: string;
  description?: string;
  accessTokenFormat?: string;
  isFromPackage?: boolean;
  availableActions?: string | string[];
  usageDetailsUrl?: string;
  /** Not sent by the API: added by `usage list --user-counts`. */
  userCount?: number;
};

/**
 * The documented fields of each row type, in the order `-r csv` writes them: the CSV header, with rows or without.
 * The tables of the Connect REST guide and the Postman examples name them; `--json` also keeps fields beyond these.
 */
export const APP_FIELDS = [
  'identifier',
  'developerName',
  'description',
  'accessTokenFormat',
  'isFromPackage',
  'availableActions',
  'usageDetailsUrl',
] as const;

/** Fields shared by user rows and token rows (the Postman example shows the same keys for both). */
export type UsageRowBase = {
  [field: string]: unknown;
  appIdentifier: string;
  appDeveloperName: string;
  userIdentifier: string;
  username: string;
  initialConnectionAt?: string | null;
  lastUsedAt?: string | null;
  useCount?: number;
  accessTokenFormat?: string;
  revocationUrl?: string;
  /** Not sent by the API: the 18-character id of the org the row came from, so that inventories of several orgs can be merged. */
  orgId: string;
};

/** One item of `users` from GET /apps/oauth/usage/{appId}/users. */
export type UserUsage = UsageRowBase;

/**
 * The columns a user row and a token row both have after their identifiers, in CSV order; `orgId` last, where a script
 * that reads the columns by position before it existed still finds the others.
 */
const USE_FIELDS = ['initialConnectionAt', 'lastUsedAt', 'useCount', 'accessTokenFormat', 'revocationUrl', 'orgId'] as const;

export const USER_FIELDS = ['userIdentifier', 'username', 'appIdentifier', 'appDeveloperName', ...USE_FIELDS] as const;

/** One item of `tokens` from GET /apps/oauth/usage/{appId}/{userId}/tokens, plus the derived `tokenId`. */
export type TokenUsage = UsageRowBase & {
  /** Last path segment of `revocationUrl`: the API has no separate field for it. */
  tokenId: string;
};

export const TOKEN_FIELDS = ['tokenId', 'appIdentifier', 'appDeveloperName', 'userIdentifier', 'username', ...USE_FIELDS] as const;

/** A page of a collection resource as the API sends it. */
export type UsagePage = {
  [collection: string]: unknown;
  currentPageUrl?: string | null;
  nextPageUrl?: string | null;
};

/** A User record as the org's query resource returns it: what `--user USERNAME` resolves to. */
export type OrgUser = { Id: string; Username: string };
