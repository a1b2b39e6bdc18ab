/**
 * Compaction: keeps the events table clustered by (org_no, type, ts), so that
 * DuckDB's zone maps skip other orgs' row groups (many times fewer rows for a
 * year-long query than time order; docs/benchmarks.md has Tally's figures).
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
 * A rewrite moves its rows in key-range chunks of at most MOVE_CHUNK_ROWS
 * (move-chunks.ts; `chunkRows`), each one transaction (copy the rows sorted to a temp table,
 * DELETE, INSERT), so readers see either layout and a crash leaves the old one;
 * rows and their `received` are unchanged, only their position moves. Each chunk
 * is its own lane task, so ingest commits wait at most one chunk behind a long
 * pass; rows that arrive meanwhile have a higher `received` and wait for the
 * next pass. A period rewrite of more than `stageChunks` chunks reads them through one
 * sorted copy of its rows (move-staged.ts), so that a large time-ordered tail costs one
 * scan of the period rather than one per chunk. The
 * watermark moves only when every period of the pass is done, so a pass cut
 * short is simply redone. CHECKPOINT afterwards lets DuckDB drop the deleted
 * row groups.
 *
 * Runs per period still cost a small org one row group per period on a
 * year-long query. So when writes pause, a pass may also *merge the closed
 * periods* (those ended over a period ago) into one run sorted across all of
 * them, moving the rows in the same key-range chunks (in key order, so the
 * chunks line up into one run) and recording `meta.merged_through`; it is
 * redone when another period closes.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, run, transaction, tryCheckpoint, type Params } from './db.js';
import { keyCells, keyChunks, rangeWhere } from './move-chunks.js';
import { buildStage, DROP_STAGE, moveStaged } from './move-staged.js';
import { num } from '../sql/rows.js';
import { extendRollup, foldOrgs, ONE_ROLLUP_RUN, rollupOrgCounts, rollupRuns } from './rollup.js';

/** Length of a compaction period: rows are clustered within each (30 days of `ts`). */
export const PERIOD_MS = 30 * 86_400_000;
/** Sorted runs a period may hold before the next pass merges it into one. */
export const MAX_RUNS = 4;
/** Org numbers one rollup fold transaction may cover, by rollup rows (rollup.ts; its rows are few next to events). */
export const FOLD_CHUNK_ROWS = 1_000_000;
/** Rollup runs (one a pass) that make even a busy pass fold them into one (rollup.ts). */
export const MAX_ROLLUP_RUNS = 16;

export interface CompactionReport {
  /** Rows rewritten, and the periods they fell in. */
  rows: number;
  periods: number;
  /** Periods rewritten whole (merged) rather than by their tail only. */
  merged: number;
  /** Rows moved by the merge of closed periods, and its transactions (0 when none ran). */
  mergedRows: number;
  mergeChunks: number;
  /** The most rows one transaction moved (at most the chunk size unless one key cell is larger). */
  largestMove: number;
  /** Rewrites read through a sorted copy (move-staged.ts), and their chunks moved from events instead because rows had gone meanwhile. */
  staged: number;
  unstaged: number;
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
  mergedThrough: "SELECT v FROM meta WHERE k = 'merged_through'",
  setMergedThrough: "INSERT OR REPLACE INTO meta VALUES ('merged_through', CAST($1 AS VARCHAR))",
  oneRun: 'UPDATE compaction SET runs = 1 WHERE period < $1',
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
  return rows[0] ? num(rows[0], 'v') : 0;
}

/** Rows received after the watermark: what the next pass would sort. */
export async function tailRows(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, SQL.tailCount, [await readWatermark(conn)]);
  return num(rows[0]!, 'n');
}

/** The greatest `received` stored (0 when empty): where a committer's stamps continue. */
export async function maxReceived(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, SQL.maxReceived);
  return rows[0]?.['m'] === null || rows[0]?.['m'] === undefined ? 0 : num(rows[0], 'm');
}

async function plan(conn: DuckDBConnection): Promise<Plan | null> {
  // A staging copy left by a crash (move-staged.ts) is never read again: give its space back.
  await run(conn, DROP_STAGE);
  const from = await readWatermark(conn);
  const to = await maxReceived(conn);
  if (to <= from) return null;
  const periods = [];
  for (const r of await all(conn, SQL.tailPeriods, [from, to])) {
    const period = num(r, 'period');
    const older = await all(conn, SQL.hasOlder, [period * PERIOD_MS, (period + 1) * PERIOD_MS, from]);
    periods.push({
      period,
      runs: num(r, 'runs'),
      hasRuns: Boolean(older[0]!['x']),
    });
  }
  return { from, to, periods };
}

