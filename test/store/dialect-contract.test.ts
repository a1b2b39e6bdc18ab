/**
 * The dialect contract: the same row requests, sent through each engine's public
 * `fetchRows` port, give the same rows, and those rows are the ones worked out
 * by hand below from six events. The core's query runner trusts nothing else
 * of an engine, so this is what both dialects (duckdb/dialect.ts and
 * clickhouse/dialect.ts) must agree on: filters with a missing value, local-time
 * offsets, distinct counts that skip a missing actor, the last value per tuple,
 * and first-activity intervals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { RawRow, RowRequest, Scan, TimeIndex } from '../../src/core/query/requests.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { clickhouseAvailable, freshStore } from '../clickhouse/env.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = Date.UTC(2026, 0, 1);

function event(over: Partial<EventRecord>): EventRecord {
  return { org: 'acme', id: 'x', type: 'api', ts: BASE, actor: null, value: 1, dims: {}, ...over };
}

/** Four events in the scan (days 0 and 1 of acme's `api`), and one each just outside it. */
const EVENTS: EventRecord[] = [
  event({ id: 'a', ts: BASE + 1 * HOUR, actor: 'u1', value: 2, dims: { plan: 'pro' } }),
  event({ id: 'b', ts: BASE + 2 * HOUR, actor: 'u2', value: 3, dims: { plan: 'free' } }),
  event({ id: 'c', ts: BASE + DAY + 5 * HOUR, actor: 'u1', value: 7, dims: { plan: 'pro' } }),
  event({ id: 'd', ts: BASE + DAY + 6 * HOUR, actor: null, value: 1 }),
  event({ id: 'e', ts: BASE + 2 * DAY, actor: 'u1', value: 100, dims: { plan: 'pro' } }), // at `to`: out
  event({ id: 'f', org: 'other', ts: BASE + HOUR, actor: 'u1', value: 100 }), // another org
  event({ id: 'g', type: 'web', ts: BASE + HOUR, actor: 'u1', value: 100 }), // another type
];

const scan: Scan = { orgs: ['acme'], types: ['api'], filters: [], from: BASE, to: BASE + 2 * DAY };
/** UTC days counted from BASE: i = floor(ts / DAY) + add, with add = -(BASE's day number). */
const utcDay: TimeIndex = {
  kind: 'day',
  weekStart: 1,
  segments: [{ from: BASE, offsetMs: 0, add: -(BASE / DAY) }],
  clampBefore: null,
};
/** Hour of the day at UTC-5 (local = ts - 5 h). */
const hourAtMinus5: TimeIndex = {
  kind: 'hour_of_day',
  weekStart: 1,
  segments: [{ from: BASE, offsetMs: -5 * HOUR, add: 0 }],
  clampBefore: null,
};
const none: TimeIndex = {
  kind: 'none',
  weekStart: 1,
  segments: [{ from: 0, offsetMs: 0, add: 0 }],
  clampBefore: null,
};

/**
 * Rows in one comparable form: the named columns only, group and per columns
 * as strings or null, measures as numbers (an engine may send a count as a
 * string), sorted.
 */
function normal(rows: RawRow[], columns: string[]): Record<string, string | number | null>[] {
  const out = rows.map((r) => {
    const o: Record<string, string | number | null> = {};
    for (const c of columns) {
      const v = r[c];
      if (v === null || v === undefined) o[c] = null;
      else if (/^[gp]\d+$/.test(c)) o[c] = typeof v === 'string' ? v : JSON.stringify(v);
      else o[c] = Number(v);
    }
    return o;
  });
  return out.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
}

interface Case {
  name: string;
  request: RowRequest;
  columns: string[];
  expected: Record<string, string | number | null>[];
}

