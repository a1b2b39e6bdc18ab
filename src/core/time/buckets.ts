/**
 * Calendar buckets (hour, day, week, month) in any time zone. `bucketKey` is the reference
 * definition that SQL dialects reproduce with arithmetic on `local = ts + offset(ts)`;
 * `enumerateBuckets` lists the same buckets with their UTC bounds, for zero-filling and labels.
 */
import { ValidationError } from '../errors.js';
import { assertInstantRange } from './range.js';
import { assertTimeZone, cachedOffsetAt, fromLocal, offsetSegments } from './zone.js';
import { DAY_MS, HOUR_MS } from './units.js';

/** 1970-01-01 was a Thursday. */
const EPOCH_DOW = 4;
/** The most buckets one query may produce. */
export const MAX_BUCKETS = 5000;

export type BucketUnit = 'hour' | 'day' | 'week' | 'month';

export const BUCKET_UNITS: readonly BucketUnit[] = ['hour', 'day', 'week', 'month'];

export interface BucketSpec {
  unit: BucketUnit;
  /** IANA time zone name. */
  tz: string;
  /** First day of a week: 0 = Sunday .. 6 = Saturday; ISO weeks start on 1 = Monday. */
  weekStart: number;
}

/**
 * One bucket: `key` identifies it (see `bucketKey`); [start, end) are its UTC bounds, half-open.
 * `start` equals `key` for hours, except after an offset change that is not a whole number of hours
 * (Lord Howe's 30-minute DST), where the hour starts at the change instead.
 */
