import { matchesAccessToken } from '@salesforce/core';

/**
 * The org as the user named it (the --target-org value, or the target-org config), for prompts. An access token given
 * as the org is a secret, and the username core reports for it is the token itself: then the org id stands in.
 */
export const orgName = (given: string | undefined, orgId: string): string =>
  given !== undefined && given !== '' && !matchesAccessToken(given) ? given : orgId;
