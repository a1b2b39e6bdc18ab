/**
 * Builds the benchmark's DuckDB store file, cached by parameters: the store's own
 * schema (DuckDbStore.init), the orgs, then the event stream bulk-loaded in time
 * order through TSV chunks and read_csv (dims cast from JSON exactly as the store's
 * commit does), then the actors table derived from the events (first_seen = first
 * event; kinds, names and a few deletions from the model). Generation of chunk k+1
 * overlaps DuckDB's load of chunk k; nothing holds more than one chunk in memory.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DuckDbStore } from '../src/store/duckdb/store.js';
import { EventGenerator, datasetStream, tsvLine } from './gen/events.js';
import { DAY_MS, buildOrgs, paramsKey, type DatasetParams } from './gen/model.js';

/** Events per TSV chunk: one chunk is generated while DuckDB loads the previous one. */
export const CHUNK = 1_000_000;

/** What a build recorded, kept next to the file as meta.json. */
export interface DatasetInfo {
  key: string;
  params: DatasetParams;
  events: number;
  actors: number;
  orgs: number;
  buildSeconds: number;
  bytes: number;
}

/** Columns of the bulk-load TSV, in order (see tsvLine). */
export const TSV_COLUMNS =
  "{'org': 'VARCHAR', 'type': 'VARCHAR', 'ts': 'BIGINT', 'id': 'VARCHAR', 'actor': 'VARCHAR', 'value': 'DOUBLE', 'dims': 'VARCHAR', 'received': 'BIGINT'}";

/**
 * INSERT of one TSV file into `table`, with the store's own JSON-to-MAP cast; org `k`'s number is k
 * (insertOrgs). The path is ours, never input.
 */
export function loadTsvSql(path: string, table = 'events'): string {
  return `INSERT INTO ${table} SELECT org, type, ts, id, actor, value, CAST(dims::JSON AS MAP(VARCHAR, VARCHAR)), received,
      CAST(org AS INTEGER)
    FROM read_csv('${path}', delim = '\t', quote = '', escape = '', header = false, nullstr = '\\N',
      auto_detect = false, columns = ${TSV_COLUMNS})`;
}

/** The actors table from the events: kind by id, names for people, 2 % of users deleted 120 days in. */
export function actorsSql(end: number): string {
  return `INSERT INTO actors (org, id, kind, created_at, deleted_at, first_name, last_name, props, first_seen)
    SELECT org, actor,
      CASE WHEN actor LIKE 'd%' THEN 'device'
           WHEN CAST(substr(actor, 2) AS BIGINT) % 5 = 0 THEN 'developer' ELSE 'user' END,
      NULL,
      CASE WHEN actor LIKE 'u%' AND CAST(substr(actor, 2) AS BIGINT) % 50 = 7 AND min(ts) + ${120 * DAY_MS} < ${end}
           THEN min(ts) + ${120 * DAY_MS} END,
      CASE WHEN actor LIKE 'u%' THEN 'First' || substr(actor, 2) END,
      CASE WHEN actor LIKE 'u%' THEN 'Last' || substr(actor, 2) END,
      '{}', min(ts)
    FROM events WHERE actor IS NOT NULL GROUP BY org, actor`;
}

/**
 * Create an empty store file with the current schema (the store's own migrations), without dim
 * columns: the bulk load and the layouts copy the schema's own columns, and a store opening the
 * file adds and backfills its configured dim columns (dim-columns.ts), as on an upgrade.
 */
export async function createEmptyStore(path: string): Promise<void> {
  const store = await DuckDbStore.open({ path, dimColumns: [] });
  await store.init();
  await store.close();
}

async function insertOrgs(conn: DuckDBConnection, p: DatasetParams): Promise<void> {
  const created = p.end - p.days * DAY_MS - 30 * DAY_MS;
  const app = await conn.createAppender('orgs');
  for (const o of buildOrgs(p)) {
    // Org k is number k (hand-written SQL filters on org_no as Tally's scans do; see queries/types.ts).
    if (!/^[1-9]\d*$/.test(o.id)) throw new Error(`unexpected org id ${o.id}`);
    app.appendVarchar(o.id);
    app.appendVarchar(`Org ${o.id}`);
    if (o.parent === null) app.appendNull();
    else app.appendVarchar(o.parent);
    app.appendVarchar(o.domain);
    app.appendVarchar(o.timezone);
    app.appendBigInt(BigInt(created));
    app.appendInteger(Number(o.id));
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
}

/** Write the next `n` events of `gen` to a TSV file; returns how many were written. */
export function writeChunk(gen: EventGenerator, path: string, n: number): number {
  const fd = openSync(path, 'w');
  let buf = '';
  let k = 0;
  for (; k < n; k++) {
    const e = gen.next();
    if (e === null) break;
    buf += tsvLine(e, e.ts + 2000);
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  return k;
}

/**
 * Load the dataset's events into the `events` table of an open connection, in stream
 * (= time) order. Returns the number of events loaded.
 */
export async function loadEvents(
  conn: DuckDBConnection,
  p: DatasetParams,
  scratch: string,
  log: (msg: string) => void = () => undefined,
): Promise<number> {
  const gen = new EventGenerator(p, datasetStream(p));
  let loading: Promise<unknown> = Promise.resolve();
  let total = 0;
  for (let chunk = 0; ; chunk++) {
    const path = join(scratch, `chunk-${chunk % 2}.tsv`);
    const n = writeChunk(gen, path, CHUNK);
    await loading;
    if (n === 0) break;
    total += n;
    loading = conn.run(loadTsvSql(path));
    if (chunk % 10 === 9) log(`  loaded ${total.toLocaleString('en')} events`);
  }
  await loading;
  for (const k of [0, 1]) rmSync(join(scratch, `chunk-${k}.tsv`), { force: true });
  return total;
}

/**
 * The cached base file for `p` (time-ordered layout, as the store's ingest leaves it),
 * built if missing or if `rebuild`.
 */
export async function ensureDataset(
  cacheDir: string,
  p: DatasetParams,
  opts: { rebuild?: boolean; log?: (msg: string) => void } = {},
): Promise<{ dir: string; path: string; info: DatasetInfo; cached: boolean }> {
  const log = opts.log ?? (() => undefined);
  const key = paramsKey(p);
  const dir = join(cacheDir, key);
  const path = join(dir, 'base.duckdb');
  const metaPath = join(dir, 'meta.json');
  if (!opts.rebuild && existsSync(metaPath) && existsSync(path)) {
    return { dir, path, info: JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetInfo, cached: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  log(`generating ${p.events.toLocaleString('en')} events into ${path}`);
  await createEmptyStore(path);
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    await insertOrgs(conn, p);
    const events = await loadEvents(conn, p, dir, log);
    await conn.run(actorsSql(p.end));
    await conn.run('CHECKPOINT');
    const actors = Number((await conn.runAndReadAll('SELECT count(*) FROM actors')).getColumnsJS()[0]![0]);
    const info: DatasetInfo = {
      key,
      params: p,
      events,
      actors,
      orgs: p.orgs,
      buildSeconds: (performance.now() - started) / 1000,
      bytes: 0,
    };
    conn.closeSync();
    instance.closeSync();
    info.bytes = statSync(path).size;
    writeFileSync(metaPath, JSON.stringify(info, null, 2));
    log(
      `built in ${info.buildSeconds.toFixed(1)} s: ${events} events, ${actors} actors, ${(info.bytes / 2 ** 20).toFixed(0)} MiB`,
    );
    return { dir, path, info, cached: false };
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
