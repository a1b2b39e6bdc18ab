/**
 * Physical layout of `events`: the same rows rewritten in other orders (the
 * prototypes behind the store's compaction, kept as references next to the
 * layout the store itself keeps, `tally`, see upkeep.ts), and what they cost.
 * - time:    in time order, each commit sorted (the bulk-loaded dataset; before compaction);
 * - sorted:  fully clustered by (org_no, type, ts) (a full compaction);
 * - runs:    sorted runs of R rows in arrival order (the tail compacted every R rows, never merged);
 * - monthly: sorted within calendar months (a time-partitioned compaction);
 * - tail:    sorted main plus the last N days unsorted (between two compactions).
 * Each is a new store file (the store's own schema, every other table copied).
 */
import { rmSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createEmptyStore } from '../dataset.js';
import { rebuildRollup } from '../../src/store/duckdb/rollup.js';
import { DAY_MS } from '../gen/model.js';

export interface Layout {
  name: string;
  description: string;
  /** ORDER BY of the rewrite, over the source table (its rowid is arrival order); null = the base file. */
  orderBy: string | null;
}

const MONTH = `year(epoch_ms(ts)) * 12 + month(epoch_ms(ts))`;

/** The layouts measured; `end` is the dataset's end (epoch ms). */
export function layouts(end: number, runRows: number): Layout[] {
  const tail = (days: number): Layout => {
    const cut = end - days * DAY_MS;
    return {
      name: `sorted+tail${days}d`,
      description: `sorted main, last ${days} days unsorted (time order)`,
      orderBy: `ts >= ${cut}, CASE WHEN ts < ${cut} THEN org END, CASE WHEN ts < ${cut} THEN type END, ts`,
    };
  };
  return [
    { name: 'time', description: 'time order, each commit sorted (before compaction)', orderBy: null },
    {
      name: 'sorted',
      description: 'clustered by (org_no, type, ts): full compaction',
      orderBy: 'org_no, type, ts',
    },
    {
      name: `runs-${runRows / 1e6}M`,
      description: `sorted runs of ${runRows.toLocaleString('en')} rows in arrival order`,
      orderBy: `rowid // ${runRows}, org_no, type, ts`,
    },
    {
      name: 'monthly',
      description: 'sorted within each calendar month',
      orderBy: `${MONTH}, org_no, type, ts`,
    },
    tail(7),
    tail(30),
  ];
}

/**
 * Write `src`'s store into a new file `dst` with events in `orderBy` order; returns seconds for
 * the events. The watermark is set past every row (tail 0), so the store leaves the order alone.
 */
export async function rewriteStore(src: string, dst: string, orderBy: string): Promise<number> {
  rmSync(dst, { force: true });
  rmSync(`${dst}.wal`, { force: true });
  await createEmptyStore(dst);
  const instance = await DuckDBInstance.create(src);
  const conn = await instance.connect();
  let seconds: number;
  try {
    await conn.run(`ATTACH '${dst}' AS dst`);
    // Every other table of the store (orgs, actors, keys, ...) as it is; meta came with the schema.
    // By name: a cached dataset may predate columns a later migration added (they stay NULL, as
    // the migration leaves them on an old store).
    const tables = (
      await conn.runAndReadAll(
        `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary
           AND table_name NOT IN ('events', 'meta')`,
      )
    ).getColumnsJS()[0] as string[];
    for (const t of tables) await conn.run(`INSERT INTO dst."${t}" BY NAME SELECT * FROM "${t}"`);
    const t0 = performance.now();
    await conn.run(`INSERT INTO dst.events BY NAME SELECT * FROM events ORDER BY ${orderBy}`);
    await conn.run('CHECKPOINT dst');
    seconds = (performance.now() - t0) / 1000;
    // A rewrite is final: no unsorted tail, so a store opened on it (the real server) never compacts it.
    await conn.run(`INSERT OR REPLACE INTO dst.meta
      SELECT 'compacted_through', CAST(max(received) AS VARCHAR) FROM events`);
    await conn.run('CHECKPOINT dst');
    await conn.run('DETACH dst');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  // The rows moved outside the store's own writes, and the watermark with them: the actor rollup
  // (src/store/duckdb/rollup.ts) is rebuilt from them, or it would answer for the old ones.
  const rewritten = await DuckDBInstance.create(dst);
  const c = await rewritten.connect();
  try {
    await rebuildRollup(c);
    await c.run('CHECKPOINT');
  } finally {
    c.closeSync();
    rewritten.closeSync();
  }
  return seconds;
}

export interface CompactionCost {
  what: string;
  rows: number;
  seconds: number;
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(sql)).getColumnsJS()[0]![0]);
}

/**
 * In-place compactions on a (copied) store file, as the store would run them in one
 * transaction: the whole table re-sorted into a new table that replaces it, and the
 * unsorted tail (rows received after a watermark) deleted and re-appended sorted.
 */
