import { Messages, SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { UsageClient } from '../api/usageClient.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/** Plans this small are not worth a request of their own: the limits resource is read only above it. */
export const BUDGET_FREE_REQUESTS = 200;
export const DEFAULT_API_BUDGET_PERCENT = 50;

/**
 * Checks a plan of `planned` requests against `percent` of the org's remaining daily API requests, before any of them
 * is sent. Throws ApiBudgetExceededError when the plan needs more; returns a warning when the org would not say how
 * many remain (the running user may not read the limits resource), so that the run goes on unchecked.
 */
export async function checkApiBudget(
  client: Pick<UsageClient, 'dailyApiRequests'>,
  planned: number,
  percent: number
): Promise<string | undefined> {
  if (planned <= BUDGET_FREE_REQUESTS) return undefined;
  let daily: Awaited<ReturnType<UsageClient['dailyApiRequests']>>;
  try {
    daily = await client.dailyApiRequests();
  } catch (error) {
    if (!(error instanceof SfError) || !['InsufficientAccessError', 'NotFoundError'].includes(error.name)) throw error;
    return messages.getMessage('warning.ApiLimitsUnknown', [planned, error.message]);
  }
  if (daily === undefined) return messages.getMessage('warning.ApiLimitsUnknown', [planned, 'no DailyApiRequests in the answer']);
  if (planned > (daily.remaining * percent) / 100) {
    throw messages.createError('error.ApiBudgetExceeded', [planned, percent, daily.remaining, daily.max, percent]);
  }
  return undefined;
}
