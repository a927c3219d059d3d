/*
 * Moments as people read them. The API's timestamps are UTC to the millisecond; a person deciding what is stale
 * reads the day and the time, so tables and reports show them to the minute and say the zone. JSON and CSV keep the
 * API's values as they are: this is for text a person reads, never for data.
 */

/**
 * An instant (milliseconds since the epoch) as "2025-06-01 12:00 UTC": cut to the minute, not rounded, so a moment
 * is never shown later than it happened.
 */
export function formatMinuteUtc(time: number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
