/*
 * The one definition of a "stale" token. The emulator's summaries, its tests, the NUTs, the demo and the benchmark
 * all compute expected answers with it, so they cannot drift apart on the boundary (a token used exactly `days`
 * days ago is stale, as its age in whole days is `days`: commands.md §10; one never used always is).
 */

export const DAY_MS = 86_400_000;

/** True when a token last used at `lastUsedAt` (null: never) was last used `days` days or more before `now`. */
export function isStale(lastUsedAt: string | null, days: number, now: number = Date.now()): boolean {
  return lastUsedAt === null || Date.parse(lastUsedAt) <= now - days * DAY_MS;
}
