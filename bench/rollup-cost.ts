/**
 * `npx tsx bench/rollup-cost.ts --store <file>`: what the DuckDB store's actor rollup
 * (src/store/duckdb/rollup.ts) costs on a copy of a compacted store: its rows next to
 * the events', its blocks on disk, and the time to rebuild it from events (the
 * migration's work on a file from before it) and to fold its runs into one. Each
 * timing is taken `--runs` times on the same copy; docs/benchmarks.md has the figures.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { foldRollup, rebuildRollup } from '../src/store/duckdb/rollup.js';

const BLOCK_BYTES = 262_144;

async function one(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = (await conn.runAndReadAll(sql)).getColumnsJS();
  return Number(rows[0]![0]);
}

async function timed(runs: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    out.push(Math.round(performance.now() - t));
  }
  return out;
}

const o = new Command()
  .requiredOption('--store <file>', 'a compacted store (it is copied, never changed)')
  .option('--runs <n>', 'timings of each step', '3')
  .parse()
  .opts<{ store: string; runs: string }>();

const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-cost-'));
try {
  const file = join(dir, 'store.duckdb');
  copyFileSync(o.store, file);
  const instance = await DuckDBInstance.create(file, { threads: '2' });
  const conn = await instance.connect();
  const blocks = async (table: string): Promise<number> =>
    one(conn, `SELECT count(DISTINCT block_id) FROM pragma_storage_info('${table}') WHERE block_id >= 0`);
  const runs = Number(o.runs);
  const rebuildMs = await timed(runs, () => rebuildRollup(conn));
  await conn.run('CHECKPOINT');
  const foldMs = await timed(runs, () => foldRollup(conn));
  await conn.run('CHECKPOINT');
  const report = {
    file: o.store,
    fileMiB: Math.round(statSync(o.store).size / 2 ** 20),
    events: await one(conn, 'SELECT count(*) FROM events'),
    eventsWithActor: await one(conn, 'SELECT count(*) FROM events WHERE actor IS NOT NULL'),
    rollupRows: await one(conn, 'SELECT count(*) FROM actor_rollup'),
    eventsBlocksMiB: ((await blocks('events')) * BLOCK_BYTES) / 2 ** 20,
    rollupBlocksMiB: ((await blocks('actor_rollup')) * BLOCK_BYTES) / 2 ** 20,
    rebuildMs,
    foldMs,
  };
  console.log(JSON.stringify(report, null, 2));
  conn.closeSync();
  instance.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
