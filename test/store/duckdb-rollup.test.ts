/**
 * The DuckDB actor rollup (src/store/duckdb/rollup.ts) against values worked by hand
 * and against the naive engine: after every write path (compaction, late events,
 * erasure, correction, retention, a reopen that rebuilds it) distinct-actor answers
 * must equal the raw events'. Each case compacts first, so the rollup covers the rows
 * and a stale cell would show in the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, test } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { makeQuery, type Query } from '../../src/core/query/plan.js';
import { runQuery } from '../../src/core/query/run.js';
import type { AuditInput } from '../../src/store/port.js';
import { MIGRATIONS } from '../../src/store/duckdb/schema.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { naiveWithCompare } from '../engine/naive-compare.js';
import { comparable, comparableNaive, randomFixture, randomQuery, rng } from '../engine/random.js';

const D = 86_400_000;
const audit: AuditInput = { keyId: 'k1', op: 'delete_events', params: {}, scope: [['o1']] };

function event(id: string, actor: string | null, at: string, type = 'activity'): EventRecord {
  return { org: 'o1', type, id, actor, ts: Date.parse(at), value: 1, dims: {} };
}

/** The fixture; its answers below are worked by hand. c is on 4 January in Kathmandu (+05:45). */
const EVENTS = [
  event('a1', 'a', '2024-01-01T10:05:00Z'),
  event('e1', 'e', '2024-01-02T00:02:00Z'),
  event('b1', 'b', '2024-01-02T00:10:00Z'),
  event('n1', null, '2024-01-02T05:00:00Z'),
  event('d1', 'd', '2024-01-02T12:00:00Z', 'api'),
  event('c1', 'c', '2024-01-03T18:20:00Z'),
  event('a2', 'a', '2024-01-03T23:50:00Z'),
];

const unique: Query['aggregation'] = { fn: 'unique', of: [{ kind: 'actor' }] };
const days = (tz: string, from: string): Query =>
  makeQuery({
    orgs: ['o1'],
    types: ['activity'],
    range: { from: Date.parse(from), to: Date.parse(from) + 4 * D },
    timezone: tz,
    bucket: 'day',
    aggregation: unique,
    fill: 'zero',
  });
/** Distinct activity actors per UTC day, 1-4 January 2024. */
const utcDays = days('UTC', '2024-01-01T00:00:00Z');
/** The same per local day in Kathmandu (1 January starts at 18:15 UTC the day before). */
const nptDays = days('Asia/Kathmandu', '2023-12-31T18:15:00Z');
const rolling2: Query = { ...utcDays, window: { kind: 'rolling', unit: 'day', size: 2 } };

const stores: DuckDbStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(opts: { path?: string; rollup?: boolean } = {}): Promise<DuckDbStore> {
  const s = await DuckDbStore.open({
    path: opts.path ?? ':memory:',
    upkeep: false,
    rollup: opts.rollup ?? true,
  });
  await s.init();
  stores.push(s);
  return s;
}

async function values(s: DuckDbStore, q: Query): Promise<(number | null)[]> {
  const res = await runQuery(q, Date.parse('2024-02-01T00:00:00Z'), (r) => s.fetchRows(r));
  return res.series[0]!.points.map((p) => p.value);
}

async function compacted(events: EventRecord[] = EVENTS): Promise<DuckDbStore> {
  const s = await open();
  await s.ingest(events);
  expect(await s.compact()).not.toBeNull();
  return s;
}

