/**
 * The query phase on one store file. Three routes answer every (query, org):
 * - the hand-written SQL straight on DuckDB (this process, its own instance);
 * - Tally in-process: createApp with the five surfaces on a profiled store, via inject,
 *   with the engine's own SQL timed apart (see profiled-store.ts);
 * - the real server (`npm start`) over loopback HTTP, with its RSS sampled.
 * Each route has a byte-identical copy of the file (DuckDB locks a file per process).
 * Runs are interleaved (hand, in-process, HTTP, rotating the order) so that the load of
 * a shared machine falls on all three alike; one warm-up each, then N timed runs.
 * Every answer is reduced to its canonical form and checked against the hand SQL's.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createApp } from '../../src/http/app.js';
import { surfaces } from '../../src/compat/index.js';
import { all } from '../../src/store/duckdb/db.js';
import { startServer } from '../../test/e2e/server.js';
import {
  diff,
  type BenchQuery,
  type Frame,
  type HttpCall,
  type OrgTarget,
  type Row,
} from '../queries/types.js';
import { RssSampler, percentile, resetPeak, type Timed } from '../lib/timing.js';
import { openProfiledStore } from './profiled-store.js';

export interface QueryCase {
  query: BenchQuery;
  org: OrgTarget;
}

export const caseKey = (c: QueryCase): string => `${c.query.id}/${c.org.label}`;

export interface CaseFigures {
  hand?: Timed;
  inproc?: Timed & { sqlP50: number; storeP50: number; statements: number };
  http?: Timed;
  /** Differences from the hand-written SQL's answer, per route. */
  faults: string[];
}

const ADMIN = 'bench-admin-secret-0123456789';

interface Answer {
  status: number;
  json: unknown;
}
type Route = (h: HttpCall, org: string) => Promise<Answer>;

function copy(src: string, dst: string): string {
  copyFileSync(src, dst);
  rmSync(`${dst}.wal`, { force: true });
  return dst;
}

async function handRows(conn: DuckDBConnection, statements: string[]): Promise<Row[][]> {
  const rows: Row[][] = [];
  for (const sql of statements) rows.push(await all(conn, sql));
  return rows;
}

/** The hand-written SQL's canonical answers only (for checking other engines). */
export async function handAnswers(
  path: string,
  cases: QueryCase[],
  frame: Frame,
): Promise<Map<string, unknown>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const out = new Map<string, unknown>();
  try {
    for (const c of cases)
      out.set(caseKey(c), c.query.fromSql(await handRows(conn, c.query.duck(c.org, frame)), c.org, frame));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}

/** Read keys over each queried org (TR50 sessions take their org from the key). */
async function orgKeys(cases: QueryCase[], route: Route): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const c of cases) {
    if (keys.has(c.org.id)) continue;
    const body = { name: `bench ${c.org.id}`, role: 'read', orgs: [c.org.id] };
    const r = await route({ method: 'POST', path: '/v1/keys', body, key: 'admin' }, '');
    keys.set(c.org.id, (r.json as { key: string }).key);
  }
  return keys;
}

const headers = (h: HttpCall, key: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  ...(h.body ? { 'content-type': 'application/json' } : {}),
});

/**
 * Measure every case on `file` (work copies go to `workDir`). With `http`, the real server
 * is the third route; its RSS during the queries is returned.
 */
