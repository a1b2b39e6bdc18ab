/**
 * The engine conformance table: hand-computed answers for every aggregation,
 * bucket and window, in UTC, New York (March and November), London, Kolkata,
 * Kathmandu and Lord Howe, with ISO week 53 and month ends. Each expected value
 * is worked out in the comment beside it, not by the code under test.
 */
import { expect, test } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { Query } from '../../src/core/query/plan.js';
import type { QueryResult } from '../../src/core/query/result.js';
import { ev, plan, type MakeEngine } from './fixture.js';

interface Case {
  name: string;
  events: EventRecord[];
  q: Query;
  now?: string;
  starts?: string[];
  values?: (number | null)[];
  check?: (r: QueryResult) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const actor = (a: string | null) => ({ actor: a });
const unique: Partial<Query> = { aggregation: { fn: 'unique', of: [{ kind: 'actor' }] } };

const CASES: Case[] = [
  {
    name: 'UTC month buckets at month ends (Jan 31 23:59:59 vs Feb 1 00:00, leap Feb 29)',
    events: [ev('2024-01-31T23:59:59Z'), ev('2024-02-01T00:00:00Z'), ev('2024-02-29T12:00:00Z')],
    q: plan('2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z', { bucket: 'month' }),
    starts: ['2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'],
    values: [1, 2],
  },
  {
    name: 'New York March: the 23-hour day',
    // Mar 9 EST starts 05:00Z; Mar 10 starts 05:00Z and ends Mar 11 04:00Z (EDT); 03:59:59Z Mar 11 is 23:59:59 Mar 10.
    events: [
      ev('2024-03-10T04:59:59Z'),
      ev('2024-03-10T05:00:00Z'),
      ev('2024-03-11T03:59:59Z'),
      ev('2024-03-11T04:00:00Z'),
    ],
    q: plan('2024-03-09T05:00:00Z', '2024-03-12T04:00:00Z', { timezone: 'America/New_York' }),
    starts: ['2024-03-09T05:00:00Z', '2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z'],
    values: [1, 2, 1],
    check: (r) => {
      expect(r.series[0]!.points[1]!.end - r.series[0]!.points[1]!.start).toBe(23 * 3_600_000);
    },
  },
  {
    name: 'New York November: the repeated 01:00 hour is two buckets',
    // 05:30Z = 01:30 EDT, 06:30Z = 01:30 EST.
    events: [ev('2024-11-03T05:30:00Z'), ev('2024-11-03T06:30:00Z')],
    q: plan('2024-11-03T04:00:00Z', '2024-11-03T08:00:00Z', { timezone: 'America/New_York', bucket: 'hour' }),
    starts: ['2024-11-03T04:00:00Z', '2024-11-03T05:00:00Z', '2024-11-03T06:00:00Z', '2024-11-03T07:00:00Z'],
    values: [0, 1, 1, 0],
  },
  {
    name: 'New York November: the 25-hour day',
    events: [ev('2024-11-03T04:00:00Z'), ev('2024-11-04T04:59:59Z'), ev('2024-11-04T05:00:00Z')],
    q: plan('2024-11-03T04:00:00Z', '2024-11-05T05:00:00Z', { timezone: 'America/New_York' }),
    starts: ['2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z'],
    values: [2, 1],
  },
  {
    name: 'London: 31 March is 23 hours; 23:30Z is already 1 April',
    events: [ev('2024-03-31T00:00:00Z'), ev('2024-03-31T22:59:59Z'), ev('2024-03-31T23:30:00Z')],
    q: plan('2024-03-31T00:00:00Z', '2024-04-01T23:00:00Z', { timezone: 'Europe/London' }),
    starts: ['2024-03-31T00:00:00Z', '2024-03-31T23:00:00Z'],
    values: [2, 1],
  },
  {
    name: 'Kolkata: hours start at :30 UTC',
    events: [ev('2024-01-01T00:29:59Z'), ev('2024-01-01T00:30:00Z'), ev('2024-01-01T01:00:00Z')],
    q: plan('2023-12-31T23:30:00Z', '2024-01-01T01:30:00Z', { timezone: 'Asia/Kolkata', bucket: 'hour' }),
    starts: ['2023-12-31T23:30:00Z', '2024-01-01T00:30:00Z'],
    values: [1, 2],
  },
  {
    name: 'Kolkata hour-of-day: 00:29Z is 05:59 IST, 00:30Z is 06:00',
    events: [ev('2024-01-01T00:29:00Z'), ev('2024-01-01T00:30:00Z'), ev('2024-01-02T00:45:00Z')],
    q: plan('2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z', {
      timezone: 'Asia/Kolkata',
      bucket: 'hour_of_day',
      fill: 'sparse',
    }),
    check: (r) => {
      expect(r.series[0]!.points.map((p) => [p.slot, p.value])).toEqual([
        [5, 1],
        [6, 2],
      ]);
    },
  },
  {
    name: 'Kathmandu: the day turns at 18:15Z; day-of-week Monday 1 Jan 2024',
    events: [ev('2024-01-01T18:14:59Z'), ev('2024-01-01T18:15:00Z'), ev('2024-01-06T19:00:00Z')],
    q: plan('2023-12-31T18:15:00Z', '2024-01-07T18:15:00Z', {
      timezone: 'Asia/Kathmandu',
      bucket: 'day_of_week',
    }),
    // slots 0..6 = Sun..Sat: Jan 1 Mon, Jan 2 Tue, Jan 7 00:45 local is Sunday.
    values: [1, 1, 1, 0, 0, 0, 0],
  },
  {
    name: 'Lord Howe April: the 30-minute fall-back makes a 90-minute hour',
    // 02:00 +11 (15:00Z) becomes 01:30 +10:30: the local hour 01:00 runs 90 minutes, [14:00,15:30),
    // then [15:30,16:30) [16:30,17:30).
    events: [ev('2024-04-06T14:59:00Z'), ev('2024-04-06T15:10:00Z'), ev('2024-04-06T15:40:00Z')],
    q: plan('2024-04-06T14:00:00Z', '2024-04-06T17:00:00Z', {
      timezone: 'Australia/Lord_Howe',
      bucket: 'hour',
    }),
    starts: ['2024-04-06T14:00:00Z', '2024-04-06T15:30:00Z', '2024-04-06T16:30:00Z'],
    values: [2, 1, 0],
  },
  {
    name: 'Lord Howe April: 7 April lasts 24.5 hours',
    // Starts 00:00 +11 = 6 Apr 13:00Z, ends 8 Apr 00:00 +10:30 = 7 Apr 13:30Z.
    events: [ev('2024-04-07T13:20:00Z'), ev('2024-04-07T13:30:00Z')],
    q: plan('2024-04-06T13:00:00Z', '2024-04-08T13:30:00Z', { timezone: 'Australia/Lord_Howe' }),
    starts: ['2024-04-06T13:00:00Z', '2024-04-07T13:30:00Z'],
    values: [1, 1],
  },
  {
    name: 'ISO week 53 of 2020, then week 1 of 2021',
    events: [ev('2021-01-03T23:59:59Z'), ev('2021-01-04T00:00:00Z')],
    q: plan('2020-12-28T00:00:00Z', '2021-01-11T00:00:00Z', { bucket: 'week' }),
    starts: ['2020-12-28T00:00:00Z', '2021-01-04T00:00:00Z'],
    values: [1, 1],
  },
  {
    name: 'Sunday weeks: the first bucket starts before the range',
    events: [ev('2021-01-03T23:59:59Z'), ev('2021-01-04T00:00:00Z')],
    q: plan('2020-12-28T00:00:00Z', '2021-01-11T00:00:00Z', { bucket: 'week', weekStart: 0 }),
    starts: ['2020-12-27T00:00:00Z', '2021-01-03T00:00:00Z', '2021-01-10T00:00:00Z'],
    values: [0, 2, 0],
  },
  ...(['count', 'sum', 'min', 'max', 'avg'] as const).map((fn, k) => ({
    name: `${fn} per day, null-safe on an empty day`,
    events: [
      ev('2024-05-01T01:00:00Z', { value: 2 }),
      ev('2024-05-01T02:00:00Z', { value: 5 }),
      ev('2024-05-01T03:00:00Z', { value: 3 }),
      ev('2024-05-02T00:00:00Z', { value: 4 }),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-04T00:00:00Z', { aggregation: { fn } }),
    values: [
      [3, 1, 0],
      [10, 4, 0],
      [2, 4, null],
      [5, 4, null],
      [10 / 3, 4, null],
    ][k]!,
  })),
  {
    name: 'unique actors; a missing actor never counts',
    events: [
      ev('2024-05-01T01:00:00Z', actor('a')),
      ev('2024-05-01T02:00:00Z', actor('b')),
      ev('2024-05-01T03:00:00Z', actor('a')),
      ev('2024-05-02T00:00:00Z', actor(null)),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-03T00:00:00Z', unique),
    values: [2, 0],
  },
  {
    name: 'unique over a tuple (actor, dims.app); incomplete tuples skipped',
    events: [
      ev('2024-05-01T01:00:00Z', { actor: 'a', dims: { app: 'x' } }),
      ev('2024-05-01T02:00:00Z', { actor: 'a', dims: { app: 'x' } }),
      ev('2024-05-01T03:00:00Z', { actor: 'a', dims: { app: 'y' } }),
      ev('2024-05-01T04:00:00Z', { actor: 'b' }),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z', {
      aggregation: { fn: 'unique', of: [{ kind: 'actor' }, { kind: 'dim', key: 'app' }] },
    }),
    values: [2],
  },
  {
    name: 'latest gauge: seeded before the range, carried forward, summed over kinds',
    // Before: A=100. Day 1: B=10 -> 110. Day 2: A=70 then A=50 -> 60. Day 3: nothing, carried -> 60.
    events: [
      ev('2024-04-30T12:00:00Z', { value: 100, dims: { kind: 'A' } }),
      ev('2024-05-01T12:00:00Z', { value: 10, dims: { kind: 'B' } }),
      ev('2024-05-02T01:00:00Z', { value: 70, dims: { kind: 'A' } }),
      ev('2024-05-02T12:00:00Z', { value: 50, dims: { kind: 'A' } }),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-04T00:00:00Z', {
      aggregation: { fn: 'latest', per: [{ kind: 'dim', key: 'kind' }] },
    }),
    values: [110, 60, 60],
  },
  {
    name: 'rolling 2-day distinct actors, looking back before the range, with window bounds',
    // c on Apr 30 (lookback), a May 1, b May 2, a May 4: [c,a]=2, [a,b]=2, [b]=1, [a]=1.
    events: [
      ev('2024-04-30T10:00:00Z', actor('c')),
      ev('2024-05-01T10:00:00Z', actor('a')),
      ev('2024-05-02T10:00:00Z', actor('b')),
      ev('2024-05-04T10:00:00Z', actor('a')),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-05T00:00:00Z', {
      ...unique,
      window: { kind: 'rolling', size: 2, unit: 'day' },
    }),
    values: [2, 2, 1, 1],
    check: (r) => {
      expect(r.series[0]!.points.map((p) => p.window && [iso(p.window.from!), iso(p.window.to)])[2]).toEqual([
        '2024-05-02T00:00:00Z',
        '2024-05-04T00:00:00Z',
      ]);
    },
  },
  {
    name: 'rolling 7-day count sampled at week ends (day unit in week buckets)',
    events: [
      ev('2024-05-05T10:00:00Z'),
      ev('2024-05-06T10:00:00Z'),
      ev('2024-05-13T10:00:00Z'),
      ev('2024-05-19T10:00:00Z'),
    ],
    // Weeks from Mon May 6 and May 13; windows [May 6, May 13) = 1 and [May 13, May 20) = 2.
    q: plan('2024-05-06T00:00:00Z', '2024-05-20T00:00:00Z', {
      bucket: 'week',
      window: { kind: 'rolling', size: 7, unit: 'day' },
    }),
    values: [1, 2],
  },
  {
    name: 'cumulative distinct since the range vs. since the beginning of time',
    events: [
      ev('2024-04-01T10:00:00Z', actor('c')),
      ev('2024-05-01T10:00:00Z', actor('a')),
      ev('2024-05-02T10:00:00Z', actor('c')),
      ev('2024-05-03T10:00:00Z', actor('a')),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-04T00:00:00Z', {
      ...unique,
      window: { kind: 'cumulative', since: 'range' },
    }),
    values: [1, 2, 2],
  },
  {
    name: 'cumulative distinct since all counts actors seen before the range',
    events: [
      ev('2024-04-01T10:00:00Z', actor('c')),
      ev('2024-05-01T10:00:00Z', actor('a')),
      ev('2024-05-02T10:00:00Z', actor('c')),
    ],
    q: plan('2024-05-01T00:00:00Z', '2024-05-04T00:00:00Z', {
      ...unique,
      window: { kind: 'cumulative', since: 'all' },
    }),
    values: [2, 2, 2],
  },
  {
    name: 'cumulative sum in Kathmandu days',
    events: [ev('2024-05-01T18:14:00Z', { value: 5 }), ev('2024-05-01T18:15:00Z', { value: 7 })],
    q: plan('2024-04-30T18:15:00Z', '2024-05-03T18:15:00Z', {
      timezone: 'Asia/Kathmandu',
      aggregation: { fn: 'sum' },
      window: { kind: 'cumulative', since: 'range' },
    }),
    values: [5, 12, 12],
  },
];

export function runEngineCases(make: MakeEngine): void {
  for (const c of CASES) {
    test(c.name, async () => {
      const db = await make();
      try {
        await db.ingest(c.events);
        const r = await db.query(c.q, Date.parse(c.now ?? '2030-01-01T00:00:00Z'));
        const points = r.series[0]?.points ?? [];
        if (c.starts) expect(points.map((p) => iso(p.start))).toEqual(c.starts);
        if (c.values) expect(points.map((p) => p.value)).toEqual(c.values);
        c.check?.(r);
      } finally {
        await db.close();
      }
    });
  }
}