export interface Bucket {
  key: number;
  start: number;
  end: number;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/**
 * The key of the bucket holding instant `ms`:
 * - hour: the UTC instant where the local hour began (a whole repeated hour of a fall-back gets its own
 *   key; a repeated half-hour, as on Lord Howe, belongs to the hour it repeats);
 * - day, week, month: the local naive start of the day, of the week's first day, of the month.
 *
 * @example bucketKey({ unit: 'hour', tz: 'Asia/Kathmandu', weekStart: 1 }, Date.UTC(2024, 0, 1, 12)) // Date.UTC(2024, 0, 1, 11, 15)
 */
export function bucketKey(spec: BucketSpec, ms: number): number {
  const offset = cachedOffsetAt(spec.tz, ms);
  const local = ms + offset;
  switch (spec.unit) {
    case 'hour': {
      const key = Math.floor(local / HOUR_MS) * HOUR_MS - offset;
      // The offset changed inside this local hour only within an hour of a DST change (rare):
      // there the hour may join a repeated stretch (Lord Howe), so ask the enumeration.
      if (cachedOffsetAt(spec.tz, key) === offset) return key;
      return hourBuckets(spec.tz, ms, ms + 1).find((b) => b.start <= ms && ms < b.end)?.key ?? key;
    }
    case 'day':
      return Math.floor(local / DAY_MS) * DAY_MS;
    case 'week': {
      const day = Math.floor(local / DAY_MS);
      return (day - mod(day + EPOCH_DOW - spec.weekStart, 7)) * DAY_MS;
    }
    case 'month': {
      const date = new Date(local);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

function nextLocalKey(unit: Exclude<BucketUnit, 'hour'>, key: number): number {
  if (unit === 'day') return key + DAY_MS;
  if (unit === 'week') return key + 7 * DAY_MS;
  const date = new Date(key);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** The longest a bucket can last (a day may gain an hour or two), for a cheap lower bound on the count. */
const LONGEST: Record<BucketUnit, number> = {
  hour: HOUR_MS,
  day: 2 * DAY_MS,
  week: 8 * DAY_MS,
  month: 32 * DAY_MS,
};

function tooManyBuckets(): ValidationError {
  const message = `would produce more than ${MAX_BUCKETS} buckets; narrow it or use a larger bucket`;
  return new ValidationError(`range: ${message}`, [{ path: 'range', message }], 'too_many_buckets');
}

function assertSpec(spec: BucketSpec): void {
  if (!BUCKET_UNITS.includes(spec.unit))
    throw ValidationError.param('bucket', `must be one of ${BUCKET_UNITS.join(', ')}`);
  assertTimeZone(spec.tz);
  if (!Number.isInteger(spec.weekStart) || spec.weekStart < 0 || spec.weekStart > 6) {
    throw ValidationError.param('week_start', 'must be an integer from 0 (Sunday) to 6 (Saturday)');
  }
}

/**
 * Every bucket that intersects [fromMs, toMs), in order, the partial first and last ones included:
 * bounds follow the calendar, not `fromMs`. Buckets are contiguous (each `end` is the next `start`)
 * and every instant in a bucket has that bucket's `bucketKey`.
 * Throws `ValidationError` on `range` beyond MAX_BUCKETS buckets.
 *
 * One known exception, inherent in keying by local date: where a fall-back crosses local midnight
 * (Canada's Atlantic zones at 00:01 until 2010, Antarctica/Casey in 2010), the repeated hour has the
 * previous day's key but lies inside the next day's bucket, which starts at the earlier midnight.
 *
 * @example
 * // New York's fall-back day has 25 hours, two of them starting at 01:00 local
 * enumerateBuckets({ unit: 'hour', tz: 'America/New_York', weekStart: 1 }, Date.UTC(2024, 10, 3, 4), Date.UTC(2024, 10, 4, 5)).length // 25
 */
export function enumerateBuckets(spec: BucketSpec, fromMs: number, toMs: number): Bucket[] {
  assertSpec(spec);
  assertInstantRange(fromMs, 'from');
  assertInstantRange(toMs, 'to', true);
  if (!(fromMs < toMs)) return [];
  if ((toMs - fromMs) / LONGEST[spec.unit] > MAX_BUCKETS) throw tooManyBuckets();
  const buckets: Bucket[] = [];
  const keep = (bucket: Bucket): void => {
    if (bucket.end <= fromMs || bucket.start >= toMs || bucket.start >= bucket.end) return;
    if (buckets.length === MAX_BUCKETS) throw tooManyBuckets();
    buckets.push(bucket);
  };
  if (spec.unit === 'hour') {
    for (const bucket of hourBuckets(spec.tz, fromMs, toMs)) keep(bucket);
    return buckets;
  }
  let key = bucketKey(spec, fromMs);
  let start = fromLocal(spec.tz, key);
  while (start < toMs) {
    const next = nextLocalKey(spec.unit, key);
    const end = fromLocal(spec.tz, next);
    // A day skipped whole (Samoa, 2011-12-30) has no instants and is left out.
    keep({ key, start, end });
    key = next;
    start = end;
  }
  return buckets;
}

/**
 * Hour buckets around [fromMs, toMs), walking the offset segments: within a segment the key changes at
 * each local hour; at a transition it changes unless the shift is a whole number of hours mid-hour.
 * A bucket is a local clock hour: a shift that is not a whole number of hours and lands inside the
 * same local hour (Lord Howe's fall-back, 02:00 +11 -> 01:30 +10:30) extends that hour, here to 90
 * minutes; a whole repeated hour (New York's 01:00 in November) is a bucket of its own.
 * The margin of 3 hours holds the whole first and last buckets, which never exceed two hours.
 */
function hourBuckets(tz: string, fromMs: number, toMs: number): Bucket[] {
  const hi = toMs + 3 * HOUR_MS;
  const segments = offsetSegments(tz, fromMs - 3 * HOUR_MS, hi);
  const buckets: Bucket[] = [];
  let current: Bucket | undefined;
  /** The local naive start of the current bucket's hour. */
  let currentLocal = 0;
  for (let i = 0; i < segments.length; i++) {
    const { from, offsetMs } = segments[i]!;
    const segmentEnd = segments[i + 1]?.from ?? hi;
    const shift = i === 0 ? 0 : segments[i - 1]!.offsetMs - offsetMs;
    for (let at = from; at < segmentEnd;) {
      const local = Math.floor((at + offsetMs) / HOUR_MS) * HOUR_MS;
      const key = local - offsetMs;
      const end = Math.min(key + HOUR_MS, segmentEnd);
      const contiguous = current?.end === at;
      const sameClockHour = at === from && shift % HOUR_MS !== 0 && local === currentLocal;
      if (current !== undefined && contiguous && (current.key === key || sameClockHour)) {
        current.end = end;
      } else {
        if (current !== undefined) buckets.push(current);
        if (current !== undefined && current.start >= toMs) return buckets;
        current = { key, start: at, end };
        currentLocal = local;
      }
      at = end;
    }
  }
  if (current !== undefined) buckets.push(current);
  return buckets;
}

/** The bucket holding instant `ms`. */
export function bucketOf(spec: BucketSpec, ms: number): Bucket {
  const bucket = enumerateBuckets(spec, ms, ms + 1)[0];
  if (bucket === undefined) throw ValidationError.param('range', 'has no bucket');
  return bucket;
}

/**
 * ISO-8601 week-year and week number of the local day holding `localMs`.
 *
 * @example isoWeek(Date.UTC(2021, 0, 1)) // { year: 2020, week: 53 }
 */
export function isoWeek(localMs: number): { year: number; week: number } {
  const day = Math.floor(localMs / DAY_MS);
  const isoDow = mod(day + EPOCH_DOW - 1, 7) + 1; // Monday 1 .. Sunday 7
  // The week belongs to the year of its Thursday.
  const thursday = (day + 4 - isoDow) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1 };
}

/** Local hour of the day (0-23) at instant `ms` in `tz`. */
export function hourOfDay(tz: string, ms: number): number {
  return Math.floor(mod(ms + cachedOffsetAt(tz, ms), DAY_MS) / HOUR_MS);
}

/** Local day of the week at instant `ms` in `tz`: 0 = Sunday .. 6 = Saturday. */
export function dayOfWeek(tz: string, ms: number): number {
  return mod(Math.floor((ms + cachedOffsetAt(tz, ms)) / DAY_MS) + EPOCH_DOW, 7);
}
