/**
 * Date ranges in the chosen timezone: presets ("last 30 days", today included),
 * dates as YYYY-MM-DD, and the bucket a range is drawn with. The server reads a
 * date as local midnight in the query's timezone, so ranges are sent as dates.
 */

/** Presets, in days (today included). */
export const PRESETS = [7, 30, 90, 365] as const;

/** Longest range drawn with day buckets; longer ones use ISO weeks. */
const MAX_DAILY = 120;

/** Today's date in `tz`, as YYYY-MM-DD. */
export function todayIn(tz: string, now: Date = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** `date` plus `n` calendar days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  const ms = (s: string) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(b) - ms(a)) / 86_400_000);
}

/** A resolved range: `from` inclusive, `to` exclusive (the day after the last day shown). */
export interface DateRange {
  from: string;
  to: string;
  bucket: 'day' | 'week';
}

/** The last `days` days up to today in `tz`. */
export function presetRange(days: number, tz: string, now?: Date): DateRange {
  const to = addDays(todayIn(tz, now), 1);
  return withBucket(addDays(to, -days), to);
}

/** A range from the two inclusive dates a person picked (swapped when reversed). */
export function customRange(first: string, last: string): DateRange {
  const [a, b] = first <= last ? [first, last] : [last, first];
  return withBucket(a, addDays(b, 1));
}

function withBucket(from: string, to: string): DateRange {
  return { from, to, bucket: daysBetween(from, to) > MAX_DAILY ? 'week' : 'day' };
}

/** Split [from, to) into pieces of at most `maxDays` days (for hourly queries under the bucket limit). */
export function chunks(from: string, to: string, maxDays: number): [string, string][] {
  const out: [string, string][] = [];
  for (let a = from; a < to;) {
    const b = daysBetween(a, to) > maxDays ? addDays(a, maxDays) : to;
    out.push([a, b]);
    a = b;
  }
  return out;
}

/** YYYY-MM-DD of a local ISO time the server writes ("2026-11-03T00:00:00+01:00" -> "2026-11-03"). */
export function dateOf(localIso: string): string {
  return localIso.slice(0, 10);
}
