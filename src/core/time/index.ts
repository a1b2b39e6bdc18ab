/**
 * The time core: zones and offsets, calendar buckets, user ranges. Pure; Intl is its only dependency.
 */
export { assertTimeZone, fromLocal, isValidTimeZone, offsetAt, offsetSegments, toLocal } from './zone.js';
export type { OffsetSegment } from './zone.js';
export {
  BUCKET_UNITS,
  MAX_BUCKETS,
  bucketKey,
  bucketOf,
  dayOfWeek,
  enumerateBuckets,
  hourOfDay,
  isoWeek,
} from './buckets.js';
export type { Bucket, BucketSpec, BucketUnit } from './buckets.js';
export {
  MAX_INSTANT,
  MAX_RELATIVE,
  MIN_INSTANT,
  assertInstantRange,
  formatDate,
  formatLocalIso,
  formatOffset,
  formatUtcIsoMs,
  parseInstant,
  parseRelative,
  resolveRange,
} from './range.js';
export type { RangeInput, RelativeUnit } from './range.js';
