/**
 * Compaction: keeps the events table clustered by (org_no, type, ts), so that
 * DuckDB's zone maps skip other orgs' row groups (ANCHORS: 10-50x fewer rows
 * for a year-long query than time order; docs/benchmarks.md for Tally's figures).
 *
 * Each ingest commit appends its rows, sorted, at the end of the table: left
 * alone the table is in arrival order. `received` rises strictly with every
 * commit (ingest.ts), and `meta.compacted_through` is a watermark on it: the
 * rows received after it are the *tail*. A compaction pass re-sorts the tail
 * into the table one time period (PERIOD_MS of `ts`) at a time:
 *
 * - usually it rewrites only the period's tail rows, which adds one sorted run
 *   to that period;
 * - when the period already holds MAX_RUNS runs, it rewrites the whole period
 *   into one run (a merge), so a query over a year reads at most ~12 x MAX_RUNS
 *   runs plus the tail.
 *
 * A rewrite is one transaction (copy the rows sorted to a temp table, DELETE,
 * INSERT), so readers see either layout and a crash leaves the old one; rows
 * and their `received` are unchanged, only their position moves. Each period is
 * its own lane task, so ingest commits interleave with a long pass; rows that
 * arrive meanwhile have a higher `received` and wait for the next pass. The
 * watermark moves only when every period of the pass is done, so a pass cut
 * short is simply redone. CHECKPOINT afterwards lets DuckDB drop the deleted
 * row groups.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, run, tryCheckpoint } from './db.js';

/** Length of a compaction period: rows are clustered within each (30 days of `ts`). */
export const PERIOD_MS = 30 * 86_400_000;
/** Sorted runs a period may hold before the next pass merges it into one. */
export const MAX_RUNS = 4;

export interface CompactionReport {
  /** Rows rewritten, and the periods they fell in. */
  rows: number;
  periods: number;
  /** Periods rewritten whole (merged) rather than by their tail only. */
  merged: number;
  ms: number;
  /** False when the CHECKPOINT after the pass had to wait for another connection's write. */
  checkpointed: boolean;
}

/** A pass's work, decided in one lane task and then done period by period. */
interface Plan {
  from: number;
  to: number;
  periods: { period: number; runs: number; hasRuns: boolean }[];
}

/** Statements; the only values are bound integers (periods, watermarks). */
const SQL = {
  watermark: "SELECT v FROM meta WHERE k = 'compacted_through'",
  setWatermark: "INSERT OR REPLACE INTO meta VALUES ('compacted_through', CAST($1 AS VARCHAR))",
  maxReceived: 'SELECT max(received) AS m FROM events',
  tailCount: 'SELECT count(*) AS n FROM events WHERE received > $1',
  /** The periods the tail falls in, with the runs each holds. */
  tailPeriods: `SELECT p AS period, coalesce(c.runs, 0) AS runs
    FROM (SELECT DISTINCT CAST(floor(ts / ${PERIOD_MS}) AS BIGINT) AS p
          FROM events WHERE received > $1 AND received <= $2) t
    LEFT JOIN compaction c ON c.period = t.p ORDER BY p`,
  hasOlder: `SELECT EXISTS (SELECT 1 FROM events WHERE ts >= $1 AND ts < $2 AND received <= $3) AS x`,
  setRuns: 'INSERT OR REPLACE INTO compaction VALUES ($1, $2)',
} as const;

/** The rows a rewrite moves: a period's tail (from < received <= to), or all of it up to `to`. */
function rowsWhere(period: number, whole: boolean, p: Plan): { where: string; params: number[] } {
  const span = [period * PERIOD_MS, (period + 1) * PERIOD_MS];
  return whole
    ? { where: 'ts >= $1 AND ts < $2 AND received <= $3', params: [...span, p.to] }
    : { where: 'ts >= $1 AND ts < $2 AND received > $3 AND received <= $4', params: [...span, p.from, p.to] };
}

export async function readWatermark(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, SQL.watermark);
  return rows[0] ? Number(rows[0].v) : 0;
}

/** Rows received after the watermark: what the next pass would sort. */
export async function tailRows(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, SQL.tailCount, [await readWatermark(conn)]);
  return Number(rows[0]!.n);
}

/** The greatest `received` stored (0 when empty): where a committer's stamps continue. */
export async function maxReceived(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, SQL.maxReceived);
  return rows[0]?.m === null || rows[0]?.m === undefined ? 0 : Number(rows[0].m);
}

async function plan(conn: DuckDBConnection): Promise<Plan | null> {
  const from = await readWatermark(conn);
  const to = await maxReceived(conn);
  if (to <= from) return null;
  const periods = [];
  for (const r of await all(conn, SQL.tailPeriods, [from, to])) {
    const period = Number(r.period);
    const older = await all(conn, SQL.hasOlder, [period * PERIOD_MS, (period + 1) * PERIOD_MS, from]);
    periods.push({
      period,
      runs: Number(r.runs),
      hasRuns: Boolean(older[0]!.x),
    });
  }
  return { from, to, periods };
}

/** Rewrite a period's rows (see rowsWhere) sorted, and record the runs it then holds; returns the rows moved. */
async function rewrite(
  conn: DuckDBConnection,
  period: number,
  whole: boolean,
  runs: number,
  p: Plan,
): Promise<number> {
  const { where, params } = rowsWhere(period, whole, p);
  await run(conn, 'BEGIN TRANSACTION');
  try {
    await run(conn, 'DROP TABLE IF EXISTS temp.compact_rows');
    await run(
      conn,
      `CREATE TEMP TABLE compact_rows AS SELECT * FROM events WHERE ${where} ORDER BY org_no, type, ts`,
      params,
    );
    const moved = Number((await all(conn, 'SELECT count(*) AS n FROM temp.compact_rows'))[0]!.n);
    await run(conn, `DELETE FROM events WHERE ${where}`, params);
    await run(conn, 'INSERT INTO events SELECT * FROM temp.compact_rows');
    await run(conn, 'DROP TABLE temp.compact_rows');
    await run(conn, SQL.setRuns, [period, runs]);
    await run(conn, 'COMMIT');
    return moved;
  } catch (err) {
    await run(conn, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * One compaction pass. `lane` runs a task on the write connection exclusively
 * (the store's serial lane); `stop` is asked between periods (the store closing).
 * Returns null when there was no tail.
 */
export async function compact(
  conn: DuckDBConnection,
  lane: <T>(fn: () => Promise<T>) => Promise<T>,
  stop: () => boolean = () => false,
): Promise<CompactionReport | null> {
  const started = performance.now();
  const p = await lane(() => plan(conn));
  if (!p) return null;
  let rows = 0;
  let merged = 0;
  for (const x of p.periods) {
    if (stop()) return null;
    const whole = x.hasRuns && x.runs >= MAX_RUNS;
    const runs = whole || !x.hasRuns ? 1 : x.runs + 1;
    rows += await lane(() => rewrite(conn, x.period, whole, runs, p));
    if (whole) merged++;
  }
  if (stop()) return null;
  const report = { rows, periods: p.periods.length, merged, ms: 0, checkpointed: false };
  await lane(async () => {
    await run(conn, SQL.setWatermark, [p.to]);
    report.checkpointed = await tryCheckpoint(conn);
  });
  report.ms = performance.now() - started;
  return report;
}
