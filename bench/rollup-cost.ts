/**
 * `npx tsx bench/rollup-cost.ts --store <file> [--compact]`: what the DuckDB store's actor rollup
 * (src/store/duckdb/rollup.ts) costs on a copy of a compacted store (with `--compact`, a
 * time-ordered one such as the bench's cached base.duckdb, compacted first by the store): its rows next to
 * the events', its blocks on disk, and the time to rebuild it from events (the
 * migration's work on a file from before it) and to fold its runs into one. Each
 * timing is taken `--runs` times on the same copy. Then what it gains: distinct-actor
 * plans run in-process through the core runner, with and without the rollup, the two
 * alternating run by run so that a shared machine's load falls on both alike
 * (`--ab` rounds). docs/benchmarks.md has the figures.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { makeQuery, type Query } from '../src/core/query/plan.js';
import { runQuery } from '../src/core/query/run.js';
import { FOLD_CHUNK_ROWS, orgChunks, readWatermark } from '../src/store/duckdb/compaction.js';
import { migrate } from '../src/store/duckdb/migrate.js';
import { fetchRows } from '../src/store/duckdb/query.js';
import { foldOrgs, rebuildRollup, rollupOrgCounts } from '../src/store/duckdb/rollup.js';
import { DuckDbStore } from '../src/store/duckdb/store.js';

const DAY = 86_400_000;

/** Q1 (rolling 30-day distinct activity actors by day over a year) and VIKTOR's monthly users. */
function plans(org: string, end: number): [string, Query][] {
  const unique: Query['aggregation'] = { fn: 'unique', of: [{ kind: 'actor' }] };
  const q1 = makeQuery({
    orgs: [org],
    types: ['activity'],
    range: { from: end - 365 * DAY, to: end },
    aggregation: unique,
    window: { kind: 'rolling', unit: 'day', size: 30 },
  });
  const viktor = makeQuery({
    orgs: [org],
    types: ['activity'],
    range: { from: end - 90 * DAY, to: end },
    bucket: 'month',
    aggregation: unique,
    filters: [{ field: { kind: 'actor_kind' }, op: 'in', values: ['user', 'developer'] }],
  });
  return [
    ['Q1 UTC', q1],
    ['Q1 Asia/Kathmandu', { ...q1, timezone: 'Asia/Kathmandu' }],
    ['VIKTOR monthly users (one org)', viktor],
  ];
}

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

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
  .option('--compact', 'compact the copy first, as the store does once writes pause')
  .option('--ab <n>', 'alternating rounds of each plan with and without the rollup', '15')
  .option('--orgs <ids>', 'orgs to query (the largest and the median of the bench dataset)', '1,500')
  .option('--end <ms>', 'the dataset end (epoch ms)', String(Date.UTC(2026, 10, 23)))
  .parse()
  .opts<{ store: string; runs: string; ab: string; orgs: string; end: string; compact?: boolean }>();

/** p50 ms of each plan with the rollup and without, alternating; and whether the answers agree. */
async function abQueries(conn: DuckDBConnection): Promise<Record<string, unknown>[]> {
  const orgNos = new Map<string, number>();
  for (const r of (await conn.runAndReadAll('SELECT id, no FROM orgs')).getRowObjectsJS())
    orgNos.set(r['id'] as string, Number(r['no']));
  const through = await readWatermark(conn);
  const out: Record<string, unknown>[] = [];
  for (const org of o.orgs.split(','))
    for (const [name, q] of plans(org, Number(o.end))) {
      const run = (w: number | null): Promise<unknown> =>
        runQuery(q, Number(o.end), (r) => fetchRows(conn, r, { orgNos }, null, w));
      const same = JSON.stringify(await run(through)) === JSON.stringify(await run(null));
      const on: number[] = [];
      const off: number[] = [];
      for (let k = 0; k < Number(o.ab); k++)
        for (const [w, into] of [
          [through, on],
          [null, off],
        ] as const) {
          const t = performance.now();
          await run(w);
          into.push(performance.now() - t);
        }
      out.push({ org, name, same, onP50: p50(on), offP50: p50(off), ratio: p50(on) / p50(off) });
    }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-cost-'));
try {
  const file = join(dir, 'store.duckdb');
  copyFileSync(o.store, file);
  let compactMs: number | null = null;
  if (o.compact) {
    const store = await DuckDbStore.open({ path: file, upkeep: false });
    await store.init();
    const t = performance.now();
    await store.compact({ mergeClosed: true });
    compactMs = Math.round(performance.now() - t);
    await store.close();
    rmSync(`${file}.dedupe`, { force: true });
  }
  const instance = await DuckDBInstance.create(file, { threads: '2' });
  const conn = await instance.connect();
  const blocks = async (table: string): Promise<number> =>
    one(conn, `SELECT count(DISTINCT block_id) FROM pragma_storage_info('${table}') WHERE block_id >= 0`);
  const runs = Number(o.runs);
  // A file from before the rollup gets it here, as the store's migration builds it (else a no-op).
  const migrateMs = await timed(1, () => migrate(conn));
  const rebuildMs = await timed(runs, () => rebuildRollup(conn));
  await conn.run('CHECKPOINT');
  // The fold as an idle pass runs it: whole orgs of at most FOLD_CHUNK_ROWS rows a transaction.
  const foldMs = await timed(runs, async () => {
    for (const [first, last] of orgChunks(await rollupOrgCounts(conn), FOLD_CHUNK_ROWS))
      await foldOrgs(conn, first, last);
  });
  await conn.run('CHECKPOINT');
  const report = {
    file: o.store,
    fileMiB: Math.round(statSync(o.store).size / 2 ** 20),
    events: await one(conn, 'SELECT count(*) FROM events'),
    eventsWithActor: await one(conn, 'SELECT count(*) FROM events WHERE actor IS NOT NULL'),
    rollupRows: await one(conn, 'SELECT count(*) FROM actor_rollup'),
    eventsBlocksMiB: ((await blocks('events')) * BLOCK_BYTES) / 2 ** 20,
    rollupBlocksMiB: ((await blocks('actor_rollup')) * BLOCK_BYTES) / 2 ** 20,
    compactMs,
    migrateMs,
    rebuildMs,
    foldMs,
    queries: await abQueries(conn),
  };
  console.log(JSON.stringify(report, null, 2));
  conn.closeSync();
  instance.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
