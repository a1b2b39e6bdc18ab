/**
 * Lengths of the fixed time units in milliseconds: the one definition every layer uses
 * (calendar units such as months have no fixed length and are computed in buckets.ts).
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
