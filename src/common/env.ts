import { env as processEnv, type Env } from '@salesforce/kit';

/**
 * Reads a whole-number tuning variable (SF_ECA_*). Unset, blank, non-numeric, fractional or too small gives undefined
 * and the caller keeps its default: a typo in a tuning variable should cost a default, not stop a revoke half-way.
 */
export function envInteger(name: string, min: number, env: Env = processEnv): number | undefined {
  // kit's getNumber reads a blank value as 0 (lodash toNumber trims first); here blank means "not set".
  if ((env.getString(name) ?? '').trim() === '') return undefined;
  const value = env.getNumber(name);
  return value !== undefined && Number.isInteger(value) && value >= min ? value : undefined;
}
