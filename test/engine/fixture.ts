/**
 * Test fixtures for the engine suite: compact event builders and a store factory
 * type, so that the same cases run on every engine (DuckDB now, ClickHouse later).
 */
import type { ActorPatch, EventRecord } from '../../src/core/model.js';
import type { Query } from '../../src/core/query/plan.js';
import type { QueryResult } from '../../src/core/query/result.js';
import { runQuery } from '../../src/core/query/run.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';

/** What the conformance suite needs from an engine. */
export interface EngineUnderTest {
  ingest(events: EventRecord[]): Promise<void>;
  upsertActors(actors: ActorPatch[]): Promise<void>;
  query(q: Query, nowMs: number): Promise<QueryResult>;
  close(): Promise<void>;
}

export type MakeEngine = () => Promise<EngineUnderTest>;

/**
 * A fresh in-memory DuckDB store per call. `compacting`: each ingest goes in three
 * commits, each followed by a compaction pass, so answers are read from sorted runs.
 */
export function duckDbEngine(compacting: boolean): MakeEngine {
  return async () => {
    const store = await DuckDbStore.open({ path: ':memory:', readers: 1 });
    await store.init();
    return {
      ingest: async (events) => {
        if (!compacting) {
          await store.ingest(events);
          return;
        }
        const third = Math.ceil(events.length / 3);
        for (let i = 0; i < events.length; i += third) {
          await store.ingest(events.slice(i, i + third));
          await store.compact();
        }
      },
      upsertActors: (actors) => store.upsertActors(actors),
      query: (q, nowMs) => runQuery(q, nowMs, (request) => store.fetchRows(request)),
      close: () => store.close(),
    };
  };
}

export const makeDuckDb: MakeEngine = duckDbEngine(false);

let seq = 0;

/** An event at an ISO instant (or epoch ms), with defaults: org 'o1', type 'activity', value 1. */
export function ev(time: string | number, fields: Partial<Omit<EventRecord, 'ts'>> = {}): EventRecord {
  seq += 1;
  return {
    org: 'o1',
    type: 'activity',
    id: `e${seq}`,
    actor: null,
    value: 1,
    dims: {},
    ...fields,
    ts: typeof time === 'number' ? time : Date.parse(time),
  };
}

/** A plan with defaults (org o1, UTC, ISO weeks, count, day buckets, zero fill). */
export function plan(from: string, to: string, over: Partial<Query> = {}): Query {
  return {
    orgs: ['o1'],
    types: [],
    range: { from: Date.parse(from), to: Date.parse(to) },
    timezone: 'UTC',
    weekStart: 1,
    bucket: 'day',
    aggregation: { fn: 'count' },
    filters: [],
    groupBy: [],
    window: { kind: 'none' },
    fill: 'zero',
    ...over,
  };
}

/** Values of the first (or only) series, for compact assertions. */
export function values(r: QueryResult, k = 0): (number | null)[] {
  return (r.series[k]?.points ?? []).map((p) => p.value);
}

/** ISO starts of the first series' points. */
export function starts(r: QueryResult, k = 0): string[] {
  return (r.series[k]?.points ?? []).map((p) => new Date(p.start).toISOString());
}
