/**
 * User ranges: instant forms, relative `last` values and the text forms. Expected instants are
 * worked out by hand from the zone rules (New York is -05:00 until 2024-03-10, -04:00 after).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import {
  formatDate,
  formatLocalIso,
  formatOffset,
  formatUtcIsoMs,
  parseInstant,
  parseRelative,
  resolveRange,
} from './range.js';

const H = 3_600_000;
const M = 60_000;
const utc = Date.UTC;
const NY = 'America/New_York';

describe('parseInstant', () => {
  it.each([
    ['2024-03-10T02:30:00Z', 'UTC', utc(2024, 2, 10, 2, 30)],
    ['2024-03-10t02:30:00z', 'UTC', utc(2024, 2, 10, 2, 30)],
    ['2024-03-10 02:30:00Z', 'UTC', utc(2024, 2, 10, 2, 30)],
    ['2024-03-10T02:30:00.123Z', NY, utc(2024, 2, 10, 2, 30, 0, 123)],
    ['2024-03-10T02:30:00.123456789Z', NY, utc(2024, 2, 10, 2, 30, 0, 123)],
    ['2024-03-10T02:30:00.5+05:45', NY, utc(2024, 2, 9, 20, 45, 0, 500)],
    ['2024-03-10T02:30:00-04:00', 'UTC', utc(2024, 2, 10, 6, 30)],
    ['2024-03-10T02:30:00+0530', 'UTC', utc(2024, 2, 9, 21)],
    ['2024-03-10T02:30Z', 'UTC', utc(2024, 2, 10, 2, 30)],
    // Dates are local midnight; local date-times are local wall time (a gap time moves past the gap).
    ['2024-03-10', NY, utc(2024, 2, 10, 5)],
    ['2024-03-11', NY, utc(2024, 2, 11, 4)],
    ['2024-01-01', 'Asia/Kathmandu', utc(2023, 11, 31, 18, 15)],
    ['2024-02-29', 'UTC', utc(2024, 1, 29)],
    ['2000-02-29', 'UTC', utc(2000, 1, 29)],
    ['2024-03-10T02:30', NY, utc(2024, 2, 10, 7)],
    ['2024-11-03T01:30:00', NY, utc(2024, 10, 3, 5, 30)],
    ['2024-11-03 12:00', NY, utc(2024, 10, 3, 17)],
    // Unix seconds.
    [1710000000, NY, 1710000000000],
    [1710000000.25, NY, 1710000000250],
    ['1710000000', NY, 1710000000000],
    ['1710000000.5', NY, 1710000000500],
    [0, 'UTC', 0],
    ['253402300799', 'UTC', utc(9999, 11, 31, 23, 59, 59)],
  ])('%s in %s', (input, tz, expected) => {
    expect(parseInstant(input, tz, 'from')).toBe(expected);
  });

  it.each([
    ['2023-02-29', /calendar date/],
    ['1900-02-29', /calendar date|1970/],
    ['2024-02-30T00:00:00Z', /calendar date/],
    ['2024-04-31', /calendar date/],
    ['2024-13-01', /calendar date/],
    ['2024-00-10', /calendar date/],
    ['2024-01-00', /calendar date/],
    ['2024-01-01T24:00:00Z', /time of day/],
    ['2024-01-01T23:60:00Z', /time of day/],
    ['2024-01-01T23:59:60Z', /time of day/],
    ['2024-01-01T00:00:00+24:00', /offset/],
    ['2024-01-01T00:00:00+05:60', /offset/],
    ['1969-12-31T23:59:59Z', /1970/],
    ['0075-01-01T00:00:00Z', /1970/],
    ['9999-12-31T23:59:59-01:00', /1970/],
    [-1, /1970/],
    [Number.NaN, /RFC 3339/],
    [Number.POSITIVE_INFINITY, /RFC 3339/],
    ['', /RFC 3339/],
    ['yesterday', /RFC 3339/],
    ['2024-1-5', /RFC 3339/],
    ['10000-01-01', /RFC 3339/],
    ['-1710000000', /RFC 3339/],
    ['1e9', /RFC 3339/],
    [' 2024-01-01', /RFC 3339/],
    ['2024-01-01T00:00:00Z'.padEnd(41, '0'), /RFC 3339/],
  ])('rejects %s', (input, message) => {
    let error: unknown;
    try {
      parseInstant(input, 'UTC', 'start');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([
      { path: 'start', message: expect.stringMatching(message) as string },
    ]);
  });

  it('rejects an unknown time zone', () => {
    expect(() => parseInstant('2024-01-01', 'Mars/Base', 'from')).toThrow(/^timezone:/);
  });
});

describe('parseRelative', () => {
  it.each([
    ['30s', 30, 's'],
    ['15m', 15, 'm'],
    ['24h', 24, 'h'],
    ['7d', 7, 'd'],
    ['2w', 2, 'w'],
    ['12mo', 12, 'mo'],
    ['1y', 1, 'y'],
    ['100000d', 100000, 'd'],
  ])('%s', (last, n, unit) => {
    expect(parseRelative(last)).toEqual({ n, unit });
  });

  it.each(['', '0d', '100001h', '7', 'd', '7 d', '7D', '1.5h', '-1d', '7days', '1000000m'])(
    'rejects %j',
    (last) => {
      expect(() => parseRelative(last)).toThrow(/^last:/);
    },
  );
});

describe('resolveRange', () => {
  // Friday 2024-03-15 12:00Z = 08:00 EDT.
  const now = utc(2024, 2, 15, 12);

  it.each([
    ['24h', 'UTC', utc(2024, 2, 14, 12)],
    ['90m', 'UTC', utc(2024, 2, 15, 10, 30)],
    ['45s', 'UTC', utc(2024, 2, 15, 11, 59, 15)],
    ['24h', NY, utc(2024, 2, 14, 12)],
    // 7 calendar days in New York: 2024-03-08 08:00 EST = 13:00Z, 167 hours before now.
    ['7d', NY, utc(2024, 2, 8, 13)],
    ['1w', NY, utc(2024, 2, 8, 13)],
    ['7d', 'UTC', utc(2024, 2, 8, 12)],
    ['1mo', NY, utc(2024, 1, 15, 13)],
    ['12mo', 'UTC', utc(2023, 2, 15, 12)],
    ['1y', 'Asia/Kathmandu', utc(2023, 2, 15, 12)],
  ])('last=%s in %s', (last, tz, from) => {
    expect(resolveRange({ last }, now, tz)).toEqual({ from, to: now });
  });

  it.each([
    // Month ends clamp: 2024-03-31 - 1mo = 2024-02-29; 2024-02-29 - 1y = 2023-02-28.
    ['1mo', utc(2024, 2, 31, 10), utc(2024, 1, 29, 10)],
    ['2mo', utc(2024, 2, 31, 10), utc(2024, 0, 31, 10)],
    ['1mo', utc(2023, 2, 31, 10), utc(2023, 1, 28, 10)],
    ['1y', utc(2024, 1, 29, 10), utc(2023, 1, 28, 10)],
    ['4y', utc(2024, 1, 29, 10), utc(2020, 1, 29, 10)],
    ['13mo', utc(2024, 0, 31), utc(2022, 11, 31)],
  ])('last=%s at %d clamps to the month end', (last, at, from) => {
    expect(resolveRange({ last }, at, 'UTC')).toEqual({ from, to: at });
  });

  it.each([
    ['today', utc(2024, 2, 15, 4), now],
    ['yesterday', utc(2024, 2, 14, 4), utc(2024, 2, 15, 4)],
    ['month', utc(2024, 2, 1, 5), now],
    ['prev_month', utc(2024, 1, 1, 5), utc(2024, 2, 1, 5)],
    ['year', utc(2024, 0, 1, 5), now],
  ])('last=%s in New York', (last, from, to) => {
    expect(resolveRange({ last }, now, NY)).toEqual({ from, to });
  });

  it('yesterday across the spring-forward is 23 hours', () => {
    expect(resolveRange({ last: 'yesterday' }, utc(2024, 2, 11, 12), NY)).toEqual({
      from: utc(2024, 2, 10, 5),
      to: utc(2024, 2, 11, 4),
    });
  });

  it('prev_month in January is December of the previous year', () => {
    expect(resolveRange({ last: 'prev_month' }, utc(2024, 0, 10), 'UTC')).toEqual({
      from: utc(2023, 11, 1),
      to: utc(2024, 0, 1),
    });
  });

  it.each([
    [{ from: '2024-03-01', to: '2024-03-02' }, 'UTC', utc(2024, 2, 1), utc(2024, 2, 2)],
    [{ from: '2024-03-10', to: '2024-03-11' }, NY, utc(2024, 2, 10, 5), utc(2024, 2, 11, 4)],
    [{ from: 1709251200, to: '2024-03-02T00:00:00Z' }, NY, utc(2024, 2, 1), utc(2024, 2, 2)],
    [{ from: '2024-03-15T11:00:00Z' }, NY, utc(2024, 2, 15, 11), now],
  ])('absolute %j in %s', (input, tz, from, to) => {
    expect(resolveRange(input, now, tz)).toEqual({ from, to });
  });

  it.each([
    ['last with from', { last: '7d', from: '2024-01-01' }, /^last:/],
    ['last with to', { last: '7d', to: '2024-01-01' }, /^last:/],
    ['nothing', {}, /^from:/],
    ['to alone', { to: '2024-03-01' }, /^from:/],
    ['from after to', { from: '2024-03-02', to: '2024-03-01' }, /^to:/],
    ['from equal to to', { from: '2024-03-01', to: '2024-03-01T00:00:00Z' }, /^to:/],
    ['from in the future without to', { from: '2024-03-16' }, /^from:/],
    ['a bad relative', { last: 'fortnight' }, /^last:/],
    ['n over the bound', { last: '100001s' }, /^last:/],
    ['a range before 1970', { last: '55y' }, /^last:.*1970/],
    ['a range far before 1970', { last: '100000y' }, /^last:.*1970/],
    ['days before 1970', { last: '100000d' }, /^last:.*1970/],
    ['a bad from', { from: '2024-02-30', to: '2024-03-01' }, /^from:/],
  ])('rejects %s', (_name, input, message) => {
    expect(() => resolveRange(input, now, 'UTC')).toThrow(message);
  });
});

describe('formatting', () => {
  it.each([
    [5 * H + 45 * M, '+05:45'],
    [5 * H + 30 * M, '+05:30'],
    [-4 * H, '-04:00'],
    [-(9 * H + 30 * M), '-09:30'],
    [0, '+00:00'],
    [14 * H, '+14:00'],
  ])('formatOffset(%d) = %s', (offset, text) => {
    expect(formatOffset(offset)).toBe(text);
  });

  it.each([
    [NY, utc(2024, 10, 3, 5, 30), '2024-11-03T01:30:00-04:00'],
    [NY, utc(2024, 10, 3, 6, 30), '2024-11-03T01:30:00-05:00'],
    ['Asia/Kathmandu', utc(2023, 11, 31, 18, 15, 30, 999), '2024-01-01T00:00:30+05:45'],
    ['UTC', utc(2016, 10, 7), '2016-11-07T00:00:00+00:00'],
    ['Australia/Lord_Howe', utc(2024, 3, 6, 15), '2024-04-07T01:30:00+10:30'],
  ])('formatLocalIso(%s, %d) = %s', (tz, ms, text) => {
    expect(formatLocalIso(tz, ms)).toBe(text);
  });

  it('formatUtcIsoMs and formatDate', () => {
    expect(formatUtcIsoMs(utc(2016, 10, 7))).toBe('2016-11-07T00:00:00.000Z');
    expect(formatUtcIsoMs(utc(2024, 1, 29, 23, 59, 59, 7))).toBe('2024-02-29T23:59:59.007Z');
    expect(formatDate(utc(2024, 1, 29, 23, 59))).toBe('2024-02-29');
    expect(formatDate(utc(1970, 0, 1))).toBe('1970-01-01');
  });
});
