/**
 * Properties that tie `bucketKey` (what SQL computes per row) to `enumerateBuckets` (what the
 * presenter zero-fills): for random instants over 2019..2029 in zones with DST, half-hour and
 * 45-minute offsets, the enumerated buckets are contiguous, strictly ordered, and every instant
 * falls in the one bucket whose key it has. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BucketSpec, BucketUnit } from './buckets.js';
import { bucketKey, enumerateBuckets } from './buckets.js';
import { fromLocal, offsetAt, offsetSegments, toLocal } from './zone.js';

const H = 3_600_000;
const D = 86_400_000;
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/Santiago',
];
const SPAN: Record<BucketUnit, number> = { hour: D, day: 20 * D, week: 60 * D, month: 400 * D };

const FIRST = Date.UTC(2019, 0, 1);
const LAST = Date.UTC(2029, 0, 1);
/** Every zone's offset changes in the period: sampling a few hours around them finds the edge cases. */
const CHANGES = ZONES.flatMap((tz) => offsetSegments(tz, FIRST, LAST).slice(1)).map((s) => s.from);
const instant = fc.oneof(
  fc.integer({ min: FIRST, max: LAST }),
  fc
    .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -30 * H, max: 6 * H }))
    .map(([at, delta]) => at + delta),
);
const bucketSpec = fc.record({
  unit: fc.constantFrom<BucketUnit>('hour', 'day', 'week', 'month'),
  tz: fc.constantFrom(...ZONES),
  weekStart: fc.integer({ min: 0, max: 6 }),
});

describe('bucket properties', () => {
  it('enumerated buckets are contiguous, ordered, and hold exactly the instants with their key', () => {
    fc.assert(
      fc.property(
        bucketSpec,
        instant,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (spec: BucketSpec, from, where) => {
          const to = from + SPAN[spec.unit];
          const buckets = enumerateBuckets(spec, from, to);
          expect(buckets[0]!.start).toBeLessThanOrEqual(from);
          expect(buckets[buckets.length - 1]!.end).toBeGreaterThanOrEqual(to);
          for (let i = 0; i < buckets.length; i++) {
            const bucket = buckets[i]!;
            expect(bucket.start).toBeLessThan(bucket.end);
            expect(bucketKey(spec, bucket.start)).toBe(bucket.key);
            expect(bucketKey(spec, bucket.end - 1)).toBe(bucket.key);
            if (i > 0) {
              expect(bucket.start).toBe(buckets[i - 1]!.end);
              expect(bucket.key).toBeGreaterThan(buckets[i - 1]!.key);
            }
          }
          const t = Math.floor(from + where * (to - from - 1));
          const holder = buckets.find((bucket) => bucket.start <= t && t < bucket.end);
          expect(holder?.key).toBe(bucketKey(spec, t));
        },
      ),
      { seed: 20240310, numRuns: 400 },
    );
  });

  it('offsetSegments agrees with offsetAt at every instant', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        instant,
        fc.integer({ min: 0, max: 400 * D }),
        (tz, from, length) => {
          const to = from + length + 1;
          const segments = offsetSegments(tz, from, to);
          const t = from + Math.floor(length / 2);
          const segment = segments.filter((s) => s.from <= t).pop();
          expect(segment?.offsetMs).toBe(offsetAt(tz, t));
          for (const { from: at, offsetMs } of segments.slice(1)) {
            expect(offsetAt(tz, at)).toBe(offsetMs);
            expect(offsetAt(tz, at - 1)).not.toBe(offsetMs);
          }
        },
      ),
      { seed: 1986, numRuns: 300 },
    );
  });

  it('fromLocal(toLocal(t)) is t, or the earlier instant with the same wall time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (tz, t) => {
        const back = fromLocal(tz, toLocal(tz, t));
        expect(toLocal(tz, back)).toBe(toLocal(tz, t));
        expect(back).toBeLessThanOrEqual(t);
        // Only a fall-back repeats wall times, and by no more than an hour in these zones.
        expect(t - back).toBeLessThanOrEqual(H);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
