/**
 * Compaction's moves in bounded steps (issue 19: no ingest commit waits on upkeep for
 * more than about a second). A move re-sorts a set of rows by (org_no, type, ts); one
 * transaction holds the write lane while it runs, so a large set (a whole period at
 * 100M events holds ~8M rows, the largest org alone 13M) is cut into key ranges of at
 * most MOVE_CHUNK_ROWS rows, moved one after the other in key order: appended in that
 * order, the chunks still line up into one sorted run.
 *
 * The ranges come from row counts per (org_no, type, UTC day) cell, read on a
 * connection of their own, off the lane (compaction is the only mover, and ingest only
 * adds rows outside the moved set, so the cells stay valid; a deletion meanwhile only
 * makes a chunk smaller). A cell larger than the bound is a chunk by itself.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, type Params } from './db.js';
import { num, str } from '../sql/rows.js';

/** Rows one move transaction may hold the lane for (~0.4 s at 250k rows/s on this machine). */
export const MOVE_CHUNK_ROWS = 100_000;
const DAY_MS = 86_400_000;

/** A (org_no, type, UTC day) cell of the rows to move and its row count, in key order. */
export interface KeyCell {
  orgNo: number;
  type: string;
  day: number;
  rows: number;
}

/** First and last cell of a chunk (both included). */
export interface KeyRange {
  first: KeyCell;
  last: KeyCell;
  rows: number;
}

/** The cells of the rows `where` selects ($1.. bound to `params`), in key order. */
export async function keyCells(conn: DuckDBConnection, where: string, params: Params): Promise<KeyCell[]> {
  const rows = await all(
    conn,
    `SELECT org_no, type, CAST(floor(ts / ${DAY_MS}) AS BIGINT) AS day, count(*) AS n
     FROM events WHERE ${where} GROUP BY ALL ORDER BY org_no, type, day`,
    params,
  );
  return rows.map((r) => ({
    orgNo: num(r, 'org_no'),
    type: str(r, 'type'),
    day: num(r, 'day'),
    rows: num(r, 'n'),
  }));
}

/** Consecutive cells grouped into chunks of at most `max` rows (a larger cell alone). */
export function keyChunks(cells: KeyCell[], max: number): KeyRange[] {
  const out: KeyRange[] = [];
  let open: KeyRange | null = null;
  for (const c of cells) {
    if (open && open.rows + c.rows > max) {
      out.push(open);
      open = null;
    }
    if (open) {
      open.last = c;
      open.rows += c.rows;
    } else open = { first: c, last: c, rows: c.rows };
  }
  if (open) out.push(open);
  return out;
}

/**
 * The SQL condition of a key range, its parameters numbered from `$at`: keys from the first
 * cell's start to the last cell's end, with `org_no BETWEEN` first so zone maps prune by org.
 */
export function rangeWhere(r: KeyRange, at: number): { sql: string; params: Params } {
  const [o1, t1, s1, o2, t2, e2] = [0, 1, 2, 3, 4, 5].map((k) => `$${at + k}`);
  return {
    sql: `org_no BETWEEN ${o1} AND ${o2}
      AND (org_no > ${o1} OR (type > ${t1} OR (type = ${t1} AND ts >= ${s1})))
      AND (org_no < ${o2} OR (type < ${t2} OR (type = ${t2} AND ts < ${e2})))`,
    params: [
      r.first.orgNo,
      r.first.type,
      r.first.day * DAY_MS,
      r.last.orgNo,
      r.last.type,
      (r.last.day + 1) * DAY_MS,
    ],
  };
}
