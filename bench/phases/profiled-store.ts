/**
 * A DuckDB store instrumented for the layer profile: the engine's own SQL
 * statements (each row request the core runner sends to `fetchRows`) and the
 * store calls a surface makes are timed, so that an in-process request's time
 * splits into SQL, the engine's JS (windows, fill, shares) and the HTTP layer.
 */
import type { RawRow, RowRequest } from '../../src/core/query/requests.js';
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
  /** Whole store calls (row requests including their pool wait, headcounts), summed (ms). */
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
  // TALLY_ROLLUP=0 measures the store without its actor rollup (the server reads the same variable).
  const store = await DuckDbStore.open({ path, upkeep: false, rollup: process.env['TALLY_ROLLUP'] !== '0' });
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
  // The store's own fetchRows (a pooled connection per request, as the server runs it), timed as SQL.
  const fetch = store.fetchRows.bind(store);
  store.fetchRows = async (request: RowRequest): Promise<RawRow[]> => {
    const t0 = performance.now();
    try {
      return await asSql(() => fetch(request));
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
