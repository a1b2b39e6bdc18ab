import { describe, expect, it } from 'vitest';
import { bucketKey } from '../time/index.js';
import { buildAxis, indexFormula } from './axis.js';
import { makeQuery, type Query, type TimeUnit } from './plan.js';

/** A plan from the defaults (UTC days, count, no window), over one org. */
const q = (over: Partial<Query>): Query => makeQuery({ orgs: ['o'], range: { from: 0, to: 1 }, ...over });

/** Where the TimeIndex puts `ts`: the formula the dialects evaluate, in JS. */
function indexOf(axis: ReturnType<typeof buildAxis>, ts: number): number {
  const segs = axis.index.segments;
  let s = segs[0]!;
  for (const seg of segs) if (ts >= seg.from) s = seg;
  return indexFormula(axis.index.kind, axis.index.weekStart, ts + s.offsetMs) + s.add;
}

describe('buildAxis', () => {
  const cases: [string, TimeUnit, string, string][] = [
    ['America/New_York', 'hour', '2024-11-03T00:00:00Z', '2024-11-04T00:00:00Z'],
    ['America/New_York', 'day', '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'],
    ['Europe/London', 'week', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['Asia/Kathmandu', 'month', '2020-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['Australia/Lord_Howe', 'hour', '2024-04-06T10:00:00Z', '2024-04-07T10:00:00Z'],
    ['Australia/Lord_Howe', 'hour', '2024-10-05T10:00:00Z', '2024-10-06T10:00:00Z'],
    ['Pacific/Apia', 'day', '2011-12-25T00:00:00Z', '2012-01-05T00:00:00Z'], // a skipped day
  ];
  it.each(cases)('indexes every 7 minutes onto the bucket bucketKey names: %s %s', (tz, unit, from, to) => {
    const range = { from: Date.parse(from), to: Date.parse(to) };
    const axis = buildAxis(q({ timezone: tz, bucket: unit, range, weekStart: 0 }));
    const spec = { unit, tz, weekStart: 0 };
    for (let ts = range.from; ts < range.to; ts += 7 * 60_000) {
      expect(axis.units[indexOf(axis, ts)]!.key).toBe(bucketKey(spec, ts));
    }
  });

  it('looks back size-1 units for a rolling window and samples each bucket at its last unit', () => {
    const range = { from: Date.parse('2024-03-04T00:00:00Z'), to: Date.parse('2024-03-18T00:00:00Z') };
    const axis = buildAxis(q({ bucket: 'week', range, window: { kind: 'rolling', size: 3, unit: 'day' } }));
    expect(axis.first).toBe(2);
    expect(new Date(axis.dataFrom).toISOString()).toBe('2024-03-02T00:00:00.000Z');
    // Two weeks of days after the 2 lookback days: week 1 = units 2..8, week 2 = 9..15.
    expect(axis.span).toEqual([
      { lo: 2, hi: 8 },
      { lo: 9, hi: 15 },
    ]);
  });
});
