/**
 * ClickHouse-only dedupe checks: two store instances on one database stand for
 * two Tally processes. A copy that slips past the insert-time check (the race)
 * must be recorded as a loser and never counted, before and after merges.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { Query } from '../../src/core/query/plan.js';
import type { QueryResult } from '../../src/core/query/result.js';
import { runQuery } from '../../src/core/query/run.js';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { clickhouseAvailable, freshStore } from './env.js';

const day = (d: number): number => Date.UTC(2026, 0, d);
const ev = (over: Partial<EventRecord>): EventRecord => ({
  org: 'acme',
  id: 'x',
  type: 'activity',
  ts: day(1),
  actor: null,
  value: 1,
  dims: {},
  ...over,
});
/** A plan run by the core over the store's row requests, read now. */
const query = (store: ClickHouseStore, q: Query): Promise<QueryResult> =>
  runQuery(q, Date.now(), (request) => store.fetchRows(request));
const countPerDay = (from: number, to: number): Query => ({
  orgs: ['acme'],
  types: [],
  range: { from, to },
  timezone: 'UTC',
  weekStart: 1,
  bucket: 'day',
  aggregation: { fn: 'count' },
  filters: [],
  groupBy: [],
  window: { kind: 'none' },
  fill: 'zero',
});

/** A second "process" on the same database whose insert-time check ran before the first one's insert. */
function racing(store: ClickHouseStore): ClickHouseStore {
  const other = new ClickHouseStore({ url: store.url });
  const committer = (other as unknown as { committer: { existing: () => Promise<Set<string>> } }).committer;
  committer.existing = () => Promise.resolve(new Set());
  return other;
}

describe.skipIf(!clickhouseAvailable)('clickhouse dedupe across processes', () => {
  it('a raced copy with other fields is recorded as a loser: the first stored copy alone counts', async () => {
    const a = await freshStore();
    const b = racing(a);
    try {
      expect(await a.ingest([ev({ id: 'x', ts: day(2) }), ev({ id: 'y', ts: day(2) })])).toEqual({
        accepted: 2,
        duplicates: 0,
      });
      // b's check "missed" a's rows: its copy of x (on day 4, another type) lands, then loses.
      expect(
        await b.ingest([ev({ id: 'x', ts: day(4), type: 'other' }), ev({ id: 'z', ts: day(4) })]),
      ).toEqual({
        accepted: 1,
        duplicates: 1,
      });
      const check = async (): Promise<void> => {
        const r = await query(a, countPerDay(day(1), day(6)));
        expect(r.series[0]!.points.map((p) => p.value)).toEqual([0, 2, 0, 1, 0]);
        const listed = await b.listEvents(
          { orgs: ['acme'], types: [], filters: [], from: null, to: day(9) },
          10,
        );
        expect(listed.map((e) => [e.id, e.ts])).toEqual([
          ['x', day(2)],
          ['y', day(2)],
          ['z', day(4)],
        ]);
      };
      await check();
      // Whatever the merge state: force every merge, then read again.
      const client = (a as unknown as { client: { command(sql: string): Promise<void> } }).client;
      await client.command(`OPTIMIZE TABLE ${a.tables.eventsLocal} FINAL`);
      await check();
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('an exact retry racing with itself counts once, before and after merges', async () => {
    const a = await freshStore();
    const b = racing(a);
    try {
      const batch = [ev({ id: 'r1', ts: day(3), actor: 'u' }), ev({ id: 'r2', ts: day(3), actor: 'v' })];
      const [ra, rb] = await Promise.all([a.ingest(batch), b.ingest(batch)]);
      expect(ra.accepted + rb.accepted).toBeGreaterThanOrEqual(2);
      const r = await query(a, {
        ...countPerDay(day(3), day(4)),
        aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
      });
      expect(r.series[0]!.points.map((p) => p.value)).toEqual([2]);
      const c = await query(a, countPerDay(day(3), day(4)));
      expect(c.series[0]!.points.map((p) => p.value)).toEqual([2]);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
