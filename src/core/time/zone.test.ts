/**
 * Offsets and local-time conversion. Expected values come from published tz rules
 * (e.g. US DST: second Sunday of March at 02:00, first Sunday of November at 02:00), not from the code.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { fromLocal, isValidTimeZone, offsetAt, offsetSegments, toLocal } from './zone.js';

const H = 3_600_000;
const M = 60_000;
const utc = Date.UTC;

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['America/New_York', true],
    ['Asia/Kathmandu', true],
    ['Australia/Lord_Howe', true],
    ['Etc/GMT+5', true],
    ['', false],
    ['Mars/Olympus_Mons', false],
    ['+05:30', false],
    ['not a zone', false],
    ['America/New_York'.repeat(10), false],
  ])('%s -> %s', (tz, valid) => {
    expect(isValidTimeZone(tz)).toBe(valid);
  });

  it('makes offsetAt throw a ValidationError on timezone (the parameter) for an unknown zone', () => {
    expect(() => offsetAt('Nowhere/Land', 0)).toThrow(ValidationError);
    expect(() => offsetAt('Nowhere/Land', 0)).toThrow(/^timezone: /);
  });
});

describe('offsetAt', () => {
  it.each([
    ['UTC', utc(2024, 6, 1), 0],
    ['Asia/Kolkata', utc(2024, 0, 1), 5 * H + 30 * M],
    ['Asia/Kolkata', utc(2024, 6, 1), 5 * H + 30 * M],
    ['Asia/Kathmandu', utc(2024, 0, 1), 5 * H + 45 * M],
    // New York: EST until 2024-03-10 02:00 local (07:00Z), EDT until 2024-11-03 02:00 EDT (06:00Z).
    ['America/New_York', utc(2024, 2, 10, 6, 59, 59, 999), -5 * H],
    ['America/New_York', utc(2024, 2, 10, 7), -4 * H],
    ['America/New_York', utc(2024, 10, 3, 5, 59, 59, 999), -4 * H],
    ['America/New_York', utc(2024, 10, 3, 6), -5 * H],
    // London: BST from 2024-03-31 01:00Z to 2024-10-27 01:00Z.
    ['Europe/London', utc(2024, 2, 31, 0, 59, 59), 0],
    ['Europe/London', utc(2024, 2, 31, 1), H],
    ['Europe/London', utc(2024, 9, 27, 0, 59, 59), H],
    ['Europe/London', utc(2024, 9, 27, 1), 0],
    // Lord Howe: +11 until 2024-04-07 02:00 local (04-06 15:00Z), then +10:30; +11 again from
    // 2024-10-06 02:00 local +10:30 (10-05 15:30Z).
    ['Australia/Lord_Howe', utc(2024, 3, 6, 14, 59, 59), 11 * H],
    ['Australia/Lord_Howe', utc(2024, 3, 6, 15), 10 * H + 30 * M],
    ['Australia/Lord_Howe', utc(2024, 9, 5, 15, 29, 59), 10 * H + 30 * M],
    ['Australia/Lord_Howe', utc(2024, 9, 5, 15, 30), 11 * H],
  ])('%s at %d', (tz, ms, expected) => {
    expect(offsetAt(tz, ms)).toBe(expected);
  });
});

describe('offsetSegments', () => {
  const year2024: [string, { from: number; offsetMs: number }[]][] = [
    ['UTC', [{ from: utc(2024, 0, 1), offsetMs: 0 }]],
    ['Asia/Kathmandu', [{ from: utc(2024, 0, 1), offsetMs: 5 * H + 45 * M }]],
    [
      'America/New_York',
      [
        { from: utc(2024, 0, 1), offsetMs: -5 * H },
        { from: utc(2024, 2, 10, 7), offsetMs: -4 * H },
        { from: utc(2024, 10, 3, 6), offsetMs: -5 * H },
      ],
    ],
    [
      'Europe/London',
      [
        { from: utc(2024, 0, 1), offsetMs: 0 },
        { from: utc(2024, 2, 31, 1), offsetMs: H },
        { from: utc(2024, 9, 27, 1), offsetMs: 0 },
      ],
    ],
    [
      'Australia/Lord_Howe',
      [
        { from: utc(2024, 0, 1), offsetMs: 11 * H },
        { from: utc(2024, 3, 6, 15), offsetMs: 10 * H + 30 * M },
        { from: utc(2024, 9, 5, 15, 30), offsetMs: 11 * H },
      ],
    ],
  ];
  it.each(year2024)('%s over 2024', (tz, expected) => {
    expect(offsetSegments(tz, utc(2024, 0, 1), utc(2025, 0, 1))).toEqual(expected);
  });

  it('is half-open: a transition at toMs is left out, one at fromMs starts the first segment', () => {
    expect(offsetSegments('America/New_York', utc(2024, 2, 1), utc(2024, 2, 10, 7))).toEqual([
      { from: utc(2024, 2, 1), offsetMs: -5 * H },
    ]);
    expect(offsetSegments('America/New_York', utc(2024, 2, 10, 7), utc(2024, 2, 11))).toEqual([
      { from: utc(2024, 2, 10, 7), offsetMs: -4 * H },
    ]);
  });

  it('spans years and is empty for an empty range', () => {
    const segments = offsetSegments('Europe/London', utc(2023, 9, 1), utc(2024, 4, 1));
    expect(segments.map((s) => s.from)).toEqual([utc(2023, 9, 1), utc(2023, 9, 29, 1), utc(2024, 2, 31, 1)]);
    expect(offsetSegments('Europe/London', utc(2024, 0, 1), utc(2024, 0, 1))).toEqual([]);
  });
});

describe('toLocal and fromLocal', () => {
  it.each([
    ['UTC', utc(2024, 1, 29, 12), utc(2024, 1, 29, 12)],
    ['Asia/Kathmandu', utc(2023, 11, 31, 18, 15), utc(2024, 0, 1)],
    ['America/New_York', utc(2024, 10, 3, 5, 30), utc(2024, 10, 3, 1, 30)],
    ['America/New_York', utc(2024, 10, 3, 6, 30), utc(2024, 10, 3, 1, 30)],
    ['Australia/Lord_Howe', utc(2024, 3, 6, 15, 15), utc(2024, 3, 7, 1, 45)],
  ])('toLocal(%s, %d) = %d', (tz, ms, local) => {
    expect(toLocal(tz, ms)).toBe(local);
  });

  it.each([
    ['plain UTC', 'UTC', utc(2024, 1, 29, 12), utc(2024, 1, 29, 12)],
    ['Kathmandu midnight', 'Asia/Kathmandu', utc(2024, 0, 1), utc(2023, 11, 31, 18, 15)],
    ['Kolkata midnight', 'Asia/Kolkata', utc(2024, 0, 1), utc(2023, 11, 31, 18, 30)],
    ['NY gap 02:30 -> jump instant', 'America/New_York', utc(2024, 2, 10, 2, 30), utc(2024, 2, 10, 7)],
    ['NY gap start 02:00', 'America/New_York', utc(2024, 2, 10, 2), utc(2024, 2, 10, 7)],
    ['NY 03:00 after the gap', 'America/New_York', utc(2024, 2, 10, 3), utc(2024, 2, 10, 7)],
    ['NY 01:59 before the gap', 'America/New_York', utc(2024, 2, 10, 1, 59), utc(2024, 2, 10, 6, 59)],
    ['NY ambiguous 01:30 -> EDT', 'America/New_York', utc(2024, 10, 3, 1, 30), utc(2024, 10, 3, 5, 30)],
    ['NY 02:30 after fall-back', 'America/New_York', utc(2024, 10, 3, 2, 30), utc(2024, 10, 3, 7, 30)],
    ['London gap 01:30', 'Europe/London', utc(2024, 2, 31, 1, 30), utc(2024, 2, 31, 1)],
    ['London ambiguous 01:30', 'Europe/London', utc(2024, 9, 27, 1, 30), utc(2024, 9, 27, 0, 30)],
    [
      'Lord Howe ambiguous 01:45 -> +11',
      'Australia/Lord_Howe',
      utc(2024, 3, 7, 1, 45),
      utc(2024, 3, 6, 14, 45),
    ],
    ['Lord Howe gap 02:15', 'Australia/Lord_Howe', utc(2024, 9, 6, 2, 15), utc(2024, 9, 5, 15, 30)],
    ['Lord Howe 02:30 after the gap', 'Australia/Lord_Howe', utc(2024, 9, 6, 2, 30), utc(2024, 9, 5, 15, 30)],
    // Chile springs forward at local midnight: 2024-09-08 00:00 -04 becomes 01:00 -03 (04:00Z).
    ['Santiago midnight gap', 'America/Santiago', utc(2024, 8, 8), utc(2024, 8, 8, 4)],
  ])('%s', (_name, tz, local, instant) => {
    expect(fromLocal(tz, local)).toBe(instant);
  });
});
