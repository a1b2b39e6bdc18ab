/**
 * The actor rollup: one row per (org, type, actor, 15-minute UTC cell) with the
 * latest `ts` of the cell (`mts`), for the distinct-actor requests of the query
 * engine (dialect-rollup.ts). It is exact for every zone whose offsets and
 * transitions are whole quarter hours (every zone's today, and nearly every
 * transition): a local hour, day, week or month is then a union of whole cells, so
 * no timezone change ever touches it; the dialect checks each request's.
 *
 * Invariant: the rollup holds exactly the cells of the events with an actor and
 * `received <= meta.compacted_through` (compaction.ts's watermark). Reads add the
 * events received after it, which compaction keeps bounded. Rows may repeat a
 * cell (a late event appends a second row): every read takes distinct cells and
 * max(mts), so repeats change no answer, and the idle pass folds them away.
 *
 * Every write keeps the invariant in its own transaction:
 * - compaction appends the cells of (old watermark, new] with the watermark move;
 * - erasure deletes the actor's or the orgs' rows;
 * - correction and retention recompute the cells they touched from what is left.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, run, transaction } from './db.js';
import { num } from '../sql/rows.js';

/** The cell: 15 minutes, the step of every zone's offset today (Kathmandu +05:45, Chatham +12:45). */
export const CELL_MS = 900_000;

/** SQL of the start of the cell holding `ts` (a column expression; floor also before 1970). */
export function cellSql(ts: string): string {
  return `(${ts} - ((${ts} % ${CELL_MS}) + ${CELL_MS}) % ${CELL_MS})`;
}

/** The watermark as a scalar subquery (in a write transaction, where it cannot move). */
const WATERMARK = "coalesce((SELECT CAST(v AS BIGINT) FROM meta WHERE k = 'compacted_through'), 0)";

/** The covered events (received at most the watermark). */
const COVERED = `e.received <= ${WATERMARK}`;

/** The cells of the events `e` matching `where` (optionally joined by `join`), sorted as a run. */
function cellsOf(where: string, join = ''): string {
  return `SELECT org_no, org, type, actor, c AS ts, max(t) AS mts FROM (
    SELECT e.org_no, e.org, e.type, e.actor, e.ts AS t, ${cellSql('e.ts')} AS c FROM events e${join}
    WHERE e.actor IS NOT NULL AND ${where}
  ) GROUP BY org_no, org, type, actor, c ORDER BY org_no, type, actor, c`;
}

/** After a build: one sorted run, or none when there was nothing to build from (an empty store). */
const RUNS_AFTER_BUILD = `INSERT OR REPLACE INTO meta
  SELECT 'rollup_runs', CASE WHEN count(*) > 0 THEN '1' ELSE '0' END FROM actor_rollup`;

/** The table (schema.ts), and the build from the covered events (a migration of an existing file). */
export const CREATE_ROLLUP = `CREATE TABLE actor_rollup (
     org_no INTEGER NOT NULL,
     org VARCHAR NOT NULL,
     type VARCHAR NOT NULL,
     actor VARCHAR NOT NULL,
     ts BIGINT NOT NULL,
     mts BIGINT NOT NULL
   );
   INSERT INTO actor_rollup ${cellsOf(COVERED)};
   ${RUNS_AFTER_BUILD};`;

/**
 * Inside compaction's watermark transaction, before the watermark moves from `from` to `to`:
 * the cells of the events received in between, appended as one more sorted run.
 */
export async function extendRollup(conn: DuckDBConnection, from: number, to: number): Promise<void> {
  await run(conn, `INSERT INTO actor_rollup ${cellsOf('e.received > $1 AND e.received <= $2')}`, [from, to]);
  await run(
    conn,
    `INSERT OR REPLACE INTO meta SELECT 'rollup_runs', CAST(coalesce(max(CAST(v AS INTEGER)), 0) + 1 AS VARCHAR)
     FROM meta WHERE k = 'rollup_runs'`,
  );
}

/** Sorted runs appended since the rollup was last rewritten whole. */
export async function rollupRuns(conn: DuckDBConnection): Promise<number> {
  const rows = await all(conn, "SELECT v FROM meta WHERE k = 'rollup_runs'");
  return rows[0] ? num(rows[0], 'v') : 0;
}

/** Rollup rows per org number, in org order: the fold's chunks (compaction.ts). */
export async function rollupOrgCounts(conn: DuckDBConnection): Promise<[number, number][]> {
  const rows = await all(
    conn,
    'SELECT org_no, count(*) AS n FROM actor_rollup GROUP BY org_no ORDER BY org_no',
  );
  return rows.map((r) => [num(r, 'org_no'), num(r, 'n')]);
}

