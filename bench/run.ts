/**
 * `npm run bench`: generate (or reuse) the seeded dataset (time order), compact a copy
 * of it once with the store's own compaction (the layout Tally keeps, `tally`), then
 * measure, in one run, queries on that layout and on the fully clustered one (Tally
 * over HTTP and in-process vs hand-written SQL on the same file), other layouts and
 * compaction costs (--only layouts / compaction), ingest into the compacted store (HTTP
 * with its background compaction, and in-process with a per-commit profile, vs the
 * direct Appender) and, with --with-postgres, plain PostgreSQL; write bench/RESULTS.md.
 * See docs/benchmarks.md for the options.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDBInstance } from '@duckdb/node-api';
import { clickhouseBench } from './clickhouse.js';
import { ensureDataset } from './dataset.js';
import { DEFAULT_PARAMS, type DatasetParams } from './gen/model.js';
import { ALL_QUERIES, targets } from './queries/index.js';
import { NATIVE_QUERIES } from './queries/native.js';
import { writeReport } from './report.js';
import { describeMachine, load, type BenchResults, type CaseRow, type LayoutFigures } from './results.js';
import { directIngest, httpIngest, sliceEvents } from './phases/ingest.js';
import { profileIngest } from './phases/ingest-profile.js';
import { compactionCosts, layouts, orgKeyExperiment, rewriteStore, rowsScanned } from './phases/layout.js';
import { ingestPostgres, loadPostgres, queryPostgres, startPostgres } from './phases/postgres.js';
import { caseKey, handAnswers, runQueries, type CaseFigures, type QueryCase } from './phases/query.js';
import { initialCompaction, tailOf } from './phases/upkeep.js';

const PHASES = ['queries', 'layouts', 'compaction', 'ingest'] as const;

/** The layout the store keeps (the initial compaction's result); the report's "current layout". */
const TALLY_LAYOUT =
  'as the store keeps it: sorted runs per 30-day period, closed periods merged into one run';
/** Layouts measured with every case and the real server; the others get the native queries in-process. */
const FULL_SUITE = new Set(['tally', 'sorted']);

const program = new Command()
  .name('npm run bench --')
  .option(
    '--events <n>',
    'events in the dataset (1000000 quick, 100000000 opt-in)',
    String(DEFAULT_PARAMS.events),
  )
  .option('--seed <n>', 'generator seed', String(DEFAULT_PARAMS.seed))
  .option('--runs <n>', 'timed runs per query, after one warm-up', '30')
  .option('--ingest <n>', 'events in the ingest slice (default: 1,000,000, at most a quarter of the dataset)')
  .option('--no-cache', 'regenerate the dataset even if a cached file exists')
  .option('--cache-dir <dir>', 'where generated stores are kept', join(import.meta.dirname, '.cache'))
  .option('--only <phases>', `comma-separated subset of ${PHASES.join(',')}`)
  .option('--queries <ids>', 'comma-separated query ids to measure (e.g. F0,F1); default: every query')
  .option('--with-postgres', 'also load and query a private PostgreSQL 15')
  .option(
    '--store <engine>',
    'duckdb (every phase) or clickhouse (load, queries, dedupe lookup only)',
    'duckdb',
  )
  .option(
    '--clickhouse-url <url>',
    'with --store clickhouse: the server (http://[user:password@]host:8123); default $TALLY_TEST_CLICKHOUSE_URL',
  )
  .option('--out <file>', 'the report', join(import.meta.dirname, 'RESULTS.md'))
  .option('--report-from <json>', 'only render the report from a saved results-*.json');