export async function runQueries(
  file: string,
  workDir: string,
  cases: QueryCase[],
  frame: Frame,
  runs: number,
  http: boolean,
): Promise<{ figures: Map<string, CaseFigures>; server?: { rssMax: number; hwm: number; startMs: number } }> {
  const handFile = copy(file, `${workDir}/q-hand.duckdb`);
  const inprocFile = copy(file, `${workDir}/q-inproc.duckdb`);
  const serverFile = http ? copy(file, `${workDir}/q-server.duckdb`) : null;
  const t0 = performance.now();
  const server = serverFile
    ? await startServer({ TALLY_DB: serverFile, TALLY_ADMIN_KEY: ADMIN }, 600_000)
    : null;
  const startMs = performance.now() - t0;
  const instance = await DuckDBInstance.create(handFile, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const { store, profile, reset } = await openProfiledStore(inprocFile);
  const app = await createApp({ store, adminKey: ADMIN }, surfaces);
  const figures = new Map<string, CaseFigures>();
  let sampler: RssSampler | null = null;
  try {
    let inKeys = new Map<string, string>();
    let httpKeys = new Map<string, string>();
    const inproc: Route = async (h, org) => {
      const key = h.key === 'admin' ? ADMIN : inKeys.get(org)!;
      const body = h.body ? { payload: JSON.stringify(h.body) } : {};
      const res = await app.inject({ method: h.method, url: h.path, headers: headers(h, key), ...body });
      return { status: res.statusCode, json: res.json() };
    };
    const overHttp: Route = async (h, org) => {
      const key = h.key === 'admin' ? ADMIN : httpKeys.get(org)!;
      const body = h.body ? { body: JSON.stringify(h.body) } : {};
      const res = await fetch(server!.url + h.path, { method: h.method, headers: headers(h, key), ...body });
      return { status: res.status, json: await res.json() };
    };
    inKeys = await orgKeys(cases, inproc);
    if (server) {
      httpKeys = await orgKeys(cases, overHttp);
      resetPeak(server.pid);
      sampler = new RssSampler(server.pid);
    }
    for (const c of cases)
      figures.set(
        caseKey(c),
        await measureCase(c, frame, runs, conn, inproc, server ? overHttp : null, { profile, reset }),
      );
    const rss = sampler?.stop();
    sampler = null;
    return { figures, ...(rss ? { server: { rssMax: rss.sampledMax, hwm: rss.hwm, startMs } } : {}) };
  } finally {
    sampler?.stop();
    await app.close();
    await store.close();
    conn.closeSync();
    instance.closeSync();
    if (server) {
      server.signal('SIGTERM');
      await server.exited;
    }
    for (const f of [handFile, inprocFile, serverFile]) if (f) rmSync(f, { force: true });
  }
}

async function measureCase(
  c: QueryCase,
  frame: Frame,
  runs: number,
  conn: DuckDBConnection,
  inproc: Route,
  overHttp: Route | null,
  prof: { profile: () => { sqlMs: number; storeMs: number; statements: number }; reset: () => void },
): Promise<CaseFigures> {
  const statements = c.query.duck(c.org, frame);
  const h = c.query.call(c.org, frame);
  const times = {
    hand: [] as number[],
    inproc: [] as number[],
    http: [] as number[],
    sql: [] as number[],
    store: [] as number[],
  };
  const last = {
    hand: [] as Row[][],
    inproc: { status: 0, json: null } as Answer,
    http: null as Answer | null,
  };
  let statementCount = 0;
  const steps: (() => Promise<void>)[] = [
    async () => {
      const t = performance.now();
      last.hand = await handRows(conn, statements);
      times.hand.push(performance.now() - t);
    },
    async () => {
      prof.reset();
      const t = performance.now();
      last.inproc = await inproc(h, c.org.id);
      times.inproc.push(performance.now() - t);
      const p = prof.profile();
      times.sql.push(p.sqlMs);
      times.store.push(p.storeMs);
      statementCount = p.statements;
    },
    ...(overHttp
      ? [
          async () => {
            const t = performance.now();
            last.http = await overHttp(h, c.org.id);
            times.http.push(performance.now() - t);
          },
        ]
      : []),
  ];
  for (let k = 0; k <= runs; k++) {
    for (let j = 0; j < steps.length; j++) await steps[(j + k) % steps.length]!();
    if (k === 0) {
      // The warm-up round is not timed.
      for (const list of Object.values(times)) list.length = 0;
    }
  }
  const timed = (xs: number[]): Timed => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), runs: xs });
  const expected = c.query.fromSql(last.hand, c.org, frame);
  const fig: CaseFigures = {
    hand: timed(times.hand),
    inproc: {
      ...timed(times.inproc),
      sqlP50: percentile(times.sql, 50),
      storeP50: percentile(times.store, 50),
      statements: statementCount,
    },
    faults: [],
  };
  const check = (route: string, a: Answer | null): void => {
    if (a === null) return;
    if (a.status !== 200) {
      fig.faults.push(`${route}: HTTP ${a.status} ${JSON.stringify(a.json).slice(0, 200)}`);
      return;
    }
    const got = c.query.fromHttp(a.json, c.org, frame);
    for (const f of (c.query.compare ?? ((x, y) => diff(x, y)))(got, expected))
      fig.faults.push(`${route}: ${f}`);
  };
  check('in-process', last.inproc);
  if (overHttp) {
    fig.http = timed(times.http);
    check('http', last.http);
  }
  return fig;
}
