/**
 * Buckets across DST changes, odd offsets, ISO weeks and month ends. Every expected instant is worked
 * out from the zone's published rules and the calendar (2024-01-01 was a Monday).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { BucketSpec, BucketUnit } from './buckets.js';
import { bucketKey, bucketOf, dayOfWeek, enumerateBuckets, hourOfDay, isoWeek } from './buckets.js';

const H = 3_600_000;
const D = 86_400_000;
const utc = Date.UTC;

function spec(unit: BucketUnit, tz: string, weekStart = 1): BucketSpec {
  return { unit, tz, weekStart };
}

describe('bucketKey', () => {
  it.each([
    ['hour', 'UTC', utc(2024, 0, 1, 10, 59, 59, 999), utc(2024, 0, 1, 10)],
    // Kathmandu +05:45: 12:00Z is 17:45 local, whose hour began at 17:00 local = 11:15Z.
    ['hour', 'Asia/Kathmandu', utc(2024, 0, 1, 12), utc(2024, 0, 1, 11, 15)],
    ['hour', 'Asia/Kathmandu', utc(2024, 0, 1, 11, 14), utc(2024, 0, 1, 10, 15)],
    ['hour', 'Asia/Kolkata', utc(2024, 0, 1, 12), utc(2024, 0, 1, 11, 30)],
    // New York fall-back: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) are different hours.
    ['hour', 'America/New_York', utc(2024, 10, 3, 5, 30), utc(2024, 10, 3, 5)],
    ['hour', 'America/New_York', utc(2024, 10, 3, 6, 30), utc(2024, 10, 3, 6)],
    // Lord Howe fall-back: 15:15Z is 01:45 at +10:30, the repeated half of the local hour 01:00,
    // which began at 01:00 +11:00 = 14:00Z; 15:45Z is 02:15 +10:30, whose hour began at 15:30Z.
    ['hour', 'Australia/Lord_Howe', utc(2024, 3, 6, 14, 45), utc(2024, 3, 6, 14)],
    ['hour', 'Australia/Lord_Howe', utc(2024, 3, 6, 15, 15), utc(2024, 3, 6, 14)],
    ['hour', 'Australia/Lord_Howe', utc(2024, 3, 6, 15, 45), utc(2024, 3, 6, 15, 30)],
    // Lord Howe spring-forward: 15:45Z is 02:45 +11:00, in the hour keyed 02:00 +11:00 = 15:00Z.
    ['hour', 'Australia/Lord_Howe', utc(2024, 9, 5, 15, 45), utc(2024, 9, 5, 15)],
    ['day', 'UTC', utc(2024, 1, 29, 23, 59), utc(2024, 1, 29)],
    ['day', 'America/New_York', utc(2024, 2, 11, 3, 59), utc(2024, 2, 10)],
    ['day', 'America/New_York', utc(2024, 2, 11, 4), utc(2024, 2, 11)],
    ['day', 'Asia/Kolkata', utc(2023, 11, 31, 18, 30), utc(2024, 0, 1)],
    ['day', 'Asia/Kathmandu', utc(2023, 11, 31, 18, 14), utc(2023, 11, 31)],
    // Weeks: 2024-01-03 was a Wednesday, 2024-01-07 a Sunday.
    ['week', 'UTC', utc(2024, 0, 3, 12), utc(2024, 0, 1)],
    ['week', 'UTC', utc(2024, 0, 7, 23), utc(2024, 0, 1)],
    ['week', 'UTC', utc(2024, 0, 8), utc(2024, 0, 8)],
    ['month', 'UTC', utc(2024, 0, 31, 23, 59, 59, 999), utc(2024, 0, 1)],
    ['month', 'UTC', utc(2024, 1, 1), utc(2024, 1, 1)],
    ['month', 'UTC', utc(2024, 1, 29, 12), utc(2024, 1, 1)],
    ['month', 'America/New_York', utc(2024, 2, 1, 4, 59), utc(2024, 1, 1)],
    ['month', 'America/New_York', utc(2024, 2, 1, 5), utc(2024, 2, 1)],
  ] as const)('%s in %s at %d', (unit, tz, ms, key) => {
    expect(bucketKey(spec(unit, tz), ms)).toBe(key);
  });

  it.each([
    [0, utc(2024, 0, 3), utc(2023, 11, 31)],
    [0, utc(2024, 0, 7), utc(2024, 0, 7)],
    [1, utc(2024, 0, 7), utc(2024, 0, 1)],
    [6, utc(2024, 0, 3), utc(2023, 11, 30)],
    [6, utc(2024, 0, 6), utc(2024, 0, 6)],
    // 1970-01-01 was a Thursday: the Monday week begins on 1969-12-29.
    [1, utc(1970, 0, 1), utc(1969, 11, 29)],
    [4, utc(1970, 0, 1), utc(1970, 0, 1)],
  ])('week starting on day %d holding %d begins %d', (weekStart, ms, key) => {
    expect(bucketKey(spec('week', 'UTC', weekStart), ms)).toBe(key);
  });
});

describe('enumerateBuckets: day lengths across DST', () => {
  it.each([
    ['America/New_York', utc(2024, 2, 10), utc(2024, 2, 10, 5), utc(2024, 2, 11, 4), 23],
    ['America/New_York', utc(2024, 10, 3), utc(2024, 10, 3, 4), utc(2024, 10, 4, 5), 25],
    ['Europe/London', utc(2024, 2, 31), utc(2024, 2, 31), utc(2024, 2, 31, 23), 23],
    ['Europe/London', utc(2024, 9, 27), utc(2024, 9, 26, 23), utc(2024, 9, 28), 25],
    ['Australia/Lord_Howe', utc(2024, 3, 7), utc(2024, 3, 6, 13), utc(2024, 3, 7, 13, 30), 24.5],
    ['Australia/Lord_Howe', utc(2024, 9, 6), utc(2024, 9, 5, 13, 30), utc(2024, 9, 6, 13), 23.5],
    ['Asia/Kathmandu', utc(2024, 0, 1), utc(2023, 11, 31, 18, 15), utc(2024, 0, 1, 18, 15), 24],
    // Santiago: 2024-09-08 begins at 01:00 -03 (the midnight gap); 2024-04-06 ends at 2024-04-07 00:00 -04.
    ['America/Santiago', utc(2024, 8, 8), utc(2024, 8, 8, 4), utc(2024, 8, 9, 3), 23],
    ['America/Santiago', utc(2024, 3, 6), utc(2024, 3, 6, 3), utc(2024, 3, 7, 4), 25],
  ])('%s local day %d', (tz, key, start, end, hours) => {
    expect(bucketOf(spec('day', tz), start)).toEqual({ key, start, end });
    expect((end - start) / H).toBe(hours);
  });
});

describe('enumerateBuckets: hours', () => {
  const hoursOfDay = (tz: string, start: number, end: number) =>
    enumerateBuckets(spec('hour', tz), start, end);

  it('New York fall-back day has 25 distinct hours, 01:00 twice', () => {
    const buckets = hoursOfDay('America/New_York', utc(2024, 10, 3, 4), utc(2024, 10, 4, 5));
    expect(buckets).toHaveLength(25);
    expect(buckets.map((b) => b.key)).toEqual(
      Array.from({ length: 25 }, (_, i) => utc(2024, 10, 3, 4) + i * H),
    );
    expect(buckets.every((b) => b.start === b.key && b.end === b.key + H)).toBe(true);
  });

  it('New York spring-forward day has 23 hours, no 02:00', () => {
    const buckets = hoursOfDay('America/New_York', utc(2024, 2, 10, 5), utc(2024, 2, 11, 4));
    expect(buckets).toHaveLength(23);
    expect(buckets[1]).toEqual({
      key: utc(2024, 2, 10, 6),
      start: utc(2024, 2, 10, 6),
      end: utc(2024, 2, 10, 7),
    });
    expect(buckets[2]).toEqual({
      key: utc(2024, 2, 10, 7),
      start: utc(2024, 2, 10, 7),
      end: utc(2024, 2, 10, 8),
    });
  });

  it('London spring-forward day has 23 hours and fall-back day 25', () => {
    expect(hoursOfDay('Europe/London', utc(2024, 2, 31), utc(2024, 2, 31, 23))).toHaveLength(23);
    expect(hoursOfDay('Europe/London', utc(2024, 9, 26, 23), utc(2024, 9, 28))).toHaveLength(25);
  });

  it('Kathmandu hours start at :15 UTC', () => {
    const buckets = hoursOfDay('Asia/Kathmandu', utc(2024, 0, 1, 0), utc(2024, 0, 1, 2));
    expect(buckets).toEqual([
      { key: utc(2023, 11, 31, 23, 15), start: utc(2023, 11, 31, 23, 15), end: utc(2024, 0, 1, 0, 15) },
      { key: utc(2024, 0, 1, 0, 15), start: utc(2024, 0, 1, 0, 15), end: utc(2024, 0, 1, 1, 15) },
      { key: utc(2024, 0, 1, 1, 15), start: utc(2024, 0, 1, 1, 15), end: utc(2024, 0, 1, 2, 15) },
    ]);
  });

  // A bucket is a local clock hour. Hand-worked from the zones' rules: New York falls back at
  // 02:00 EDT (06:00Z) to 01:00 EST and springs forward at 02:00 EST (07:00Z) to 03:00 EDT; London
  // falls back at 02:00 BST (01:00Z); Lord Howe falls back at 02:00 +11:00 (15:00Z) to 01:30 +10:30
  // and springs forward at 02:00 +10:30 (15:30Z) to 02:30 +11:00. Each row: the local day, its
  // number of hour buckets, then the buckets around the change as [start, end) in UTC.
  it.each([
    [
      'America/New_York, fall-back: 01:00 twice, one hour each',
      'America/New_York',
      [utc(2024, 10, 3, 4), utc(2024, 10, 4, 5)],
      25,
      [
        [utc(2024, 10, 3, 5), utc(2024, 10, 3, 6)], // 01:00-02:00 EDT
        [utc(2024, 10, 3, 6), utc(2024, 10, 3, 7)], // 01:00-02:00 EST
        [utc(2024, 10, 3, 7), utc(2024, 10, 3, 8)], // 02:00-03:00 EST
      ],
    ],
    [
      'America/New_York, spring-forward: no 02:00',
      'America/New_York',
      [utc(2024, 2, 10, 5), utc(2024, 2, 11, 4)],
      23,
      [
        [utc(2024, 2, 10, 6), utc(2024, 2, 10, 7)], // 01:00-02:00 EST
        [utc(2024, 2, 10, 7), utc(2024, 2, 10, 8)], // 03:00-04:00 EDT
      ],
    ],
    [
      'Europe/London, fall-back: 01:00 twice',
      'Europe/London',
      [utc(2024, 9, 26, 23), utc(2024, 9, 28)],
      25,
      [
        [utc(2024, 9, 27, 0), utc(2024, 9, 27, 1)], // 01:00-02:00 BST
        [utc(2024, 9, 27, 1), utc(2024, 9, 27, 2)], // 01:00-02:00 GMT
      ],
    ],
    [
      'Australia/Lord_Howe, fall-back: one 90-minute hour 01:00',
      'Australia/Lord_Howe',
      [utc(2024, 3, 6, 13), utc(2024, 3, 7, 13, 30)],
      24,
      [
        [utc(2024, 3, 6, 13), utc(2024, 3, 6, 14)], // 00:00-01:00 +11:00
        [utc(2024, 3, 6, 14), utc(2024, 3, 6, 15, 30)], // 01:00 +11:00 - 02:00 +10:30
        [utc(2024, 3, 6, 15, 30), utc(2024, 3, 6, 16, 30)], // 02:00-03:00 +10:30
      ],
    ],
    [
      'Australia/Lord_Howe, spring-forward: a 30-minute hour 02:00',
      'Australia/Lord_Howe',
      [utc(2024, 9, 5, 13, 30), utc(2024, 9, 6, 13)],
      24,
      [
        [utc(2024, 9, 5, 14, 30), utc(2024, 9, 5, 15, 30)], // 01:00-02:00 +10:30
        [utc(2024, 9, 5, 15, 30), utc(2024, 9, 5, 16)], // 02:30-03:00 +11:00
        [utc(2024, 9, 5, 16), utc(2024, 9, 5, 17)], // 03:00-04:00 +11:00
      ],
    ],
  ] as const)('%s', (_name, tz, [dayStart, dayEnd], count, around) => {
    const buckets = hoursOfDay(tz, dayStart, dayEnd);
    expect(buckets).toHaveLength(count);
    expect(buckets[0]!.start).toBe(dayStart);
    expect(buckets.at(-1)!.end).toBe(dayEnd);
    const at = buckets.findIndex((b) => b.start === around[0][0]);
    expect(buckets.slice(at, at + around.length).map((b) => [b.start, b.end])).toEqual(around);
    // Every instant of a bucket carries its key, the instant its local hour began.
    for (const b of buckets) {
      expect(bucketKey(spec('hour', tz), b.start)).toBe(b.key);
      expect(bucketKey(spec('hour', tz), b.end - 1)).toBe(b.key);
    }
  });

  it('Lord Howe fall-back hour keyed at 01:00 +11:00 and labelled that way', () => {
    const buckets = hoursOfDay('Australia/Lord_Howe', utc(2024, 3, 6, 14), utc(2024, 3, 6, 15, 30));
    expect(buckets).toEqual([
      { key: utc(2024, 3, 6, 14), start: utc(2024, 3, 6, 14), end: utc(2024, 3, 6, 15, 30) },
    ]);
  });
});

describe('enumerateBuckets: weeks and months', () => {
  it('New York week holding the spring-forward, Monday vs Sunday start', () => {
    // 2024-03-10 was a Sunday: the last day of a Monday week, the first of a Sunday week.
    expect(bucketOf(spec('week', 'America/New_York', 1), utc(2024, 2, 10, 12))).toEqual({
      key: utc(2024, 2, 4),
      start: utc(2024, 2, 4, 5),
      end: utc(2024, 2, 11, 4),
    });
    expect(bucketOf(spec('week', 'America/New_York', 0), utc(2024, 2, 10, 12))).toEqual({
      key: utc(2024, 2, 10),
      start: utc(2024, 2, 10, 5),
      end: utc(2024, 2, 17, 4),
    });
  });

  it('months across the leap day, partial at both ends', () => {
    expect(enumerateBuckets(spec('month', 'UTC'), utc(2024, 0, 31, 12), utc(2024, 2, 1, 0, 0, 0, 1))).toEqual(
      [
        { key: utc(2024, 0, 1), start: utc(2024, 0, 1), end: utc(2024, 1, 1) },
        { key: utc(2024, 1, 1), start: utc(2024, 1, 1), end: utc(2024, 2, 1) },
        { key: utc(2024, 2, 1), start: utc(2024, 2, 1), end: utc(2024, 3, 1) },
      ],
    );
    expect(bucketOf(spec('month', 'UTC'), utc(2023, 1, 15)).end - utc(2023, 1, 1)).toBe(28 * D);
  });

  it('New York March 2024 loses an hour', () => {
    expect(bucketOf(spec('month', 'America/New_York'), utc(2024, 2, 15))).toEqual({
      key: utc(2024, 2, 1),
      start: utc(2024, 2, 1, 5),
      end: utc(2024, 3, 1, 4),
    });
  });

  it('ISO weeks around 2020-W53', () => {
    const weeks = enumerateBuckets(spec('week', 'UTC'), utc(2020, 11, 28), utc(2021, 0, 11));
    expect(weeks.map((w) => w.key)).toEqual([utc(2020, 11, 28), utc(2021, 0, 4)]);
    expect(weeks.map((w) => isoWeek(w.key))).toEqual([
      { year: 2020, week: 53 },
      { year: 2021, week: 1 },
    ]);
  });
});

describe('enumerateBuckets: ranges and bounds', () => {
  it('is half-open and calendar-aligned', () => {
    const days = enumerateBuckets(spec('day', 'UTC'), utc(2024, 0, 1, 12), utc(2024, 0, 3));
    expect(days).toEqual([
      { key: utc(2024, 0, 1), start: utc(2024, 0, 1), end: utc(2024, 0, 2) },
      { key: utc(2024, 0, 2), start: utc(2024, 0, 2), end: utc(2024, 0, 3) },
    ]);
    expect(enumerateBuckets(spec('day', 'UTC'), utc(2024, 0, 1), utc(2024, 0, 1))).toEqual([]);
  });

  it('allows 5000 buckets and refuses 5001', () => {
    expect(enumerateBuckets(spec('hour', 'UTC'), 0, 5000 * H)).toHaveLength(5000);
    expect(() => enumerateBuckets(spec('hour', 'UTC'), 0, 5000 * H + 1)).toThrow(/5000/);
    expect(
      enumerateBuckets(spec('day', 'Asia/Kolkata'), utc(2000, 0, 1), utc(2000, 0, 1) + 4999 * D),
    ).toHaveLength(5000);
    expect(() =>
      enumerateBuckets(spec('day', 'UTC'), utc(2000, 0, 1), utc(2000, 0, 1) + 5000 * D + 1),
    ).toThrow(ValidationError);
  });

  it('refuses a huge range at once', () => {
    const started = performance.now();
    expect(() => enumerateBuckets(spec('hour', 'UTC'), 0, utc(9999, 0, 1))).toThrow(/range: .*5000/);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it.each([
    ['an unknown unit', { unit: 'minute' as BucketUnit, tz: 'UTC', weekStart: 1 }, /^bucket:/],
    ['an unknown zone', { unit: 'day' as const, tz: 'Mars/Base', weekStart: 1 }, /^timezone:/],
    ['a week start of 7', { unit: 'week' as const, tz: 'UTC', weekStart: 7 }, /^week_start:/],
  ])('rejects %s', (_name, badSpec, message) => {
    expect(() => enumerateBuckets(badSpec, 0, D)).toThrow(message);
  });

  it('rejects instants outside 1970..9999', () => {
    expect(() => enumerateBuckets(spec('day', 'UTC'), -1, D)).toThrow(/^from:/);
    expect(() => enumerateBuckets(spec('day', 'UTC'), 0, utc(10000, 0, 1) + 1)).toThrow(/^to:/);
    expect(bucketOf(spec('day', 'UTC'), utc(10000, 0, 1) - 1)).toEqual({
      key: utc(9999, 11, 31),
      start: utc(9999, 11, 31),
      end: utc(10000, 0, 1),
    });
  });
});

describe('isoWeek', () => {
  it.each([
    [utc(2021, 0, 1), 2020, 53],
    [utc(2020, 11, 31), 2020, 53],
    [utc(2021, 0, 3), 2020, 53],
    [utc(2021, 0, 4), 2021, 1],
    [utc(2026, 0, 1), 2026, 1],
    [utc(2026, 11, 31), 2026, 53],
    [utc(2027, 0, 3), 2026, 53],
    [utc(2027, 0, 4), 2027, 1],
    [utc(2024, 11, 30), 2025, 1],
    [utc(2023, 0, 1), 2022, 52],
    [utc(2024, 1, 29), 2024, 9],
  ])('%d is %d-W%d', (localMs, year, week) => {
    expect(isoWeek(localMs)).toEqual({ year, week });
  });
});

describe('hourOfDay and dayOfWeek', () => {
  it.each([
    ['UTC', utc(2024, 0, 1, 23, 59), 23, 1],
    ['UTC', utc(2024, 0, 7, 0), 0, 0],
    // Kathmandu: 18:14Z is 23:59 Monday local; 18:15Z is 00:00 Tuesday.
    ['Asia/Kathmandu', utc(2024, 0, 1, 18, 14), 23, 1],
    ['Asia/Kathmandu', utc(2024, 0, 1, 18, 15), 0, 2],
    ['America/New_York', utc(2024, 10, 3, 6, 30), 1, 0],
    ['America/New_York', utc(2024, 0, 6, 4, 59), 23, 5],
  ])('%s at %d: hour %d, day %d', (tz, ms, hour, dow) => {
    expect(hourOfDay(tz, ms)).toBe(hour);
    expect(dayOfWeek(tz, ms)).toBe(dow);
  });
});