function log(msg: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function orgEvents(path: string, ids: string[]): Promise<Record<string, Record<string, number>>> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const out: Record<string, Record<string, number>> = {};
  try {
    const rows = (
      await conn.runAndReadAll(
        `SELECT org, type, count(*) AS n FROM events WHERE org IN (${ids.map((i) => `'${i}'`).join(', ')}) GROUP BY ALL`,
      )
    ).getRowObjectsJS();
    for (const r of rows) (out[r['org'] as string] ??= {})[r['type'] as string] = Number(r['n']);
    const rg = await conn.runAndReadAll(
      `SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('events')`,
    );
    out['_rowGroups'] = { events: Number(rg.getColumnsJS()[0]![0]) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}

function rows(cases: QueryCase[], figs: Map<string, CaseFigures>): CaseRow[] {
  return cases.map((c) => ({
    ...(figs.get(caseKey(c)) ?? { faults: ['not measured'] }),
    id: c.query.id,
    title: c.query.title,
    surface: c.query.surface,
    org: c.org.id,
    label: c.org.label,
  }));
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Record<string, string | boolean | undefined>>();
  if (typeof o['reportFrom'] === 'string') {
    writeReport(String(o['out']), JSON.parse(readFileSync(o['reportFrom'], 'utf8')) as BenchResults);
    log(`wrote ${String(o['out'])} from ${o['reportFrom']}`);
    return;
  }
  if (o['store'] !== 'duckdb' && o['store'] !== 'clickhouse')
    throw new Error(`--store: duckdb or clickhouse, not ${String(o['store'])}`);
  const p: DatasetParams = { ...DEFAULT_PARAMS, events: Number(o['events']), seed: Number(o['seed']) };
  const runs = Number(o['runs']);
  const only = new Set(typeof o['only'] === 'string' ? o['only'].split(',') : PHASES);
  const slice = Number(o['ingest'] ?? Math.min(1_000_000, Math.floor(p.events / 4)));
  const results: BenchResults = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date().toISOString(),
    finishedAt: '',
    load: { start: load(), end: [] },
    machine: describeMachine(),
    params: p,
    runs,
    dataset: undefined as unknown as BenchResults['dataset'],
    layouts: [],
    compaction: [],
    notes: [],
  };
  log(`load average ${results.load.start.join(' ')}; ${results.machine.cpus} cores`);
  const ds = await ensureDataset(String(o['cacheDir']), p, { rebuild: o['cache'] === false, log });
  if (o['store'] === 'clickhouse') {
    const base = o['clickhouseUrl'] ?? process.env['TALLY_TEST_CLICKHOUSE_URL'];
    if (typeof base !== 'string' || base === '')
      throw new Error('--store clickhouse needs --clickhouse-url or TALLY_TEST_CLICKHOUSE_URL');
    const out = String(o['out']);
    await clickhouseBench({
      base: base.replace(/\/+$/, ''),
      command: results.command,
      dataset: ds,
      runs,
      out:
        out === join(import.meta.dirname, 'RESULTS.md')
          ? join(import.meta.dirname, 'RESULTS-clickhouse.md')
          : out,
      log,
    });
    return;
  }
  const work = join(ds.dir, 'work');
  mkdirSync(work, { recursive: true });
  const orgs = targets(p);
  results.dataset = {
    ...ds.info,
    cached: ds.cached,
    orgEvents: await orgEvents(
      ds.path,
      orgs.map((t) => t.id),
    ),
  };
  const frame = { end: p.end };
  const picked = typeof o['queries'] === 'string' ? new Set(o['queries'].split(',')) : null;
  const chosen = (qs: typeof ALL_QUERIES): typeof ALL_QUERIES =>
    qs.filter((q) => !picked || picked.has(q.id));
  const allCases = orgs.flatMap((org) => chosen(ALL_QUERIES).map((query) => ({ query, org })));
  const nativeCases = orgs.flatMap((org) => chosen(NATIVE_QUERIES).map((query) => ({ query, org })));

  // The store's layout: the time-ordered file compacted once by the store (not cached: timed every run).
  const tallyFile = join(ds.dir, 'tally.duckdb');
  log('initial compaction: the time-ordered store compacted once by DuckDbStore.compact()');
  const ic = await initialCompaction(ds.path, tallyFile);
  results.initialCompaction = ic;
  log(
    `  ${ic.seconds.toFixed(1)} s: ${ic.rows.toLocaleString('en')} rows in ${ic.periods} periods, ${ic.rowGroups} row groups`,
  );

  // Layout files: the store's (tally), the base (time order, only with --only layouts) and rewrites.
  const specs = layouts(p.end, Math.max(100_000, Math.round(p.events / 10 / 100_000) * 100_000));
  const files = new Map<string, string>([
    ['tally', tallyFile],
    ['time', ds.path],
  ]);
  results.layouts.push({
    name: 'tally',
    description: TALLY_LAYOUT,
    rewriteSeconds: ic.seconds,
    bytes: 0,
    rowGroups: 0,
    cases: [],
    rowsScanned: {},
  });
  const wanted = only.has('layouts') ? specs : specs.filter((l) => l.name === 'sorted');
  for (const l of wanted) {
    if (l.orderBy === null) {
      results.layouts.push({
        name: l.name,
        description: l.description,
        rewriteSeconds: null,
        bytes: 0,
        rowGroups: 0,
        cases: [],
        rowsScanned: {},
      });
      continue;
    }
    if (!only.has('queries') && !only.has('layouts')) continue;
    const file = join(ds.dir, `layout-${l.name}.duckdb`);
    log(`rewriting events in layout ${l.name}`);
    const seconds = await rewriteStore(ds.path, file, l.orderBy);
    files.set(l.name, file);
    results.layouts.push({
      name: l.name,
      description: l.description,
      rewriteSeconds: seconds,
      bytes: 0,
      rowGroups: 0,
      cases: [],
      rowsScanned: {},
    });
  }

  for (const lf of results.layouts) {
    const file = files.get(lf.name)!;
    lf.bytes = statSync(file).size;
    const full = FULL_SUITE.has(lf.name);
    if (!only.has('queries') && !(only.has('layouts') && !full)) continue;
    const cases = full ? allCases : nativeCases;
    if (full) {
      // The real server must not start a compaction under the measurements: it does only with a tail.
      const tail = await tailOf(file);
      if (tail !== 0)
        throw new Error(`layout ${lf.name}: ${tail} unsorted rows; the server would compact them`);
    }
    log(`queries on layout ${lf.name} (${cases.length} cases${full ? ', with the real server' : ''})`);
    const q = await runQueries(file, work, cases, frame, runs, full);
    lf.cases = rows(cases, q.figures);
    if (q.server) lf.server = q.server;
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    lf.rowGroups = Number(
      (
        await conn.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('events')`)
      ).getColumnsJS()[0]![0],
    );
    for (const c of nativeCases)
      lf.rowsScanned[caseKey(c)] = await rowsScanned(
        conn,
        c.query.duck(c.org, frame)[0]!,
        join(work, 'profile.json'),
      );
    conn.closeSync();
    instance.closeSync();
    results.notes.push(...faultNotes(lf));
  }

  const sortedFile = files.get('sorted');
  if (only.has('layouts') && sortedFile) {
    log('integer org key prototype (clustered layout)');
    const ids = [...new Set([...orgs.map((t) => t.id), '2'])];
    const figures = await orgKeyExperiment(sortedFile, join(work, 'orgkey.duckdb'), ids, p.end);
    results.orgKey = { figures, load: load(), at: new Date().toISOString() };
  }

  if (only.has('compaction')) {
    log('compaction costs (in place, on a copy)');
    const copy = join(work, 'compaction.duckdb');
    copyFileSync(ds.path, copy);
    rmSync(`${copy}.wal`, { force: true });
    results.compaction = await compactionCosts(copy, p.end, [1, 7, 30]);
  }

  if (only.has('ingest')) {
    log(`ingest: ${slice.toLocaleString('en')} new events`);
    const events = sliceEvents(p, slice);
    results.load.ingest = load();
    const direct = [
      await directIngest(ds.path, join(work, 'direct.duckdb'), events, 'appender+insert'),
      // MAP values through the Appender are an order of magnitude slower: a bounded sub-slice.
      await directIngest(ds.path, join(work, 'direct.duckdb'), events.slice(0, 100_000), 'appender-map'),
    ];
    log('ingest: store profile in-process (compacted store, upkeep on)');
    const profile = await profileIngest(tallyFile, join(work, 'profile.duckdb'), events);
    log('ingest: real server over HTTP (compacted store)');
    const http = await httpIngest(tallyFile, join(work, 'http.duckdb'), events);
    results.ingest = { slice, http, direct, profile };
  }

  if (o['withPostgres'] === true) await postgres(results, p, allCases, frame, runs, slice, tallyFile);

  rmSync(work, { recursive: true, force: true });
  // The compacted and rewritten files are made (and timed) by every run; only the base file is cached.
  for (const [name, file] of files)
    if (name !== 'time') for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  results.load.end = load();
  results.finishedAt = new Date().toISOString();
  writeFileSync(
    join(ds.dir, `results-${results.startedAt.replaceAll(':', '-')}.json`),
    JSON.stringify(results, null, 1),
  );
  writeReport(String(o['out']), results);
  log(`wrote ${String(o['out'])}`);
}

function faultNotes(lf: LayoutFigures): string[] {
  return lf.cases.flatMap((c) => c.faults.map((f) => `${c.id}/${c.label} on ${lf.name}: ${f}`));
}

async function postgres(
  results: BenchResults,
  p: DatasetParams,
  cases: QueryCase[],
  frame: { end: number },
  runs: number,
  slice: number,
  duckFile: string,
): Promise<void> {
  log('postgres: start, load by COPY');
  const answers = await handAnswers(duckFile, cases, frame);
  const server = await startPostgres();
  try {
    const loaded = await loadPostgres(server, p);
    log('postgres: queries');
    const q = await queryPostgres(server, cases, frame, runs, answers);
    log('postgres: ingest slice');
    const ingest = await ingestPostgres(server, sliceEvents(p, slice));
    results.postgres = {
      load: loaded,
      ingest,
      queries: Object.fromEntries(q.figures),
      backendPeak: q.backendPeak,
    };
  } finally {
    server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
