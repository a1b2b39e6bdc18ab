/**
 * `npm run bench -- --store clickhouse`: the cached dataset loaded into a ClickHouse
 * server (Tally's schema), every query case over HTTP against hand-written ClickHouse
 * SQL, and a commit's dedupe lookup at the largest org; writes the report (--out) and
 * the figures as JSON next to the dataset. The DuckDB phases do not run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetInfo } from './dataset.js';
import type { DatasetParams } from './gen/model.js';
import { ALL_QUERIES, targets } from './queries/index.js';
import { describeMachine, load, type Machine } from './results.js';
import { BENCH_DATABASE, loadClickHouse, post, type ChLoad } from './phases/clickhouse-load.js';
import {
  dedupeLookup,
  queryClickHouse,
  type ChCaseFigures,
  type LookupFigures,
} from './phases/clickhouse.js';
import { caseKey, handAnswers } from './phases/query.js';
import { writeClickHouseReport } from './report-clickhouse.js';

export interface ChCaseRow extends ChCaseFigures {
  id: string;
  title: string;
  org: string;
  label: string;
}

export interface ChResults {
  command: string;
  startedAt: string;
  finishedAt: string;
  load: { start: number[]; queries: number[]; end: number[] };
  machine: Machine;
  clickhouse: string;
  params: DatasetParams;
  runs: number;
  dataset: DatasetInfo;
  loaded: ChLoad;
  serverStartMs: number;
  cases: ChCaseRow[];
  lookup: LookupFigures[];
  lookupError?: string;
}

export async function clickhouseBench(opts: {
  base: string;
  command: string;
  dataset: { dir: string; path: string; info: DatasetInfo };
  runs: number;
  out: string;
  log: (msg: string) => void;
}): Promise<void> {
  const { base, dataset, runs, log } = opts;
  const p = dataset.info.params;
  const r: Partial<ChResults> = {
    command: opts.command,
    startedAt: new Date().toISOString(),
    load: { start: load(), queries: [], end: [] },
    machine: describeMachine(),
    clickhouse: (await post(base, 'SELECT version()')).trim(),
    params: p,
    runs,
    dataset: dataset.info,
  };
  log(`clickhouse ${r.clickhouse} at ${base}: loading into database ${BENCH_DATABASE}`);
  const work = join(dataset.dir, 'work-ch');
  mkdirSync(work, { recursive: true });
  try {
    r.loaded = await loadClickHouse(base, BENCH_DATABASE, dataset.path, work, log);
    const orgs = targets(p);
    const cases = orgs.flatMap((org) => ALL_QUERIES.map((query) => ({ query, org })));
    const frame = { end: p.end };
    log('DuckDB hand SQL answers (the reference for the ClickHouse hand SQL)');
    const duck = await handAnswers(dataset.path, cases, frame);
    r.load!.queries = load();
    log(`queries: ${cases.length} cases, ${runs} runs each, load ${r.load!.queries.join(' ')}`);
    const q = await queryClickHouse(base, BENCH_DATABASE, cases, frame, runs, duck);
    r.serverStartMs = q.startMs;
    r.cases = cases.map((c) => ({
      ...(q.figures.get(caseKey(c)) ?? { faults: ['not measured'], handVsDuck: [] }),
      id: c.query.id,
      title: c.query.title,
      org: c.org.id,
      label: c.org.label,
    }));
    log('dedupe lookup at the largest org');
    try {
      r.lookup = await dedupeLookup(base, BENCH_DATABASE, orgs[0]!.id, p);
    } catch (err) {
      // The query figures stand without it; the report says what failed.
      r.lookup = [];
      r.lookupError = String(err);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  r.load!.end = load();
  r.finishedAt = new Date().toISOString();
  const results = r as ChResults;
  writeFileSync(
    join(dataset.dir, `results-clickhouse-${results.startedAt.replaceAll(':', '-')}.json`),
    JSON.stringify(results, null, 1),
  );
  writeClickHouseReport(opts.out, results);
  // The shared server keeps nothing of the run (the JSON holds every figure).
  await post(base, `DROP DATABASE IF EXISTS ${BENCH_DATABASE}`);
  log(`wrote ${opts.out}`);
}