describe('duckdb actor rollup', () => {
  test('answers the hand-worked fixture in UTC and in Kathmandu, as events do', async () => {
    const s = await compacted();
    const off = await open({ rollup: false });
    await off.ingest(EVENTS);
    for (const db of [s, off]) {
      expect(await values(db, utcDays)).toEqual([1, 2, 2, 0]);
      expect(await values(db, rolling2)).toEqual([1, 3, 4, 2]);
      expect(await values(db, nptDays)).toEqual([1, 2, 0, 2]);
    }
  });

  test('counts late events from the tail before the next pass, and after it', async () => {
    const s = await compacted();
    await s.ingest([event('f1', 'f', '2024-01-01T12:00:00Z'), event('c2', 'c', '2024-01-01T12:01:00Z')]);
    expect(await values(s, utcDays)).toEqual([3, 2, 2, 0]);
    await s.compact({ mergeClosed: true });
    expect(await values(s, utcDays)).toEqual([3, 2, 2, 0]);
    expect(await values(s, rolling2)).toEqual([3, 5, 4, 2]);
  });

  test('drops an erased actor', async () => {
    const s = await compacted();
    await s.eraseActor(['o1'], 'a', { ...audit, op: 'erase_actor' });
    expect(await values(s, utcDays)).toEqual([0, 2, 1, 0]);
    expect(await values(s, nptDays)).toEqual([0, 2, 0, 1]);
  });

  test('drops an erased org subtree', async () => {
    const s = await compacted();
    await s.eraseOrgs(['o1'], { ...audit, op: 'erase_orgs' });
    await s.ingest([event('g1', 'g', '2024-01-02T09:00:00Z')]);
    await s.compact();
    expect(await values(s, utcDays)).toEqual([0, 1, 0, 0]);
  });

  test('recomputes the cells of corrected events, keeping a cell another event still holds', async () => {
    const s = await compacted([...EVENTS, event('c3', 'c', '2024-01-03T18:25:00Z')]);
    await s.deleteEvents([{ org: 'o1', id: 'c1' }], audit);
    expect(await values(s, utcDays)).toEqual([1, 2, 2, 0]);
    await s.deleteEvents([{ org: 'o1', id: 'c3' }], audit);
    expect(await values(s, utcDays)).toEqual([1, 2, 1, 0]);
  });

  test('expires cells before a retention cutoff, and the part of a cell before a cutoff inside it', async () => {
    const s = await compacted();
    // 00:05 is inside the cell [00:00, 00:15) of 2 January: e (00:02) goes, b (00:10) stays.
    const before = Date.parse('2024-01-02T00:05:00Z');
    await s.expireEvents([{ org: 'o1', before, audit: { ...audit, op: 'retention' } }]);
    expect(await values(s, utcDays)).toEqual([0, 1, 2, 0]);
    expect(await values(s, rolling2)).toEqual([0, 1, 3, 2]);
  });

  test('serves a new org timezone and an actor_kind filter from the same cells', async () => {
    const s = await compacted();
    await s.putOrg({
      id: 'o1',
      name: null,
      parent: null,
      domain: null,
      timezone: 'Asia/Kathmandu',
      created_at: 0,
    });
    expect(await values(s, nptDays)).toEqual([1, 2, 0, 2]);
    await s.upsertActors([{ org: 'o1', id: 'a', kind: 'device' }]);
    const users: Query = {
      ...utcDays,
      filters: [{ field: { kind: 'actor_kind' }, op: 'eq', values: ['user'] }],
    };
    expect(await values(s, users)).toEqual([0, 2, 1, 0]);
  });

  test('is rebuilt from events when a file from before it is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-'));
    dirs.push(dir);
    const path = join(dir, 'db.duckdb');
    const s = await open({ path });
    await s.ingest(EVENTS);
    await s.compact();
    await stores.pop()!.close();
    // The file as the previous schema left it: no rollup table.
    const raw = await DuckDBInstance.create(path);
    const c = await raw.connect();
    await c.run(
      `DROP TABLE actor_rollup; UPDATE meta SET v = '${MIGRATIONS.length - 1}' WHERE k = 'schema_version'`,
    );
    c.closeSync();
    raw.closeSync();
    const again = await open({ path });
    expect(await values(again, utcDays)).toEqual([1, 2, 2, 0]);
    expect(await values(again, nptDays)).toEqual([1, 2, 0, 2]);
  });

  test('agrees with the naive engine through ingest, compaction, erasure, correction and retention', async () => {
    for (const [tz, at, seed] of [
      ['UTC', '2024-02-29T12:00:00Z', 7],
      ['Asia/Kathmandu', '2020-12-31T18:15:00Z', 8],
      ['America/New_York', '2024-11-03T06:00:00Z', 9],
    ] as const) {
      const r = rng(seed);
      const center = Date.parse(at);
      const fx = randomFixture(r, center, 20 * D, 500);
      const [b1, b2, b3] = [fx.events.slice(0, 200), fx.events.slice(200, 400), fx.events.slice(400)];
      const s = await open();
      await s.upsertActors(fx.actors.map(({ org, id, kind }) => ({ org, id, kind })));
      await s.ingest(b1);
      await s.compact();
      await s.ingest(b2); // random times: many are late, for periods already compacted
      await s.compact({ mergeClosed: true });
      const victim = b1.find((e) => e.actor !== null && e.org === 'o1')!.actor!;
      await s.eraseActor(['o1'], victim, { ...audit, op: 'erase_actor' });
      const corrected = b2.filter((_, k) => k % 7 === 0);
      await s.deleteEvents(corrected, audit);
      const cutoff = center - 10 * D - 123_456;
      await s.expireEvents([{ org: 'o1', before: cutoff, audit: { ...audit, op: 'retention' } }]);
      await s.ingest(b3); // left in the tail for the first round of queries
      const gone = new Set(corrected.map((e) => `${e.org}/${e.id}`));
      const left = [
        ...[...b1, ...b2].filter(
          (e) =>
            !(e.org === 'o1' && e.actor === victim) &&
            !gone.has(`${e.org}/${e.id}`) &&
            !(e.org === 'o1' && e.ts < cutoff),
        ),
        ...b3,
      ];
      const actors = fx.actors.filter((a) => !(a.org === 'o1' && a.id === victim));
      for (let n = 0; n < 40; n++) {
        if (n === 20) await s.compact();
        let q = randomQuery(r, tz, center);
        // Most queries distinct actors, the rollup's shape; the rest check the fallback.
        if (r() < 0.7 && q.aggregation.fn !== 'latest' && q.aggregation.fn !== 'quantile')
          q = { ...q, aggregation: unique };
        const res = await runQuery(q, center, (req) => s.fetchRows(req));
        // The same now as the engine's (an integral stops there), and compare as random-cases.ts checks it.
        const want = comparableNaive(naiveWithCompare(q, left, actors, center));
        expect(comparable(q, res), JSON.stringify(q)).toEqual(want);
      }
    }
  });
});