const CASES: Case[] = [
  {
    name: 'stats per UTC day by a dim, events without it grouped as null',
    request: { kind: 'stats', scan, groupBy: [{ kind: 'dim', key: 'plan' }], index: utcDay, unique: null },
    columns: ['g0', 'i', 'n', 's', 'mn', 'mx'],
    expected: normal(
      [
        { g0: 'pro', i: 0, n: 1, s: 2, mn: 2, mx: 2 },
        { g0: 'free', i: 0, n: 1, s: 3, mn: 3, mx: 3 },
        { g0: 'pro', i: 1, n: 1, s: 7, mn: 7, mx: 7 },
        { g0: null, i: 1, n: 1, s: 1, mn: 1, mx: 1 },
      ],
      ['g0', 'i', 'n', 's', 'mn', 'mx'],
    ),
  },
  {
    // a 01:00Z -> 20h, c 05:00Z -> 0h, d 06:00Z -> 1h; b (plan free) is filtered out.
    name: 'stats per local hour of day with a filter that keeps a missing dim',
    request: {
      kind: 'stats',
      scan: { ...scan, filters: [{ field: { kind: 'dim', key: 'plan' }, op: 'in', values: ['pro', null] }] },
      groupBy: [],
      index: hourAtMinus5,
      unique: null,
    },
    columns: ['i', 'n', 's'],
    expected: normal(
      [
        { i: 20, n: 1, s: 2 },
        { i: 0, n: 1, s: 7 },
        { i: 1, n: 1, s: 1 },
      ],
      ['i', 'n', 's'],
    ),
  },
  {
    // The same rows; with `unique`, u is the only figure (an engine may leave n and s null).
    name: 'the same, distinct actors: an event without an actor keeps its bucket, counting none',
    request: {
      kind: 'stats',
      scan: { ...scan, filters: [{ field: { kind: 'dim', key: 'plan' }, op: 'in', values: ['pro', null] }] },
      groupBy: [],
      index: hourAtMinus5,
      unique: [{ kind: 'actor' }],
    },
    columns: ['i', 'u'],
    expected: normal(
      [
        { i: 20, u: 1 },
        { i: 0, u: 1 },
        { i: 1, u: 0 },
      ],
      ['i', 'u'],
    ),
  },
  {
    name: 'latest value per actor (the event with the greatest time)',
    request: { kind: 'latest', scan, groupBy: [], per: [{ kind: 'actor' }], index: none },
    columns: ['p0', 'i', 'v'],
    expected: normal(
      [
        { p0: 'u1', i: 0, v: 7 },
        { p0: 'u2', i: 0, v: 3 },
        { p0: null, i: 0, v: 1 },
      ],
      ['p0', 'i', 'v'],
    ),
  },
  {
    // Every reading per actor with its time (an integral's steps): a, b, c, d in the scan.
    name: 'readings per actor, one row per time',
    request: { kind: 'latest', scan, groupBy: [], per: [{ kind: 'actor' }], index: none, readings: true },
    columns: ['p0', 't', 'v'],
    expected: normal(
      [
        { p0: 'u1', t: BASE + 1 * HOUR, v: 2 },
        { p0: 'u2', t: BASE + 2 * HOUR, v: 3 },
        { p0: 'u1', t: BASE + DAY + 5 * HOUR, v: 7 },
        { p0: null, t: BASE + DAY + 6 * HOUR, v: 1 },
      ],
      ['p0', 't', 'v'],
    ),
  },
  {
    // u1 (days 0, 1) and u2 (day 0) are first active on day 0; with no size nothing ends.
    name: 'first-activity intervals of actors per UTC day',
    request: { kind: 'intervals', scan, groupBy: [], unique: [{ kind: 'actor' }], index: utcDay, size: null },
    columns: ['i', 'plus', 'minus'],
    expected: [{ i: 0, plus: 2, minus: 0 }],
  },
];

const ENGINES: { name: string; open: () => Promise<Store>; skip: boolean }[] = [
  {
    name: 'duckdb',
    open: async () => {
      const s = await DuckDbStore.open({ path: ':memory:' });
      await s.init();
      return s;
    },
    skip: false,
  },
  { name: 'clickhouse', open: () => freshStore(), skip: !clickhouseAvailable },
];

for (const engine of ENGINES) {
  describe.skipIf(engine.skip)(`dialect contract: ${engine.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      expect(await store.ingest(EVENTS)).toEqual({ accepted: EVENTS.length, duplicates: 0 });
    });
    afterAll(async () => {
      await store.close();
    });
    for (const c of CASES)
      it(c.name, async () => {
        const rows = normal(await store.fetchRows(c.request), c.columns);
        // Intervals may also send empty rows (nothing starts or ends there): they carry no figure.
        const kept =
          c.request.kind === 'intervals' ? rows.filter((r) => r['plus'] !== 0 || r['minus'] !== 0) : rows;
        expect(kept).toEqual(c.expected);
      });
  });
}
