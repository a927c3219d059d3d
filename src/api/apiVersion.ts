import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/** First API version with the OAuth usage resources. */
export const MIN_USAGE_API_VERSION = '59.0';

/** Compares API versions such as '58.0' and '62.0' numerically. */
export function compareApiVersions(a: string, b: string): number {
  return Number.parseFloat(a) - Number.parseFloat(b);
}

/** The version gate: the usage resources do not exist below 59.0, so fail before sending anything. */
export function assertUsageApiVersion(version: string): void {
  if (!/^\d{2,3}\.\d$/.test(version) || compareApiVersions(version, MIN_USAGE_API_VERSION) < 0) {
    throw messages.createError('error.ApiVersionTooLow', [MIN_USAGE_API_VERSION, version], [MIN_USAGE_API_VERSION, MIN_USAGE_API_VERSION]);
  }
}
