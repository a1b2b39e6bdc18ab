/**
 * `--with-postgres`: the usual alternative. A private PostgreSQL 15 (Debian's
 * binaries, run as the postgres user in a temp dir on a free loopback port, with
 * ANCHORS.md's settings), plain tables with the two indexes most teams start with
 * ((org, ts) and a unique (org, id) for dedupe), the same dataset loaded by COPY,
 * the same ingest slice as app-style 1,000-row INSERT ... ON CONFLICT DO NOTHING
 * batches from 4 connections, and the same queries as hand-written SQL.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EventRecord } from '../../src/core/model.js';
import { CHUNK, writeChunk } from '../dataset.js';
import { EventGenerator, datasetStream } from '../gen/events.js';
import { DAY_MS, type DatasetParams } from '../gen/model.js';
import { diff, type Frame, type Row } from '../queries/types.js';
import { percentile, procMemory, resetPeak, timeRuns } from '../lib/timing.js';
import { BATCH, CLIENTS } from './ingest.js';
import { caseKey, type QueryCase } from './query.js';

const BIN = '/usr/lib/postgresql/15/bin';
const SETTINGS = [
  'shared_buffers=6GB',
  'effective_cache_size=16GB',
  'work_mem=64MB',
  'maintenance_work_mem=1GB',
  'max_wal_size=8GB',
  'jit=off',
];

export interface PgServer {
  dir: string;
  port: number;
  stop(): void;
  client(): Promise<pg.Client>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

const asPostgres = (args: string[]): void => {
  execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' });
};

/** initdb + pg_ctl start as the postgres user, in a fresh temp dir. */
export async function startPostgres(): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  asPostgres([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    ...SETTINGS.map((s) => `-c ${s}`),
  ];
  asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-o', opts.join(' '), '-w', 'start']);
  return {
    dir,
    port,
    stop: () => {
      try {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    client: async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await c.connect();
      return c;
    },
  };
}

const SCHEMA = `
CREATE TABLE events (org text NOT NULL, type text NOT NULL, ts bigint NOT NULL, id text NOT NULL,
  actor text, value double precision NOT NULL, dims jsonb NOT NULL, received bigint NOT NULL);
CREATE INDEX events_org_ts ON events (org, ts);
CREATE UNIQUE INDEX events_org_id ON events (org, id);
CREATE TABLE actors (org text NOT NULL, id text NOT NULL, kind text NOT NULL, created_at bigint,
  deleted_at bigint, first_name text, last_name text, first_seen bigint, PRIMARY KEY (org, id));`;

function actorsPgSql(end: number): string {
  return `INSERT INTO actors SELECT org, actor,
    CASE WHEN actor LIKE 'd%' THEN 'device' WHEN CAST(substr(actor, 2) AS bigint) % 5 = 0 THEN 'developer' ELSE 'user' END,
    NULL,
    CASE WHEN actor LIKE 'u%' AND CAST(substr(actor, 2) AS bigint) % 50 = 7 AND min(ts) + ${120 * DAY_MS} < ${end}
         THEN min(ts) + ${120 * DAY_MS} END,
    CASE WHEN actor LIKE 'u%' THEN 'First' || substr(actor, 2) END,
    CASE WHEN actor LIKE 'u%' THEN 'Last' || substr(actor, 2) END,
    min(ts)
  FROM events WHERE actor IS NOT NULL GROUP BY org, actor`;
}

export interface PgLoad {
  events: number;
  copySeconds: number;
  copyPerSecond: number;
  analyzeSeconds: number;
  tableBytes: number;
  indexBytes: number;
}

/** The dataset by COPY (text format = the bench's TSV), in chunk files the server reads. */
export async function loadPostgres(server: PgServer, p: DatasetParams): Promise<PgLoad> {
  const c = await server.client();
  try {
    await c.query(SCHEMA);
    const gen = new EventGenerator(p, datasetStream(p));
    let total = 0;
    const t0 = performance.now();
    for (;;) {
      const path = join(server.dir, 'chunk.tsv');
      const n = writeChunk(gen, path, CHUNK);
      chmodSync(path, 0o644);
      if (n > 0) await c.query(`COPY events FROM '${path}'`);
      rmSync(path);
      total += n;
      if (n < CHUNK) break;
    }
    const copySeconds = (performance.now() - t0) / 1000;
    await c.query(actorsPgSql(p.end));
    const t1 = performance.now();
    await c.query('VACUUM ANALYZE events');
    await c.query('VACUUM ANALYZE actors');
    const analyzeSeconds = (performance.now() - t1) / 1000;
    const size = await c.query<{ t: string; i: string }>(
      `SELECT pg_table_size('events') AS t, pg_indexes_size('events') AS i`,
    );
    return {
      events: total,
      copySeconds,
      copyPerSecond: total / copySeconds,
      analyzeSeconds,
      tableBytes: Number(size.rows[0]!.t),
      indexBytes: Number(size.rows[0]!.i),
    };
  } finally {
    await c.end();
  }
}

export interface PgIngest {
  perSecond: number;
  seconds: number;
  ackP50: number;
  ackP99: number;
  inserted: number;
}

/** The slice as 1,000-row INSERT ... ON CONFLICT DO NOTHING batches from 4 connections (one transaction each). */
export async function ingestPostgres(server: PgServer, events: EventRecord[]): Promise<PgIngest> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => server.client()));
  const latencies: number[] = [];
  let inserted = 0;
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      clients.map(async (c) => {
        for (let k = next++; k * BATCH < events.length; k = next++) {
          const batch = events.slice(k * BATCH, (k + 1) * BATCH);
          const values: unknown[] = [];
          const rows = batch.map((e, j) => {
            values.push(e.org, e.type, e.ts, e.id, e.actor, e.value, JSON.stringify(e.dims), Date.now());
            return `(${Array.from({ length: 8 }, (_, x) => `$${j * 8 + x + 1}`).join(', ')})`;
          });
          const s = performance.now();
          const r = await c.query(
            `INSERT INTO events VALUES ${rows.join(', ')} ON CONFLICT (org, id) DO NOTHING`,
            values,
          );
          latencies.push(performance.now() - s);
          inserted += r.rowCount ?? 0;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    perSecond: inserted / seconds,
    seconds,
    ackP50: percentile(latencies, 50),
    ackP99: percentile(latencies, 99),
    inserted,
  };
}

/** A connection for the query phase, with the serving backend's pid (for its RSS). */
export async function queryClient(
  server: PgServer,
): Promise<{ c: pg.Client; pid: number; peak: () => number }> {
  const c = await server.client();
  await c.query('SET jit = off');
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  resetPeak(pid);
  return { c, pid, peak: () => procMemory(pid, 'VmHWM') };
}

export interface PgQueryFigures {
  t: { p50: number; p95: number };
  faults: string[];
}

/** Each case's PostgreSQL SQL: one warm-up and N runs, answers checked against DuckDB's hand-written ones. */
export async function queryPostgres(
  server: PgServer,
  cases: QueryCase[],
  frame: Frame,
  runs: number,
  answers: Map<string, unknown>,
): Promise<{ figures: Map<string, PgQueryFigures>; backendPeak: number }> {
  const { c, peak } = await queryClient(server);
  const figures = new Map<string, PgQueryFigures>();
  try {
    for (const k of cases) {
      const statements = k.query.pg?.(k.org, frame);
      if (!statements) continue;
      const { t, last } = await timeRuns(runs, async () => {
        const rows: Row[][] = [];
        for (const sql of statements) rows.push((await c.query<Row>(sql)).rows);
        return rows;
      });
      const expected = answers.get(caseKey(k));
      const got = k.query.fromSql(last, k.org, frame);
      // Both sides are hand-written SQL answers here, so the plain deep comparison applies (Q3 included).
      const faults = expected === undefined ? [] : diff(got, expected);
      figures.set(caseKey(k), { t, faults });
    }
    return { figures, backendPeak: peak() };
  } finally {
    await c.end();
  }
}
