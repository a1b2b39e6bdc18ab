/**
 * Compaction's staged moves (issue 19): a large rewrite read through one sorted copy.
 *
 * A chunked move (move-chunks.ts) selects its key range from the rows to move. On a
 * time-ordered tail, as after a bulk load, every row group of a period holds every
 * org, so zone maps prune nothing and each chunk scanned and decoded its whole period:
 * a period of P rows cost P / MOVE_CHUNK_ROWS full scans, quadratic (at 100M events,
 * ~8M rows a period, 80 scans of every column of 8M rows each). So when a rewrite
 * would take more than a few chunks, its rows are first copied once, sorted by
 * (org_no, type, ts), into the staging table `compact_stage`, on a pooled connection
 * off the write lane; each chunk then reads its rows from that copy, where the sort
 * makes a key range one or two row groups, and only the DELETE in `events` still
 * filters the period, on four narrow key columns.
 *
 * The copy is a plain table, not a temp table, because it is written off the lane and
 * read by the lane's connection. It is only ever a copy: `events` stays the truth.
 * - A crash leaves `events` in the old layout (each chunk is one transaction) and at
 *   worst a stale `compact_stage`, replaced by the next staged rewrite and dropped at
 *   the start of every pass (compaction.ts).
 * - Rows keep their `received`: the copy is `SELECT *`.
 * - Rows deleted from `events` after the copy was taken (an erasure, a retention
 *   cut, a lane task between two chunks) must not come back. Nothing but compaction
 *   adds rows to the moved set (ingest stamps a higher `received`) and nothing
 *   updates rows in place, so the set can only shrink: a chunk whose DELETE removes
 *   exactly as many rows as the copy holds for its range removed exactly the copied
 *   rows. When the counts differ the chunk is rolled back and moved from `events`
 *   directly (`null` from moveStaged), as without a copy.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, changed, run, type Params } from './db.js';
import { rangeWhere, type KeyRange } from './move-chunks.js';
import { num } from '../sql/rows.js';

/** A rewrite of more chunks than this reads them through a sorted copy (DuckDbOptions.compactStageChunks). */
export const STAGE_MIN_CHUNKS = 4;

/** The staging table: a fixed name, never request text. */
export const DROP_STAGE = 'DROP TABLE IF EXISTS compact_stage';

/** Copy the rows `where` selects into compact_stage, sorted by the compaction key (one statement). */
export async function buildStage(conn: DuckDBConnection, where: string, params: Params): Promise<number> {
  await run(
    conn,
    `CREATE OR REPLACE TABLE compact_stage AS
       SELECT * FROM events WHERE ${where} ORDER BY org_no, type, ts`,
    params,
  );
  return num((await all(conn, 'SELECT count(*) AS n FROM compact_stage'))[0]!, 'n');
}

/**
 * In one transaction: the rows of `events` that `where` and the chunk's key range select
 * deleted, and the copy's rows of that range appended in their sorted order; then `also`.
 * Returns the rows moved, or null (rolled back) when `events` no longer holds exactly the
 * copied rows of the range (see the header).
 */
export async function moveStaged(
  conn: DuckDBConnection,
  where: string,
  params: Params,
  chunk: KeyRange,
  also?: [string, Params],
): Promise<number | null> {
  const inEvents = rangeWhere(chunk, params.length + 1);
  const inStage = rangeWhere(chunk, 1);
  await run(conn, 'BEGIN TRANSACTION');
  try {
    const gone = await changed(conn, `DELETE FROM events WHERE ${where} AND ${inEvents.sql}`, [
      ...params,
      ...inEvents.params,
    ]);
    const staged = await all(
      conn,
      `SELECT count(*) AS n FROM compact_stage WHERE ${inStage.sql}`,
      inStage.params,
    );
    if (gone !== num(staged[0]!, 'n')) {
      await run(conn, 'ROLLBACK');
      return null;
    }
    await run(conn, `INSERT INTO events SELECT * FROM compact_stage WHERE ${inStage.sql}`, inStage.params);
    if (also) await run(conn, ...also);
    await run(conn, 'COMMIT');
    return gone;
  } catch (err) {
    await run(conn, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}
