/**
 * `--store clickhouse`, loading: the cached DuckDB dataset into a fresh ClickHouse
 * database with Tally's own schema (ClickHouseStore.init runs the migrations), so the
 * real server and the hand-written SQL read what Tally would have stored.
 *
 * DuckDB writes each table as JSONEachRow files (ClickHouse 18.16 reads no Parquet),
 * events one month at a time (one partition per INSERT), and each file is POSTed as
 * one INSERT over HTTP. Every event gets one version, as one commit would stamp it;
 * `event_ids` is then filled from `events` by the same statement as migration 3, and
 * `actor_seen` from the actors' first-seen times. OPTIMIZE ... FINAL merges each
 * partition to one part, so the queries run on settled parts; the part counts are recorded.
 */
import { createReadStream, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { parseClickHouseUrl } from '../../src/store/clickhouse/client.js';
import { seenVersion } from '../../src/store/clickhouse/ingest.js';
import { versionOf } from '../../src/store/clickhouse/stamp.js';

/** The ClickHouse database the bench loads (dropped and made afresh each run). */
export const BENCH_DATABASE = 'tally_bench';

export interface ChLoad {
  events: number;
  seconds: number;
  perSecond: number;
  optimizeSeconds: number;
  /** Active parts, rows and marks (granules) per table after the merge. */
  parts: { table: string; parts: number; rows: number; marks: number; bytes: number }[];
}

/**
 * The SELECT that turns one DuckDB table into the ClickHouse table's rows (JSON field names
 * = ClickHouse columns). `ver` is the one version every loaded row carries; `where` narrows events.
 */
export function exportSelect(
  table: 'events' | 'orgs' | 'actors' | 'actor_seen',
  ver: number,
  where = '',
): string {
  switch (table) {
    case 'events':
      return `SELECT org, type, ts, id, actor, value, map_keys(dims) AS dim_keys, map_values(dims) AS dim_values,
        received, ${ver}::UBIGINT AS ver FROM events${where ? ` WHERE ${where}` : ''}`;
    case 'orgs':
      return `SELECT id, name, parent, domain, timezone, created_at, 1::UBIGINT AS ver FROM orgs`;
    case 'actors':
      return `SELECT org, id, kind, created_at, deleted_at, first_name, last_name, CAST(props AS VARCHAR) AS props,
        1::UBIGINT AS ver FROM actors`;
    case 'actor_seen':
      // As ingest records first-seen times: the earliest ts, versioned so that a merge keeps the minimum.
      return `SELECT org, id AS actor, first_seen AS ts, (${seenVersion(0)}::BIGINT - first_seen)::UBIGINT AS ver
        FROM actors WHERE first_seen IS NOT NULL`;
  }
}

/** POST a statement with a file as its body (an INSERT ... FORMAT JSONEachRow), or with none. */
export function post(base: string, sql: string, file?: string): Promise<string> {
  const t = parseClickHouseUrl(`${base}/default`);
  const u = new URL(t.url);
  u.searchParams.set('query', sql);
  const headers: Record<string, string> = {};
  if (t.username) headers['X-ClickHouse-User'] = t.username;
  if (t.password) headers['X-ClickHouse-Key'] = t.password;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`ClickHouse ${res.statusCode}: ${body.slice(0, 500)}`));
      });
    });
    req.on('error', reject);
    if (file) createReadStream(file).on('error', reject).pipe(req);
    else req.end();
  });
}

async function copyTable(
  conn: DuckDBConnection,
  base: string,
  select: string,
  target: string,
  file: string,
): Promise<void> {
  await conn.run(`COPY (${select}) TO '${file}' (FORMAT JSON)`);
  try {
    if (statSync(file).size > 0) await post(base, `INSERT INTO ${target} FORMAT JSONEachRow`, file);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Months [start, end) of the events, as epoch-ms bounds. */
function months(minTs: number, maxTs: number): [number, number][] {
  const out: [number, number][] = [];
  const d = new Date(minTs);
  let cur = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  while (cur <= maxTs) {
    const c = new Date(cur);
    const next = Date.UTC(c.getUTCFullYear(), c.getUTCMonth() + 1, 1);
    out.push([cur, next]);
    cur = next;
  }
  return out;
}

/** Rows per active part of the bench database's tables. */
export async function partCounts(base: string, database: string): Promise<ChLoad['parts']> {
  const out = await post(
    base,
    `SELECT table, count() AS parts, sum(rows) AS rows, sum(marks) AS marks, sum(bytes) AS bytes
     FROM system.parts WHERE database = '${database}' AND active GROUP BY table ORDER BY table FORMAT JSONEachRow`,
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, string | number>;
      return {
        table: String(r['table']),
        parts: Number(r['parts']),
        rows: Number(r['rows']),
        marks: Number(r['marks']),
        bytes: Number(r['bytes']),
      };
    });
}

/**
 * Drop and recreate `database` on the server at `base` with Tally's schema, then load the
 * DuckDB file at `duckPath` into it (scratch files go to `scratch`).
 */
export async function loadClickHouse(
  base: string,
  database: string,
  duckPath: string,
  scratch: string,
  log: (msg: string) => void = () => undefined,
): Promise<ChLoad> {
  await post(base, `DROP DATABASE IF EXISTS ${database}`);
  const store = new ClickHouseStore({ url: `${base}/${database}` });
  await store.init();
  await store.close();
  const instance = await DuckDBInstance.create(duckPath, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const ver = versionOf(Date.now() * 1000);
  const file = join(scratch, 'ch-load.json');
  const t0 = performance.now();
  let events: number;
  try {
    for (const t of ['orgs', 'actors', 'actor_seen'] as const)
      await copyTable(conn, base, exportSelect(t, ver), `${database}.${t}`, file);
    const [lo, hi, n] = (await conn.runAndReadAll('SELECT min(ts), max(ts), count(*) FROM events'))
      .getRows()[0]!
      .map(Number) as [number, number, number];
    for (const [a, b] of months(lo, hi)) {
      await copyTable(
        conn,
        base,
        exportSelect('events', ver, `ts >= ${a} AND ts < ${b}`),
        `${database}.events`,
        file,
      );
      log(`  events of ${new Date(a).toISOString().slice(0, 7)} loaded`);
    }
    events = n;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  // Migration 3's own statement: a locator per stored copy.
  await post(
    base,
    `INSERT INTO ${database}.event_ids (org, id, type, ts, ver) SELECT org, id, type, ts, ver FROM ${database}.events`,
  );
  const seconds = (performance.now() - t0) / 1000;
  log(`  loaded ${events.toLocaleString('en')} events in ${seconds.toFixed(0)} s; OPTIMIZE ... FINAL`);
  const t1 = performance.now();
  for (const t of ['events', 'event_ids', 'actors', 'actor_seen', 'orgs'])
    await post(base, `OPTIMIZE TABLE ${database}.${t} FINAL`);
  const optimizeSeconds = (performance.now() - t1) / 1000;
  return {
    events,
    seconds,
    perSecond: events / seconds,
    optimizeSeconds,
    parts: await partCounts(base, database),
  };
}
