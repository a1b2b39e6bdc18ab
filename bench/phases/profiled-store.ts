/**
 * A DuckDB store instrumented for the layer profile: the engine's own SQL
 * statements (the dialect's text, run exactly as executeQuery runs them) and the
 * store calls a surface makes are timed, so that an in-process request's time
 * splits into SQL, the engine's JS (windows, fill, shares) and the HTTP layer.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Query } from '../../src/core/query/plan.js';
import type { RawRow, RowRequest } from '../../src/core/query/requests.js';
import type { QueryResult } from '../../src/core/query/result.js';
import { runQuery } from '../../src/core/query/run.js';
import { fetchRows } from '../../src/store/duckdb/query.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { HeadcountQuery } from '../../src/store/port.js';

/** Time spent per kind, reset between requests. */
export interface StoreProfile {
  /**
   * Wall-clock ms during which at least one SQL statement (of a plan, or a headcount) was
   * running: a surface may run several at once, so this is their union, not their sum.
   */
  sqlMs: number;
  statements: number;
  /** Whole store calls (query plans including their SQL, headcounts), summed (ms). */
  storeMs: number;
}

export function emptyProfile(): StoreProfile {
  return { sqlMs: 0, statements: 0, storeMs: 0 };
}

/** Open the store at `path` and wrap its query paths so that `profile` accumulates their times. */
export async function openProfiledStore(
  path: string,
): Promise<{ store: DuckDbStore; profile: () => StoreProfile; reset: () => void }> {
  // Upkeep off: no writes happen here, and a file with an unsorted tail (the `time` layout)
  // must not be compacted under the measurements.
  const store = await DuckDbStore.open({ path, upkeep: false });
  await store.init();
  let p = emptyProfile();
  let active = 0;
  let since = 0;
  /** Time `work` as SQL: the union of running statements' intervals goes to sqlMs. */
  const asSql = async <T>(work: () => Promise<T>): Promise<T> => {
    if (active++ === 0) since = performance.now();
    try {
      return await work();
    } finally {
      p.statements++;
      if (--active === 0) p.sqlMs += performance.now() - since;
    }
  };
  const timedFetch = (conn: DuckDBConnection, request: RowRequest): Promise<RawRow[]> =>
    asSql(() => fetchRows(conn, request));
  // The same sequencing as executeQuery: one statement at a time on the connection.
  store.query = async (q: Query): Promise<QueryResult> => {
    const t0 = performance.now();
    try {
      return await store.read((conn) => {
        let chain: Promise<unknown> = Promise.resolve();
        return runQuery(q, Date.now(), (request) => {
          const next = chain.then(() => timedFetch(conn, request));
          chain = next.catch(() => undefined);
          return next;
        });
      });
    } finally {
      p.storeMs += performance.now() - t0;
    }
  };
  const headcount = store.actorHeadcount.bind(store);
  store.actorHeadcount = async (q: HeadcountQuery): Promise<number[]> => {
    const t0 = performance.now();
    try {
      return await asSql(() => headcount(q));
    } finally {
      p.storeMs += performance.now() - t0;
    }
  };
  return {
    store,
    profile: () => p,
    reset: () => {
      p = emptyProfile();
    },
  };
}