export async function compactionCosts(
  path: string,
  end: number,
  tailDays: number[],
): Promise<CompactionCost[]> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const out: CompactionCost[] = [];
  try {
    for (const days of tailDays) {
      const watermark = end - days * DAY_MS;
      const rows = await count(conn, `SELECT count(*) FROM events WHERE received >= ${watermark}`);
      const t0 = performance.now();
      await conn.run('BEGIN TRANSACTION');
      await conn.run(
        `CREATE TEMP TABLE tail AS SELECT * FROM events WHERE received >= ${watermark} ORDER BY org_no, type, ts`,
      );
      await conn.run(`DELETE FROM events WHERE received >= ${watermark}`);
      await conn.run('INSERT INTO events SELECT * FROM tail');
      await conn.run('DROP TABLE tail');
      await conn.run('COMMIT');
      await conn.run('CHECKPOINT');
      out.push({
        what: `tail re-sort (last ${days} d received)`,
        rows,
        seconds: (performance.now() - t0) / 1000,
      });
    }
    const rows = await count(conn, 'SELECT count(*) FROM events');
    const t0 = performance.now();
    await conn.run('BEGIN TRANSACTION');
    // The same DDL (constraints included), then the rows in clustered order.
    const ddl = (
      await conn.runAndReadAll("SELECT sql FROM duckdb_tables() WHERE table_name = 'events'")
    ).getColumnsJS()[0]![0] as string;
    await conn.run(ddl.replace(/CREATE TABLE (main\.)?events\b/, 'CREATE TABLE events_sorted'));
    await conn.run('INSERT INTO events_sorted SELECT * FROM events ORDER BY org_no, type, ts');
    await conn.run('DROP TABLE events');
    await conn.run('ALTER TABLE events_sorted RENAME TO events');
    await conn.run('COMMIT');
    await conn.run('CHECKPOINT');
    out.push({ what: 'full re-sort (new table, swap)', rows, seconds: (performance.now() - t0) / 1000 });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}

/** Rows DuckDB scanned for a statement (its profiler's cumulative_rows_scanned): a noise-free layout metric. */
export async function rowsScanned(conn: DuckDBConnection, sql: string, profilePath: string): Promise<number> {
  await conn.run(`SET enable_profiling = 'json'`);
  await conn.run(`SET profiling_output = '${profilePath}'`);
  await conn.run(`SET custom_profiling_settings = '{"CUMULATIVE_ROWS_SCANNED": "true"}'`);
  await conn.runAndReadAll(sql);
  await conn.run('PRAGMA disable_profiling');
  const { readFileSync } = await import('node:fs');
  const json = JSON.parse(readFileSync(profilePath, 'utf8')) as { cumulative_rows_scanned?: number };
  return json.cumulative_rows_scanned ?? NaN;
}

export interface OrgKeyFigures {
  org: string;
  byString: { rowsScanned: number; p50: number };
  byInteger: { rowsScanned: number; p50: number };
}

/**
 * DuckDB's string zone maps compare 8-byte prefixes, so `org = '1'` cannot skip row groups
 * whose org range is ['10', '199']. What the store's org numbers buy: the same rows clustered
 * by org id (string) and filtered by it, against clustered by org number and filtered by that
 * (what Tally does), for Q2's scan. Runs on a copy at `work`.
 */
export async function orgKeyExperiment(
  sorted: string,
  work: string,
  orgs: string[],
  end: number,
): Promise<OrgKeyFigures[]> {
  rmSync(work, { force: true });
  const instance = await DuckDBInstance.create(work);
  const conn = await instance.connect();
  const out: OrgKeyFigures[] = [];
  try {
    await conn.run(`ATTACH '${sorted}' AS s (READ_ONLY)`);
    await conn.run('CREATE TABLE by_id AS SELECT * FROM s.events ORDER BY org, type, ts');
    await conn.run('CREATE TABLE by_no AS SELECT * FROM s.events ORDER BY org_no, type, ts');
    await conn.run('CHECKPOINT');
    const from = end - 365 * DAY_MS;
    for (const org of orgs) {
      const no = Number(
        (
          await conn.runAndReadAll(`SELECT any_value(org_no) FROM by_no WHERE org = '${org}'`)
        ).getColumnsJS()[0]![0],
      );
      const measure = async (table: string, where: string): Promise<{ rowsScanned: number; p50: number }> => {
        const q = (w: string): string =>
          `SELECT ts // ${DAY_MS} AS d, sum(value) AS bytes FROM ${table} WHERE ${w} AND type = 'bandwidth' AND ts >= ${from} AND ts < ${end} GROUP BY 1`;
        const times: number[] = [];
        for (let k = 0; k < 11; k++) {
          const t0 = performance.now();
          await conn.runAndReadAll(q(where));
          if (k > 0) times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { rowsScanned: await rowsScanned(conn, q(where), `${work}.profile.json`), p50: times[5]! };
      };
      out.push({
        org,
        byString: await measure('by_id', `org = '${org}'`),
        byInteger: await measure('by_no', `org_no = ${no}`),
      });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(work, { force: true });
    rmSync(`${work}.wal`, { force: true });
    rmSync(`${work}.profile.json`, { force: true });
  }
  return out;
}
