/**
 * `formatLocalIso` computes local times from cached offset changes with integer arithmetic; here it
 * is checked against a naive second implementation that asks Intl for every field (wall clock and
 * `longOffset`) of every instant, over random instants in random zones, cold and warm caches alike.
 * Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enumerateBuckets } from './buckets.js';
import { formatLocalIso } from './range.js';
import { offsetSegments } from './zone.js';

const H = 3_600_000;
const D = 86_400_000;

const naiveFormatters = new Map<string, Intl.DateTimeFormat>();

/** 'YYYY-MM-DDTHH:mm:ss±hh:mm' straight from Intl's parts; the offset's seconds (before 1972) dropped. */
function naiveLocalIso(tz: string, ms: number): string {
  let f = naiveFormatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    naiveFormatters.set(tz, f);
  }
  const part: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) part[p.type] = p.value;
  const name = part['timeZoneName']!; // 'GMT', 'GMT+05:45', 'GMT-00:44:30'
  const offset = name === 'GMT' ? '+00:00' : name.slice(3, 9);
  const year = part['year']!.padStart(4, '0');
  return `${year}-${part['month']}-${part['day']}T${part['hour']}:${part['minute']}:${part['second']}${offset}`;
}

/** Zones with DST either way, odd offsets, skipped days and offsets in seconds before 1972. */
const ZONES = [
  'UTC',
  'America/New_York',
  'America/St_Johns',
  'America/Santiago',
  'Europe/London',
  'Europe/Dublin',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Tehran',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Pacific/Apia',
  'Pacific/Kiritimati',
  'Pacific/Chatham',
  'Africa/Monrovia',
  'Antarctica/Casey',
  'America/Halifax',
];

const FIRST = 0;
const LAST = Date.UTC(2045, 0, 1);
const CHANGES = ZONES.flatMap((tz) =>
  offsetSegments(tz, FIRST, LAST)
    .slice(1)
    .map((s) => [tz, s.from] as const),
);

describe('formatLocalIso against Intl', () => {
  it('the naive formatter agrees with hand-worked values', () => {
    expect(naiveLocalIso('America/New_York', Date.UTC(2024, 10, 3, 6, 30))).toBe('2024-11-03T01:30:00-05:00');
    expect(naiveLocalIso('Asia/Kathmandu', Date.UTC(2024, 0, 1))).toBe('2024-01-01T05:45:00+05:45');
    expect(naiveLocalIso('UTC', Date.UTC(1970, 0, 1))).toBe('1970-01-01T00:00:00+00:00');
    expect(naiveLocalIso('Africa/Monrovia', Date.UTC(1971, 0, 1))).toBe('1970-12-31T23:15:30-00:44');
  });

  it('agrees at random instants and around offset changes, caches cold or warm', () => {
    const instant = fc.oneof(
      fc.tuple(fc.constantFrom(...ZONES), fc.integer({ min: FIRST, max: LAST })),
      fc
        .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -3 * H, max: 3 * H }))
        .map(([[tz, at], delta]) => [tz, Math.max(0, at + delta)] as const),
      fc
        .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -2000, max: 2000 }))
        .map(([[tz, at], delta]) => [tz, Math.max(0, at + delta)] as const),
    );
    fc.assert(
      fc.property(instant, fc.boolean(), ([tz, ms], warm) => {
        if (warm) offsetSegments(tz, Math.max(0, ms - 40 * D), ms + 40 * D);
        expect(formatLocalIso(tz, ms)).toBe(naiveLocalIso(tz, ms));
      }),
      { seed: 20261126, numRuns: 4000 },
    );
  });

  it('agrees in every zone the runtime knows, over a random year each', () => {
    const rand = fc.sample(fc.integer({ min: 1970, max: 2040 }), { seed: 7, numRuns: 1000 });
    const offsets = fc.sample(fc.integer({ min: 0, max: 365 * D }), { seed: 8, numRuns: 5000 });
    let k = 0;
    Intl.supportedValuesOf('timeZone').forEach((tz, z) => {
      const from = Date.UTC(rand[z % rand.length]!, 0, 1);
      const to = Date.UTC(rand[z % rand.length]! + 1, 0, 1);
      const segments = offsetSegments(tz, from, to);
      const probes = segments.flatMap((s) => [s.from - 1000, s.from - 1, s.from, s.from + 999, s.from + H]);
      for (let i = 0; i < 8; i++) probes.push(from + offsets[k++ % offsets.length]!);
      for (const ms of probes) expect(formatLocalIso(tz, ms)).toBe(naiveLocalIso(tz, ms));
    });
  });

  it('agrees on the bounds of hour and day buckets, zones interleaved', () => {
    const weeks = [Date.UTC(2024, 2, 7), Date.UTC(2024, 9, 3), Date.UTC(2024, 9, 30), Date.UTC(2011, 11, 27)];
    for (const start of weeks) {
      const lists = ZONES.map((tz) => ({
        tz,
        buckets: [
          ...enumerateBuckets({ unit: 'hour', tz, weekStart: 1 }, start, start + 7 * D),
          ...enumerateBuckets({ unit: 'day', tz, weekStart: 1 }, start, start + 30 * D),
        ],
      }));
      for (let i = 0; i < 168 + 30; i++) {
        for (const { tz, buckets } of lists) {
          const b = buckets[i];
          if (b === undefined) continue;
          expect(formatLocalIso(tz, b.start)).toBe(naiveLocalIso(tz, b.start));
          expect(formatLocalIso(tz, b.end)).toBe(naiveLocalIso(tz, b.end));
        }
      }
    }
  });
});