/**
 * Fold the rows of org numbers [first, last] into one row a cell, appended sorted by
 * (org_no, type, actor, ts); one transaction, answers unchanged. Chunks taken in org order
 * line up into one run, so zone maps skip other orgs' row groups.
 */
export function foldOrgs(conn: DuckDBConnection, first: number, last: number): Promise<void> {
  const orgs = 'org_no BETWEEN $1 AND $2';
  return transaction(conn, async () => {
    await run(conn, 'DROP TABLE IF EXISTS temp.rollup_fold');
    await run(
      conn,
      `CREATE TEMP TABLE rollup_fold AS SELECT org_no, org, type, actor, ts, max(mts) AS mts FROM actor_rollup
         WHERE ${orgs} GROUP BY org_no, org, type, actor, ts ORDER BY org_no, type, actor, ts`,
      [first, last],
    );
    await run(conn, `DELETE FROM actor_rollup WHERE ${orgs}`, [first, last]);
    await run(conn, 'INSERT INTO actor_rollup SELECT * FROM temp.rollup_fold; DROP TABLE temp.rollup_fold');
  });
}

/** Once every chunk is folded: the rollup is one run. */
export const ONE_ROLLUP_RUN = "INSERT OR REPLACE INTO meta VALUES ('rollup_runs', '1')";

/** Rebuild the rollup from events (tests and the benchmark's rebuild figure); one transaction. */
export function rebuildRollup(conn: DuckDBConnection): Promise<void> {
  return transaction(conn, () =>
    run(conn, `DELETE FROM actor_rollup; INSERT INTO actor_rollup ${cellsOf(COVERED)}; ${RUNS_AFTER_BUILD};`),
  );
}

/**
 * Before a correction deletes the events staged in `lifecycle_refs(org, id)` (erase.ts): the
 * cells they fall in, into `temp.rollup_cells`, for `refreshCells` once they are gone.
 */
export const NOTE_REF_CELLS = `DROP TABLE IF EXISTS temp.rollup_cells;
  CREATE TEMP TABLE rollup_cells AS SELECT DISTINCT e.org, e.type, e.actor, ${cellSql('e.ts')} AS ts
  FROM events e JOIN lifecycle_refs r ON e.org = r.org AND e.id = r.id WHERE e.actor IS NOT NULL`;

/** After the events are deleted: the noted cells recomputed from the covered events left in them. */
export async function refreshCells(conn: DuckDBConnection): Promise<void> {
  await run(
    conn,
    `DELETE FROM actor_rollup USING temp.rollup_cells c WHERE actor_rollup.org = c.org
       AND actor_rollup.type = c.type AND actor_rollup.actor = c.actor AND actor_rollup.ts = c.ts`,
  );
  const join = ` JOIN temp.rollup_cells k ON e.org = k.org AND e.type = k.type AND e.actor = k.actor
    AND ${cellSql('e.ts')} = k.ts`;
  await run(conn, `INSERT INTO actor_rollup ${cellsOf(COVERED, join)}`);
  await run(conn, 'DROP TABLE temp.rollup_cells');
}

/**
 * Retention, after the events before each org's cutoff in `lifecycle_cutoffs(org, before)` are
 * deleted: the cells starting before the cutoff go, and a cutoff inside a cell puts back that
 * cell from the events left in it (those at or after the cutoff).
 */
export async function expireCells(conn: DuckDBConnection): Promise<void> {
  await run(
    conn,
    `DELETE FROM actor_rollup USING lifecycle_cutoffs c WHERE actor_rollup.org = c.org AND actor_rollup.ts < c.before`,
  );
  const cut = cellSql('c.before');
  const join = ` JOIN lifecycle_cutoffs c ON e.org = c.org AND e.ts >= c.before AND e.ts < ${cut} + ${CELL_MS}`;
  await run(conn, `INSERT INTO actor_rollup ${cellsOf(`${COVERED} AND ${cut} < c.before`, join)}`);
}

/** Erasure of one actor in `orgs` (a bound list $2; the actor $1), inside erase.ts's transaction. */
export const ERASE_ACTOR_CELLS = 'DELETE FROM actor_rollup WHERE actor = $1 AND list_contains($2, org)';
/** Erasure of orgs (a bound list $1). */
export const ERASE_ORG_CELLS = 'DELETE FROM actor_rollup WHERE list_contains($1, org)';
