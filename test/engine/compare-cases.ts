/**
 * Hand-worked tables for `compare` and `agg=integral` on every engine: the compared ranges of
 * whole days across DST, whole months, a local `last=7d`, arbitrary instants and 29 February;
 * top-N, "other", shares and a rolling window in the compared range; integrals over 23- and
 * 25-hour New York days, a +05:45 zone, ties and seeds.
 */
import { describe, expect, it } from 'vitest';
import type { Query } from '../../src/core/query/plan.js';
import type { QueryResult } from '../../src/core/query/result.js';
import { ev, plan, values, type MakeEngine } from './fixture.js';

const NY = 'America/New_York';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function compared(r: QueryResult, k = 0): { range: string[]; total: unknown; points: unknown[][] } {
  const c = r.series[k]!.compare!;
  return {
    range: [iso(c.range.from)!, iso(c.range.to)!],
    total: c.total,
    points: c.points.map((p) => [iso(p.start), p.value, ...(p.share === undefined ? [] : [p.share])]),
  };
}

export function runCompareCases(make: MakeEngine): void {
  describe('compare and integral, worked by hand', () => {
    const run = async (
      events: ReturnType<typeof ev>[],
      q: Query,
      now = Date.parse('2030-01-01T00:00:00Z'),
    ) => {
      const db = await make();
      try {
        await db.ingest(events);
        return await db.query(q, now);
      } finally {
        await db.close();
      }
    };

    it('previous_period of 7 local days across the March DST change is the 7 local days before', async () => {
      // Noon local each day; the compared week (Mar 4-10) holds the 23-hour day.
      const days = ['2024-03-04', '2024-03-06', '2024-03-10', '2024-03-11', '2024-03-12', '2024-03-12'];
      const events = days.map((d) => ev(`${d}T12:00:00${d < '2024-03-10' ? '-05:00' : '-04:00'}`));
      const q = plan('2024-03-11T04:00:00Z', '2024-03-18T04:00:00Z', {
        timezone: NY,
        compare: 'previous_period',
      });
      const r = await run(events, q);
      expect(values(r)).toEqual([1, 2, 0, 0, 0, 0, 0]);
      const c = compared(r);
      expect(c.range).toEqual(['2024-03-04T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
      expect(c.total).toBe(3);
      expect(c.points.map((p) => p[1])).toEqual([1, 0, 1, 0, 0, 0, 1]);
      expect(c.points[6]![0]).toBe('2024-03-10T05:00:00.000Z');
    });

    it('previous_period of a month is the month before; days past its end compare with nothing', async () => {
      const events = [ev('2024-02-10T00:00:00Z'), ev('2024-02-29T10:00:00Z'), ev('2024-03-31T10:00:00Z')];
      const byDay = await run(
        events,
        plan('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z', { compare: 'previous_period' }),
      );
      const c = compared(byDay);
      expect(c.range).toEqual(['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
      expect(c.total).toBe(2);
      expect(c.points).toHaveLength(31);
      expect(c.points[28]).toEqual(['2024-02-29T00:00:00.000Z', 1]);
      expect(c.points[29]).toEqual([null, null]);
      expect(c.points[30]).toEqual([null, null]);
      const byMonth = await run(
        events,
        plan('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z', { bucket: 'month', compare: 'previous_period' }),
      );
      expect(compared(byMonth).points).toEqual([['2024-02-01T00:00:00.000Z', 2]]);
    });

    it('previous_period of a local last=7d, and of arbitrary instants', async () => {
      // last=7d at 2024-03-15T12:00-04:00 in New York starts at 2024-03-08T12:00-05:00 (167 hours).
      const week = await run(
        [],
        plan('2024-03-08T17:00:00Z', '2024-03-15T16:00:00Z', { timezone: NY, compare: 'previous_period' }),
      );
      expect(compared(week).range).toEqual(['2024-03-01T17:00:00.000Z', '2024-03-08T17:00:00.000Z']);
      const odd = await run(
        [],
        plan('2024-03-08T10:30:00Z', '2024-03-08T16:45:00Z', { bucket: 'hour', compare: 'previous_period' }),
      );
      expect(compared(odd).range).toEqual(['2024-03-08T04:15:00.000Z', '2024-03-08T10:30:00.000Z']);
    });

    it('previous_year: the same local dates; 29 February maps to 28 February', async () => {
      const events = [ev('2023-02-28T10:00:00Z'), ev('2023-03-01T10:00:00Z'), ev('2023-03-01T11:00:00Z')];
      const leap = await run(
        events,
        plan('2024-02-28T00:00:00Z', '2024-03-02T00:00:00Z', { compare: 'previous_year' }),
      );
      // Index for index: the 2023 axis has two days, so the third point has no counterpart.
      expect(compared(leap)).toEqual({
        range: ['2023-02-28T00:00:00.000Z', '2023-03-02T00:00:00.000Z'],
        total: 3,
        points: [
          ['2023-02-28T00:00:00.000Z', 1],
          ['2023-03-01T00:00:00.000Z', 2],
          [null, null],
        ],
      });
      const day = await run(
        events,
        plan('2024-02-29T00:00:00Z', '2024-03-01T00:00:00Z', { compare: 'previous_year' }),
      );
      expect(compared(day).range).toEqual(['2023-02-28T00:00:00.000Z', '2023-03-01T00:00:00.000Z']);
      // [28 Feb, 29 Feb) maps to [28 Feb, 28 Feb): it keeps its own length instead.
      const before = await run(
        events,
        plan('2024-02-28T00:00:00Z', '2024-02-29T00:00:00Z', { compare: 'previous_year' }),
      );
      expect(compared(before).range).toEqual(['2023-02-28T00:00:00.000Z', '2023-03-01T00:00:00.000Z']);
      const dst = await run(
        [],
        plan('2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z', { timezone: NY, compare: 'previous_year' }),
      );
      expect(compared(dst).range).toEqual(['2023-11-03T04:00:00.000Z', '2023-11-04T04:00:00.000Z']);
    });

    it('top-N, other and shares in the compared range; a group only there is left out', async () => {
      const app = (a: string, n: number, day: string) =>
        Array.from({ length: n }, () => ev(`${day}T10:00:00Z`, { dims: { app: a } }));
      const events = [
        ...app('a', 5, '2024-03-02'),
        ...app('b', 3, '2024-03-02'),
        ...app('c', 1, '2024-03-02'),
        ...app('a', 1, '2024-03-01'),
        ...app('c', 2, '2024-03-01'),
        ...app('d', 4, '2024-03-01'),
      ];
      const base = { groupBy: [{ kind: 'dim' as const, key: 'app' }], compare: 'previous_period' as const };
      const q = plan('2024-03-02T00:00:00Z', '2024-03-03T00:00:00Z', {
        ...base,
        top: { n: 1, other: true },
        share: { precision: 0 },
      });
      const r = await run(events, q);
      // a 5 of 9 (56 %), other 4 (44 %); compared: a 1 of 7 (14 %), other = b 0 + c 2 + d 4 (86 %).
      expect(r.series[0]!.points[0]!.share).toBe(56);
      expect(compared(r).points).toEqual([['2024-03-01T00:00:00.000Z', 1, 14]]);
      expect(r.other!.compare!.points.map((p) => [p.value, p.share])).toEqual([[6, 86]]);
      const all = await run(events, plan('2024-03-02T00:00:00Z', '2024-03-03T00:00:00Z', base));
      expect(all.series.map((s) => [s.group['dims.app'], s.compare!.total])).toEqual([
        ['a', 1],
        ['b', 0],
        ['c', 2],
      ]);
    });

    it('a rolling window in the compared range looks back before it', async () => {
      const events = [1, 2, 3, 4, 5].flatMap((d, k) =>
        Array.from({ length: 2 ** k }, () => ev(`2024-03-0${d}T10:00:00Z`)),
      );
      const q = plan('2024-03-04T00:00:00Z', '2024-03-06T00:00:00Z', {
        window: { kind: 'rolling', size: 2, unit: 'day' },
        compare: 'previous_period',
      });
      const r = await run(events, q);
      expect(values(r)).toEqual([4 + 8, 8 + 16]);
      expect(compared(r)).toEqual({
        range: ['2024-03-02T00:00:00.000Z', '2024-03-04T00:00:00.000Z'],
        total: 2 + 4,
        points: [
          ['2024-03-02T00:00:00.000Z', 1 + 2],
          ['2024-03-03T00:00:00.000Z', 2 + 4],
        ],
      });
    });

    it('integral over the 23- and 25-hour New York days, and compared with the day before', async () => {
      const events = [ev('2024-03-01T00:00:00Z', { value: 5 }), ev('2024-11-01T00:00:00Z', { value: 5 })];
      const agg = { fn: 'integral' as const, per: [], unit: 'hour' as const };
      const spring = await run(
        events,
        plan('2024-03-10T05:00:00Z', '2024-03-12T04:00:00Z', { timezone: NY, aggregation: agg }),
      );
      expect(values(spring)).toEqual([23 * 5, 24 * 5]);
      const fall = await run(
        events,
        plan('2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z', { timezone: NY, aggregation: agg }),
      );
      expect(values(fall)).toEqual([25 * 5]);
      const vs = await run(
        events,
        plan('2024-03-11T04:00:00Z', '2024-03-12T04:00:00Z', {
          timezone: NY,
          aggregation: agg,
          compare: 'previous_period',
        }),
      );
      expect([values(vs), compared(vs).total]).toEqual([[120], 115]);
    });

    it('integral in Asia/Kathmandu hours: readings mid-hour, a seed, a tie on time, and now', async () => {
      const at = (local: string) => `2024-01-01T${local}:00+05:45`;
      const events = [
        ev(at('09:00'), { value: 2, id: 'k1' }), // the seed, before the range
        ev(at('10:30'), { value: 9, id: 'k2' }),
        ev(at('10:30'), { value: 6, id: 'k3' }), // same time, larger id: 6 holds
        ev(at('11:45'), { value: 1, id: 'k4' }),
      ];
      const q = plan(at('10:00'), at('13:00'), {
        timezone: 'Asia/Kathmandu',
        bucket: 'hour',
        aggregation: { fn: 'integral', per: [], unit: 'minute' },
      });
      // 10:00-11:00: 2 x 30 + 6 x 30; 11:00-12:00: 6 x 45 + 1 x 15; 12:00-12:30 until now: 1 x 30.
      const r = await run(events, q, Date.parse(at('12:30')));
      expect(values(r)).toEqual([240, 285, 30]);
      expect(r.series[0]!.total).toBe(555);
      expect(r.series[0]!.points[0]!.start).toBe(Date.parse(at('10:00')));
      expect(new Date(r.series[0]!.points[0]!.start).getUTCMinutes()).toBe(15);
    });
  });
}
