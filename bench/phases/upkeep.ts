/**
 * The store's own compaction (src/store/duckdb/compaction.ts), as the benchmark sees it:
 * - the initial pass: the time-ordered dataset (a store whose whole table is the
 *   unsorted tail, as after an upgrade or a bulk load) compacted once by
 *   `DuckDbStore.compact({ mergeClosed: true })`, as the store does when writes pause:
 *   the tail sorted per period, then the closed periods merged into one run. That is
 *   the layout Tally serves (`tally`);
 * - the compaction state of a store file afterwards (watermark, tail, runs per period),
 *   read from the file itself, e.g. after the server has stopped.
 */
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { PERIOD_MS } from '../../src/store/duckdb/compaction.js';
import { filterPathOf } from '../../src/store/duckdb/dedupe-file.js';
import { load } from '../results.js';

export interface InitialCompaction {
  /** Seconds of `store.compact({ mergeClosed: true })` alone (the pass, the merge, the CHECKPOINT). */
  seconds: number;
  /** Rows the merge of closed periods moved, in how many transactions. */
  mergedRows?: number;
  mergeChunks?: number;
  /** Store start before it (fingerprints and first-seen of the stored events), seconds. */
  openSeconds: number;
  /** The longest one of its transactions held the write lane (UpkeepStats.longestHoldMs), ms. */
  longestHoldMs?: number;
  rows: number;
  periods: number;
  merged: number;
  rowGroups: number;
  /** File size before (the time-ordered copy) and after. */
  bytesBefore: number;
  bytes: number;
  /** Load average when the pass started. */
  load: number[];
  at: string;
}

/** Where a store file's compaction stands. */
export interface CompactionState {
  /** meta.compacted_through (0 when never compacted). */
  watermark: number;
  /** Rows received after the watermark: what the next pass would sort. */
  tail: number;
  /** Sorted runs per period (30 days of ts; period number = floor(ts / 30 days)), for the periods listed. */
  runs: { period: number; runs: number }[];
}

async function one(conn: DuckDBConnection, sql: string): Promise<number> {
  const v = (await conn.runAndReadAll(sql)).getRowsJS()[0]?.[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/** The statement that counts the unsorted tail (rows received after the watermark). */
export const TAIL_SQL = `SELECT count(*) FROM events
  WHERE received > coalesce((SELECT CAST(v AS BIGINT) FROM meta WHERE k = 'compacted_through'), 0)`;

/** Row groups of events (pragma_storage_info). */
export async function rowGroups(conn: DuckDBConnection): Promise<number> {
  return one(conn, `SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('events')`);
}

/**
 * Wait for the store's dedupe filter (rebuilt in the background when the file has none) and
 * save it next to the file, as a server that ran past its first minutes would have: the ingest
 * phases then measure the steady state, not the start-up rebuild (every event checked exactly).
 */
async function saveDedupeFilter(store: DuckDbStore, path: string): Promise<void> {
  const dedupe = store.dedupe;
  if (!dedupe) throw new Error(`${path}: the store has no dedupe filter`);
  while (!dedupe.isReady) await new Promise((r) => setTimeout(r, 50));
  await store.saveDedupe();
  if (!existsSync(filterPathOf(path))) throw new Error(`${path}: the dedupe filter was not saved`);
}

/** Copy a store file and its saved dedupe filter (dedupe-file.ts), without a WAL. */
export function copyStore(src: string, dst: string): void {
  copyFileSync(src, dst);
  rmSync(`${dst}.wal`, { force: true });
  rmSync(filterPathOf(dst), { force: true });
  if (existsSync(filterPathOf(src))) copyFileSync(filterPathOf(src), filterPathOf(dst));
}

/** Copy `src` (time order) to `dst`, open it as the store with upkeep off, time one compact(), save the dedupe filter, close. */
export async function initialCompaction(src: string, dst: string): Promise<InitialCompaction> {
  rmSync(dst, { force: true });
  rmSync(`${dst}.wal`, { force: true });
  copyFileSync(src, dst);
  const bytesBefore = statSync(dst).size;
  const t0 = performance.now();
  const store = await DuckDbStore.open({ path: dst, upkeep: false });
  await store.init();
  const openSeconds = (performance.now() - t0) / 1000;
  const at = new Date().toISOString();
  const before = load();
  let report;
  let seconds: number;
  let longestHoldMs: number;
  try {
    const t1 = performance.now();
    report = await store.compact({ mergeClosed: true });
    seconds = (performance.now() - t1) / 1000;
    longestHoldMs = store.upkeepStats.longestHoldMs;
    await saveDedupeFilter(store, dst);
  } finally {
    await store.close();
  }
  if (!report) throw new Error(`${dst}: compact() found no unsorted tail in the time-ordered file`);
  const instance = await DuckDBInstance.create(dst, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const tail = await one(conn, TAIL_SQL);
    if (tail !== 0) throw new Error(`${dst}: ${tail} rows still unsorted after compact()`);
    return {
      seconds,
      longestHoldMs,
      openSeconds,
      rows: report.rows,
      periods: report.periods,
      merged: report.merged,
      mergedRows: report.mergedRows,
      mergeChunks: report.mergeChunks,
      rowGroups: await rowGroups(conn),
      bytesBefore,
      bytes: statSync(dst).size,
      load: before,
      at,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The unsorted tail of a store file (opened read-only). */
export async function tailOf(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return await one(conn, TAIL_SQL);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Watermark, tail and the runs of the periods that rows received after `since` fall in, on an open connection. */
export async function compactionState(conn: DuckDBConnection, since: number): Promise<CompactionState> {
  const watermark = await one(conn, `SELECT CAST(v AS BIGINT) FROM meta WHERE k = 'compacted_through'`);
  const tail = await one(conn, TAIL_SQL);
  const runs = (
    await conn.runAndReadAll(
      `SELECT c.period, c.runs FROM compaction c
        WHERE c.period IN (SELECT DISTINCT CAST(floor(ts / ${PERIOD_MS}) AS BIGINT) FROM events WHERE received > ${since})
        ORDER BY c.period`,
    )
  )
    .getRowObjectsJS()
    .map((r) => ({ period: Number(r['period']), runs: Number(r['runs']) }));
  return { watermark, tail, runs };
}

/** What an ingest run left in a store file: its rows (received after `since`), once each, and the compaction state. */
export interface IngestCheck {
  stored: number;
  /** Distinct (org, id) among them: equal to `stored` when no event is stored twice. */
  unique: number;
  state: CompactionState;
}

/** The greatest `received` in a store file: ingest after it stamps higher (compaction.ts). */
export async function maxReceivedOf(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return await one(conn, 'SELECT max(received) FROM events');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Read the rows received after `since` and the compaction state from a (closed) store file. */
export async function ingestCheck(path: string, since: number): Promise<IngestCheck> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const r = (
      await conn.runAndReadAll(
        `SELECT count(*) AS n, count(DISTINCT (org, id)) AS u FROM events WHERE received > ${since}`,
      )
    ).getRowObjectsJS()[0]!;
    return { stored: Number(r['n']), unique: Number(r['u']), state: await compactionState(conn, since) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