/** Rewrite a period's rows (see rowsWhere) sorted, and record the runs it then holds; returns the rows moved, null when stopped. */
async function rewrite(
  m: Mover,
  period: number,
  whole: boolean,
  runs: number,
  p: Plan,
): Promise<number | null> {
  const { where, params } = rowsWhere(period, whole, p);
  return (await moveChunked(m, where, params, [SQL.setRuns, [period, runs]], true))?.rows ?? null;
}

/** What a pass moves rows with: the write connection behind the lane, a reader off it, and the stop flag. */
export interface Mover {
  conn: DuckDBConnection;
  lane: <T>(fn: () => Promise<T>) => Promise<T>;
  read: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;
  stop: () => boolean;
  /** Rows a move transaction may hold the lane for (MOVE_CHUNK_ROWS; tests use fewer). */
  chunkRows: number;
  /** A period rewrite of more chunks than this reads them through a sorted copy (STAGE_MIN_CHUNKS). */
  stageChunks: number;
  /** Counted as the pass goes (the report's largestMove, staged, unstaged). */
  tally?: MoveTally;
}

/** What the moves of one pass did (CompactionReport). */
interface MoveTally {
  largestMove: number;
  staged: number;
  unstaged: number;
}

/**
 * Move the rows `where` selects in key-range chunks (move-chunks.ts), each its own lane task;
 * `also` runs in the last chunk's transaction (alone when no row matched). With `stage`, more
 * than `m.stageChunks` chunks are read through a sorted copy (move-staged.ts). Returns the rows
 * moved, or null when `stop` said so between chunks (what moved stays moved: rows never change).
 */
async function moveChunked(
  m: Mover,
  where: string,
  params: Params,
  also?: [string, Params],
  stage = false,
): Promise<{ rows: number; chunks: number } | null> {
  const chunks = keyChunks(await m.read((c) => keyCells(c, where, params)), m.chunkRows);
  if (chunks.length === 0 && also) await m.lane(() => run(m.conn, ...also));
  const staged = stage && chunks.length > m.stageChunks;
  if (staged) {
    await m.read((c) => buildStage(c, where, params));
    if (m.tally) m.tally.staged++;
  }
  let rows = 0;
  try {
    for (const [k, chunk] of chunks.entries()) {
      if (m.stop()) return null;
      const range = rangeWhere(chunk, params.length + 1);
      const extra = k === chunks.length - 1 ? also : undefined;
      const moved = await m.lane(async () => {
        const n = staged ? await moveStaged(m.conn, where, params, chunk, extra) : null;
        if (n !== null) return n;
        if (staged && m.tally) m.tally.unstaged++;
        return moveSorted(m.conn, `${where} AND ${range.sql}`, [...params, ...range.params], extra);
      });
      rows += moved;
      if (m.tally) m.tally.largestMove = Math.max(m.tally.largestMove, moved);
    }
  } finally {
    // Off the lane; a copy left behind (the store closing) is dropped by the next pass.
    if (staged) await m.read((c) => run(c, DROP_STAGE)).catch(() => undefined);
  }
  return { rows, chunks: chunks.length };
}

/**
 * In one transaction: the rows matching `where` deleted and appended again sorted by
 * (org_no, type, ts), then `also` (a statement and its params) if given; returns the rows moved.
 */
