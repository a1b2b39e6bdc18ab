/**
 * `npx tsx bench/dialect-ab.ts --store <compacted store> --base <another checkout>`: this
 * checkout's DuckDB query engine against another's (e.g. main), in one process on one
 * read-only connection, the two alternating run by run so that a shared machine's load falls
 * on both alike. Each plan runs through each checkout's own core runner and dialect, with the
 * actor rollup as served (its watermark read from the file). Reports p50 and p95 of wall time
 * and p50 of the process's CPU time (both DuckDB threads), which moves less with other load
 * than wall time does; and whether the two answers are equal (they must be).
 * For when the full benchmark (bench/run.ts) cannot run; it has no HTTP and no hand SQL. Both
 * checkouts must take the store's layout as an object (Layout, since dim columns); with
 * --base-without-dim-columns the base reads every dim from the map (A/B of dim-columns.ts).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { makeQuery, type Query } from '../src/core/query/plan.js';
import type * as RunModule from '../src/core/query/run.js';
import type * as QueryModule from '../src/store/duckdb/query.js';
import { actorPlans } from '../src/compat/viktor/params.js';
import { readWatermark } from '../src/store/duckdb/compaction.js';
import type { Layout } from '../src/store/duckdb/dialect-expr.js';
import { percentile } from './lib/timing.js';

const DAY = 86_400_000;

/** The engine of one checkout: its runner and its DuckDB fetch. */
interface Engine {
  run: (q: Query, conn: DuckDBConnection, layout: Layout, through: number) => Promise<unknown>;
}

async function engineOf(root: string): Promise<Engine> {
  const { runQuery } = (await import(`${root}/src/core/query/run.ts`)) as typeof RunModule;
  const { fetchRows } = (await import(`${root}/src/store/duckdb/query.ts`)) as typeof QueryModule;
  return {
    run: (q, conn, layout, through) => runQuery(q, END, (r) => fetchRows(conn, r, layout, null, through)),
  };
}

const o = new Command()
  .requiredOption('--store <file>', 'a compacted store (opened read-only)')
  .requiredOption('--base <dir>', 'the other checkout (its node_modules resolvable)')
  .option('--runs <n>', 'timed rounds (after one warm-up)', '15')
  .option('--base-without-dim-columns', "the base reads dims from the map, not the file's dim columns")
  .option('--orgs <ids>', 'orgs (the largest and the median of the bench dataset)', '1,500')
  .option('--end <ms>', 'the dataset end (epoch ms)', String(Date.UTC(2026, 10, 23)))
  .parse()
  .opts<{
    store: string;
    base: string;
    runs: string;
    orgs: string;
    end: string;
    baseWithoutDimColumns?: boolean;
  }>();
const END = Number(o.end);

/** The org and its sub-orgs (VIKTOR's org_domain covers the subtree). */
async function subtree(conn: DuckDBConnection, root: string): Promise<string[]> {
  const rows = (await conn.runAndReadAll('SELECT id, parent FROM orgs')).getRowObjectsJS();
  const out = [root];
  // Breadth first: `out` grows while it is walked.
  for (const id of out) for (const r of rows) if (r['parent'] === id) out.push(r['id'] as string);
  return out;
}

/** Q1 (bench/queries/native.ts) and VIKTOR users' two activity plans over 90 days. */
function plans(org: string, orgs: string[]): [string, Query][] {
  const q1 = makeQuery({
    orgs: [org],
    types: ['activity'],
    range: { from: END - 365 * DAY, to: END },
    aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
    window: { kind: 'rolling', unit: 'day', size: 30 },
  });
  const vk = actorPlans({ statsType: 'users', fromDay: END - 90 * DAY, toDay: END, orgDomain: null }, orgs);
  // F1's calls metric (bench/queries/features.ts): a filter tree on two dims.
  const endpoint = { kind: 'dim', key: 'endpoint' } as const;
  const calls = makeQuery({
    orgs: [org],
    types: ['api.request'],
    range: { from: END - 90 * DAY, to: END },
    filters: [
      {
        or: [
          { field: endpoint, op: 'regex', values: ['^/api/v1/assets/'] },
          { field: endpoint, op: 'contains', values: ['search'] },
        ],
      },
      { not: { field: { kind: 'dim', key: 'service' }, op: 'eq', values: ['transcode'] } },
    ],
  });
  return [
    ['Q1', q1],
    ['F1 calls (filter tree on dims)', calls],
    ['VIKTOR monthly (subtree)', vk.monthly],
    ['VIKTOR daily (subtree)', vk.daily],
  ];
}

async function timed(f: () => Promise<unknown>): Promise<{ wall: number; cpu: number; answer: string }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const answer = JSON.stringify(await f());
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, answer };
}

const engines: [string, Engine][] = [
  ['this', await engineOf(resolve(import.meta.dirname, '..'))],
  ['base', await engineOf(resolve(o.base))],
];
const instance = await DuckDBInstance.create(o.store, { access_mode: 'READ_ONLY', threads: '2' });
const conn = await instance.connect();
const orgNos = new Map<string, number>();
for (const r of (await conn.runAndReadAll('SELECT id, no FROM orgs')).getRowObjectsJS())
  orgNos.set(r['id'] as string, Number(r['no']));
const dimCols = new Map<string, string>();
for (const r of (await conn.runAndReadAll('SELECT key, col FROM dim_columns')).getRowObjectsJS())
  dimCols.set(r['key'] as string, r['col'] as string);
const layouts: Record<string, Layout> = {
  this: { orgNos, dimCols },
  base: o.baseWithoutDimColumns ? { orgNos } : { orgNos, dimCols },
};
const through = await readWatermark(conn);
const load0 = loadavg();
const report: Record<string, unknown>[] = [];
for (const org of o.orgs.split(','))
  for (const [name, q] of plans(org, await subtree(conn, org))) {
    const wall: Record<string, number[]> = { this: [], base: [] };
    const cpu: Record<string, number[]> = { this: [], base: [] };
    const answers = new Set<string>();
    for (let k = 0; k <= Number(o.runs); k++)
      for (const [label, e] of k % 2 === 0 ? engines : [...engines].reverse()) {
        const t = await timed(() => e.run(q, conn, layouts[label]!, through));
        answers.add(t.answer);
        if (k === 0) continue;
        wall[label]!.push(t.wall);
        cpu[label]!.push(t.cpu);
      }
    const p = (xs: number[], q: number): number => Math.round(percentile(xs, q) * 10) / 10;
    const row: Record<string, unknown> = {
      org,
      plan: name,
      equal: answers.size === 1,
      ...Object.fromEntries(
        ['this', 'base'].flatMap((l): [string, unknown][] => [
          [`${l} wall p50/p95`, `${p(wall[l]!, 50)} / ${p(wall[l]!, 95)}`],
          [`${l} cpu p50`, p(cpu[l]!, 50)],
        ]),
      ),
      'wall p50 this ÷ base':
        Math.round((percentile(wall['this']!, 50) / percentile(wall['base']!, 50)) * 100) / 100,
      'cpu p50 this ÷ base':
        Math.round((percentile(cpu['this']!, 50) / percentile(cpu['base']!, 50)) * 100) / 100,
    };
    report.push(row);
    console.error(JSON.stringify(row));
  }
console.log(
  JSON.stringify(
    {
      store: o.store,
      base: o.base,
      runs: Number(o.runs),
      load: [load0, loadavg()],
      report,
    },
    null,
    2,
  ),
);
conn.closeSync();
instance.closeSync();
