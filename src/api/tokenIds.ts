import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/* Token ids: the last segment of a token's revocationUrl, checked before one goes into a DELETE path. */

const TOKEN_ID = /^[A-Za-z0-9_.-]{1,255}$/;

/**
 * Throws unless the value can be a token identifier: letters, digits, `-`, `_`, `.`, at least one letter or digit, and
 * never `..`. `.` alone would be a dot segment that URL normalisation drops (`DELETE …/tokens/.` goes to `…/tokens/`).
 */
export function assertTokenId(value: string): string {
  if (!TOKEN_ID.test(value) || value.includes('..') || !/[A-Za-z0-9]/.test(value)) {
    throw messages.createError('error.InvalidTokenId', [printable(value)]);
  }
  return value;
}

/**
 * Accepts a token id or a whole `revocationUrl` and returns the validated token id. The API has no token id field:
 * the id is the last segment of the row's `revocationUrl`
 * (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_responses_app_oauth_usage_token.htm).
 */
export function tokenIdFrom(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.includes('/')) return assertTokenId(trimmed);
  const path = trimmed.includes('://') ? safeUrlPath(trimmed) : trimmed;
  const match = /\/apps\/oauth\/usage\/tokens\/([^/?#]+)$/.exec(path.split('?')[0]);
  if (!match) {
    throw messages.createError('error.InvalidTokenId', [printable(value)]);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(match[1]);
  } catch {
    throw messages.createError('error.InvalidTokenId', [printable(value)]);
  }
  return assertTokenId(decoded);
}

function safeUrlPath(value: string): string {
  try {
    return new URL(value).pathname;
  } catch {
    throw messages.createError('error.InvalidTokenId', [printable(value)]);
  }
}