async function moveSorted(
  conn: DuckDBConnection,
  where: string,
  params: Params,
  also?: [string, Params],
): Promise<number> {
  await run(conn, 'BEGIN TRANSACTION');
  try {
    await run(conn, 'DROP TABLE IF EXISTS temp.compact_rows');
    await run(
      conn,
      `CREATE TEMP TABLE compact_rows AS SELECT * FROM events WHERE ${where} ORDER BY org_no, type, ts`,
      params,
    );
    const moved = num((await all(conn, 'SELECT count(*) AS n FROM temp.compact_rows'))[0]!, 'n');
    await run(conn, `DELETE FROM events WHERE ${where}`, params);
    await run(conn, 'INSERT INTO events SELECT * FROM temp.compact_rows');
    await run(conn, 'DROP TABLE temp.compact_rows');
    if (also) await run(conn, ...also);
    await run(conn, 'COMMIT');
    return moved;
  } catch (err) {
    await run(conn, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The watermark moved to `p.to` with the rollup's cells of the rows it now covers (rollup.ts). */
function moveWatermark(conn: DuckDBConnection, p: Plan): Promise<void> {
  return transaction(conn, async () => {
    await extendRollup(conn, p.from, p.to);
    await run(conn, SQL.setWatermark, [p.to]);
  });
}

/** The rollup's runs folded into one (rollup.ts), in chunks of whole orgs. */
async function foldRollup(
  conn: DuckDBConnection,
  lane: <T>(fn: () => Promise<T>) => Promise<T>,
  stop: () => boolean,
): Promise<void> {
  const counts = await lane(() => rollupOrgCounts(conn));
  for (const [first, last] of orgChunks(counts, FOLD_CHUNK_ROWS)) {
    if (stop()) return;
    await lane(() => foldOrgs(conn, first, last));
  }
  if (!stop()) await lane(() => run(conn, ONE_ROLLUP_RUN));
}

/** Chunks [first, last] of org numbers, each of at most `max` rows unless one org alone has more. */
export function orgChunks(counts: [number, number][], max: number): [number, number][] {
  const out: [number, number][] = [];
  let start: number | null = null;
  let last = 0;
  let rows = 0;
  for (const [no, n] of counts) {
    if (start !== null && rows + n > max) {
      out.push([start, last]);
      start = null;
      rows = 0;
    }
    start ??= no;
    last = no;
    rows += n;
  }
  if (start !== null) out.push([start, last]);
  return out;
}

/**
 * Merge the closed periods (before `closedBefore`) into one run, unless `meta.merged_through`
 * says it is done; null then. Only sorted rows move (received at most the watermark).
 */
async function mergeClosed(m: Mover, closedBefore: number): Promise<{ rows: number; chunks: number } | null> {
  const watermark = await m.lane(async () => {
    const done = await all(m.conn, SQL.mergedThrough);
    return done[0] && num(done[0], 'v') >= closedBefore ? null : readWatermark(m.conn);
  });
  if (watermark === null) return null;
  const moved = await moveChunked(m, 'ts < $1 AND received <= $2', [closedBefore * PERIOD_MS, watermark]);
  if (!moved || m.stop()) return null;
  await m.lane(async () => {
    await run(m.conn, 'BEGIN TRANSACTION');
    await run(m.conn, SQL.oneRun, [closedBefore]);
    await run(m.conn, SQL.setMergedThrough, [closedBefore]);
    await run(m.conn, 'COMMIT');
  });
  return moved;
}

/**
 * One compaction pass. `m.lane` runs a task on the write connection exclusively
 * (the store's serial lane), `m.read` on a pooled reader; `m.stop` is asked between
 * transactions (the store closing). With `closedBefore` (a period number), the closed
 * periods before it are merged afterwards as well. Returns null when there was nothing to do.
 */
export async function compact(
  m: Mover,
  closedBefore: number | null = null,
): Promise<CompactionReport | null> {
  const { conn, lane, stop } = m;
  const started = performance.now();
  m.tally = { largestMove: 0, staged: 0, unstaged: 0 };
  const p = await lane(() => plan(conn));
  let rows = 0;
  let merged = 0;
  for (const x of p?.periods ?? []) {
    const whole = x.hasRuns && x.runs >= MAX_RUNS;
    const runs = whole || !x.hasRuns ? 1 : x.runs + 1;
    const moved = stop() ? null : await rewrite(m, x.period, whole, runs, p!);
    if (moved === null) return null;
    rows += moved;
    if (whole) merged++;
  }
  if (stop()) return null;
  if (p) await lane(() => moveWatermark(conn, p));
  const mc = closedBefore === null ? null : await mergeClosed(m, closedBefore);
  // Idle passes fold the rollup's runs into one; a busy store folds them once they are many.
  const runs = await lane(() => rollupRuns(conn));
  if (runs >= MAX_ROLLUP_RUNS || (runs > 1 && closedBefore !== null && !stop()))
    await foldRollup(conn, lane, stop);
  if (!p && !mc) return null;
  // Rows the watermark has passed are reported even when the store is closing (its close checkpoints).
  const checkpointed = !stop() && (await lane(() => tryCheckpoint(conn)));
  return {
    rows,
    periods: p?.periods.length ?? 0,
    merged,
    mergedRows: mc?.rows ?? 0,
    mergeChunks: mc?.chunks ?? 0,
    ...m.tally,
    ms: performance.now() - started,
    checkpointed,
  };
}
