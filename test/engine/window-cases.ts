/**
 * Rolling windows anchor at each bucket's end, for every bucket and unit, also where the
 * last bucket ends after `to` (docs/query.md): the window is the `size` units ending with
 * the bucket's last unit, and it counts events before `to` only. Each row is worked out by
 * hand from the calendar (2024-04-15 and 2024-04-29 were Mondays; Paris is +01:00 until
 * 2024-03-31 01:00Z, then +02:00; New York springs forward at 2024-03-10 07:00Z).
 */
import { expect, test } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { TimeUnit } from '../../src/core/query/plan.js';
import { ev, plan, type MakeEngine } from './fixture.js';

interface WindowCase {
  name: string;
  tz: string;
  bucket: TimeUnit;
  unit: TimeUnit;
  size: number;
  unique?: boolean;
  range: [from: string, to: string];
  events: EventRecord[];
  /** Each bucket's window [from, to) in UTC. */
  windows: [string, string][];
  values: number[];
}

const who = (a: string) => ({ actor: a });

const CASES: WindowCase[] = [
  {
    // Repeats: a has three events on Apr 1 and two on Apr 2, b two on Apr 2, a one on Apr 4.
    // 2-day windows [d-1, d+1): Apr 1 {a}; Apr 2 {a, b}; Apr 3 {a, b} (from Apr 2); Apr 4 {a}.
    // An actor counts once per window however many events (or days) it has in it.
    name: 'days of 2-day unique actors, UTC, several events a day',
    tz: 'UTC',
    bucket: 'day',
    unit: 'day',
    size: 2,
    unique: true,
    range: ['2024-04-01T00:00:00Z', '2024-04-05T00:00:00Z'],
    events: [
      ev('2024-04-01T08:00:00Z', who('a')),
      ev('2024-04-01T09:00:00Z', who('a')),
      ev('2024-04-01T20:00:00Z', who('a')),
      ev('2024-04-02T10:00:00Z', who('a')),
      ev('2024-04-02T11:00:00Z', who('a')),
      ev('2024-04-02T12:00:00Z', who('b')),
      ev('2024-04-02T13:00:00Z', who('b')),
      ev('2024-04-04T10:00:00Z', who('a')),
    ],
    windows: [
      ['2024-03-31T00:00:00Z', '2024-04-02T00:00:00Z'],
      ['2024-04-01T00:00:00Z', '2024-04-03T00:00:00Z'],
      ['2024-04-02T00:00:00Z', '2024-04-04T00:00:00Z'],
      ['2024-04-03T00:00:00Z', '2024-04-05T00:00:00Z'],
    ],
    values: [1, 2, 2, 1],
  },
  {
    // The query, shortened: 10 days ending with each week, not with `to`.
    // w1 [Apr 12, Apr 22) holds d; w2 [Apr 19, Apr 29) holds a, b; w3 [Apr 26, May 6) up to
    // `to` (May 1) holds b only: a (Apr 22) lies 10 days before `to` but not before the week's end.
    name: 'weeks of 10-day unique actors, Europe/Paris, last week ends after to',
    tz: 'Europe/Paris',
    bucket: 'week',
    unit: 'day',
    size: 10,
    unique: true,
    range: ['2024-04-14T22:00:00Z', '2024-04-30T22:00:00Z'],
    events: [
      ev('2024-04-13T10:00:00Z', who('d')),
      ev('2024-04-22T10:00:00Z', who('a')),
      ev('2024-04-27T10:00:00Z', who('b')),
      ev('2024-05-01T10:00:00Z', who('c')),
    ],
    windows: [
      ['2024-04-11T22:00:00Z', '2024-04-21T22:00:00Z'],
      ['2024-04-18T22:00:00Z', '2024-04-28T22:00:00Z'],
      ['2024-04-25T22:00:00Z', '2024-04-30T22:00:00Z'],
    ],
    values: [1, 2, 1],
  },
  {
    // 2 weeks ending with each week: [Apr 8, Apr 22) d; [Apr 15, Apr 29) a, b; [Apr 22, May 1) a, b.
    name: 'weeks of 2-week counts, Europe/Paris, same range',
    tz: 'Europe/Paris',
    bucket: 'week',
    unit: 'week',
    size: 2,
    range: ['2024-04-14T22:00:00Z', '2024-04-30T22:00:00Z'],
    events: [
      ev('2024-04-13T10:00:00Z'),
      ev('2024-04-22T10:00:00Z'),
      ev('2024-04-27T10:00:00Z'),
      ev('2024-05-01T10:00:00Z'),
    ],
    windows: [
      ['2024-04-07T22:00:00Z', '2024-04-21T22:00:00Z'],
      ['2024-04-14T22:00:00Z', '2024-04-28T22:00:00Z'],
      ['2024-04-21T22:00:00Z', '2024-04-30T22:00:00Z'],
    ],
    values: [1, 2, 2],
  },
  {
    // Days of New York around the 23-hour Mar 10; `to` at 15:00 EDT. 12 hours ending with each
    // day: Mar 9 -> [Mar 9 17:00Z, Mar 10 05:00Z) holds 20:00Z; Mar 10 ends Mar 11 04:00Z, so
    // [Mar 10 16:00Z, to) holds 17:00Z but not 15:30Z (which 12 hours back from `to` would).
    name: 'days of 12-hour counts, America/New_York spring-forward, mid-day to',
    tz: 'America/New_York',
    bucket: 'day',
    unit: 'hour',
    size: 12,
    range: ['2024-03-09T05:00:00Z', '2024-03-10T19:00:00Z'],
    events: [
      ev('2024-03-09T10:00:00Z'),
      ev('2024-03-09T20:00:00Z'),
      ev('2024-03-10T15:30:00Z'),
      ev('2024-03-10T17:00:00Z'),
      ev('2024-03-10T20:00:00Z'),
    ],
    windows: [
      ['2024-03-09T17:00:00Z', '2024-03-10T05:00:00Z'],
      ['2024-03-10T16:00:00Z', '2024-03-10T19:00:00Z'],
    ],
    values: [1, 1],
  },
  {
    // Paris days of 2 days, Mar 31 (23 hours) cut at 12:00 +02:00: [Mar 29, Mar 31) and [Mar 30, to).
    name: 'days of 2-day counts, Europe/Paris spring-forward, mid-day to',
    tz: 'Europe/Paris',
    bucket: 'day',
    unit: 'day',
    size: 2,
    range: ['2024-03-29T23:00:00Z', '2024-03-31T10:00:00Z'],
    events: [
      ev('2024-03-29T12:00:00Z'),
      ev('2024-03-30T12:00:00Z'),
      ev('2024-03-31T09:00:00Z'),
      ev('2024-03-31T11:00:00Z'),
    ],
    windows: [
      ['2024-03-28T23:00:00Z', '2024-03-30T23:00:00Z'],
      ['2024-03-29T23:00:00Z', '2024-03-31T10:00:00Z'],
    ],
    values: [2, 2],
  },
  {
    // Months of 10 days: Feb -> [Feb 20, Mar 1) holds Feb 25; Mar -> [Mar 22, Apr 1) up to
    // `to` (Mar 25) holds Mar 23, not Mar 20 (which 10 days back from `to` would).
    name: 'months of 10-day counts, Europe/Paris, to on the 25th',
    tz: 'Europe/Paris',
    bucket: 'month',
    unit: 'day',
    size: 10,
    range: ['2024-01-31T23:00:00Z', '2024-03-24T23:00:00Z'],
    events: [
      ev('2024-02-10T12:00:00Z'),
      ev('2024-02-25T12:00:00Z'),
      ev('2024-03-20T12:00:00Z'),
      ev('2024-03-23T12:00:00Z'),
      ev('2024-03-28T12:00:00Z'),
    ],
    windows: [
      ['2024-02-19T23:00:00Z', '2024-02-29T23:00:00Z'],
      ['2024-03-21T23:00:00Z', '2024-03-24T23:00:00Z'],
    ],
    values: [1, 1],
  },
  {
    // The same with `to` on Mar 15: March's window [Mar 22, Apr 1) starts after `to`, so it
    // counts nothing and is reported as the empty [to, to).
    name: 'months of 10-day counts, Europe/Paris, window wholly after to',
    tz: 'Europe/Paris',
    bucket: 'month',
    unit: 'day',
    size: 10,
    range: ['2024-01-31T23:00:00Z', '2024-03-14T23:00:00Z'],
    events: [ev('2024-02-25T12:00:00Z'), ev('2024-03-10T12:00:00Z')],
    windows: [
      ['2024-02-19T23:00:00Z', '2024-02-29T23:00:00Z'],
      ['2024-03-14T23:00:00Z', '2024-03-14T23:00:00Z'],
    ],
    values: [1, 0],
  },
];

const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z');

export function runWindowCases(make: MakeEngine): void {
  for (const c of CASES) {
    test(`rolling anchor: ${c.name}`, async () => {
      const db = await make();
      try {
        await db.ingest(c.events);
        const q = plan(c.range[0], c.range[1], {
          timezone: c.tz,
          bucket: c.bucket,
          window: { kind: 'rolling', size: c.size, unit: c.unit },
          ...(c.unique ? { aggregation: { fn: 'unique', of: [{ kind: 'actor' }] } } : {}),
        });
        const r = await db.query(q, Date.parse('2030-01-01T00:00:00Z'));
        const points = r.series[0]?.points ?? [];
        expect(points.map((p) => p.value)).toEqual(c.values);
        expect(points.map((p) => [iso(p.window!.from), iso(p.window!.to)])).toEqual(c.windows);
      } finally {
        await db.close();
      }
    });
  }
}
