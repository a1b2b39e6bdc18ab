/**
 * `--store clickhouse`, measuring: the real server (`npm start`, TALLY_STORE=clickhouse)
 * on the loaded database over loopback HTTP against each query's hand-written ClickHouse
 * SQL (clickhouse-sql.ts) on the same server, runs interleaved (rotating the order, one
 * warm-up each) so a noisy machine's load falls on both alike. Tally's answers are checked
 * against the hand SQL's, and the hand SQL's against the DuckDB hand SQL's on the dataset
 * file (an independent engine). Then the dedupe lookup of a commit (ingest.ts's own SQL,
 * event-ids.ts) at the largest org: granules from system.query_log's SelectedMarks,
 * since ClickHouse 18.16 has no EXPLAIN indexes=1.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { liveCopiesSql } from '../../src/store/clickhouse/event-ids.js';
import { BIG_QUERY } from '../../src/store/clickhouse/ingest.js';
import { tableNames } from '../../src/store/clickhouse/schema.js';
import { parseClickHouseUrl } from '../../src/store/clickhouse/client.js';
import { quote, quoteList } from '../../src/store/clickhouse/quote.js';
import { startServer } from '../../test/e2e/server.js';
import { diff, type Frame, type HttpCall, type Row } from '../queries/types.js';
import { percentile, type Timed } from '../lib/timing.js';
import { caseKey, type QueryCase } from './query.js';
import { sliceEvents } from './ingest.js';
import type { DatasetParams } from '../gen/model.js';
import { post } from './clickhouse-load.js';

const ADMIN = 'bench-admin-secret-0123456789';

export interface ChCaseFigures {
  hand?: Timed;
  http?: Timed;
  /** `not written`: no hand-written ClickHouse SQL for this case (nothing timed). */
  faults: string[];
  /** Differences between the ClickHouse and the DuckDB hand-written SQL's answers. */
  handVsDuck: string[];
}

function handClient(base: string, database: string): ClickHouseClient {
  const t = parseClickHouseUrl(`${base}/${database}`);
  return createClient({
    url: t.url,
    database,
    username: t.username ?? 'default',
    password: t.password ?? '',
    request_timeout: 300_000,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
}

async function rowsOf(c: ClickHouseClient, sql: string, queryId?: string): Promise<Row[]> {
  const rs = await c.query({
    query: sql,
    format: 'JSONEachRow',
    ...(queryId ? { query_id: queryId, clickhouse_settings: { ...BIG_QUERY, log_queries: 1 } } : {}),
  });
  return rs.json<Row>();
}

/** Every case over HTTP and as hand SQL; `duckAnswers` are the DuckDB hand SQL's canonical answers. */
export async function queryClickHouse(
  base: string,
  database: string,
  cases: QueryCase[],
  frame: Frame,
  runs: number,
  duckAnswers: Map<string, unknown>,
): Promise<{ figures: Map<string, ChCaseFigures>; startMs: number }> {
  const t0 = performance.now();
  const server = await startServer(
    { TALLY_STORE: 'clickhouse', TALLY_CLICKHOUSE_URL: `${base}/${database}`, TALLY_ADMIN_KEY: ADMIN },
    120_000,
  );
  const startMs = performance.now() - t0;
  const ch = handClient(base, database);
  const figures = new Map<string, ChCaseFigures>();
  try {
    const keys = new Map<string, string>();
    const call = async (h: HttpCall, org: string): Promise<{ status: number; json: unknown }> => {
      const key = h.key === 'admin' ? ADMIN : keys.get(org)!;
      const res = await fetch(server.url + h.path, {
        method: h.method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(h.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(h.body ? { body: JSON.stringify(h.body) } : {}),
      });
      return { status: res.status, json: await res.json() };
    };
    for (const c of cases) {
      if (keys.has(c.org.id)) continue;
      const body = { name: `bench ${c.org.id}`, role: 'read', orgs: [c.org.id] };
      keys.set(
        c.org.id,
        ((await call({ method: 'POST', path: '/v1/keys', body, key: 'admin' }, '')).json as { key: string })
          .key,
      );
    }
    for (const c of cases) {
      const statements = c.query.ch?.(c.org, frame);
      if (!statements) {
        figures.set(caseKey(c), { faults: ['not written'], handVsDuck: [] });
        continue;
      }
      const h = c.query.call(c.org, frame);
      const times = { hand: [] as number[], http: [] as number[] };
      let hand: Row[][] = [];
      let http = { status: 0, json: null as unknown };
      const steps = [
        async () => {
          const t = performance.now();
          const out: Row[][] = [];
          for (const sql of statements) out.push(await rowsOf(ch, sql));
          hand = out;
          times.hand.push(performance.now() - t);
        },
        async () => {
          const t = performance.now();
          http = await call(h, c.org.id);
          times.http.push(performance.now() - t);
        },
      ];
      for (let k = 0; k <= runs; k++) {
        for (let j = 0; j < steps.length; j++) await steps[(j + k) % steps.length]!();
        if (k === 0) times.hand.length = times.http.length = 0;
      }
      const expected = c.query.fromSql(hand, c.org, frame);
      const faults: string[] = [];
      if (http.status !== 200)
        faults.push(`http: HTTP ${http.status} ${JSON.stringify(http.json).slice(0, 200)}`);
      else
        for (const f of (c.query.compare ?? ((x, y) => diff(x, y)))(
          c.query.fromHttp(http.json, c.org, frame),
          expected,
        ))
          faults.push(`http: ${f}`);
      const duck = duckAnswers.get(caseKey(c));
      const timed = (xs: number[]): Timed => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), runs: xs });
      figures.set(caseKey(c), {
        hand: timed(times.hand),
        http: timed(times.http),
        faults,
        handVsDuck: duck === undefined ? ['no DuckDB answer'] : diff(expected, duck),
      });
    }
    return { figures, startMs };
  } finally {
    await ch.close();
    server.signal('SIGTERM');
    await server.exited;
  }
}

export interface LookupFigures {
  label: string;
  sql:
    | 'commit lookup (event_ids)'
    | 'event_ids part only'
    | 'plain events lookup'
    | 'whole org'
    | 'whole org in event_ids';
  ids: number;
  found: number;
  selectedMarks: number;
  readRows: number;
  ms: number;
}

/**
 * SelectedMarks, read_rows and duration of a finished query from system.query_log. The server
 * logs a query as it finishes, which can be just after the client has its answer: flush and retry.
 */
async function logged(base: string, queryId: string): Promise<{ marks: number; rows: number; ms: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await post(base, 'SYSTEM FLUSH LOGS');
    const out = await post(
      base,
      `SELECT read_rows, query_duration_ms AS ms,
         ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SelectedMarks')] AS marks
       FROM system.query_log WHERE type = 2 AND query_id = ${quote(queryId)} FORMAT JSONEachRow`,
    );
    const line = out.split('\n')[0] ?? '';
    if (line.trim() !== '') {
      const r = JSON.parse(line) as Record<string, unknown>;
      return { marks: Number(r['marks']), rows: Number(r['read_rows']), ms: Number(r['ms']) };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`query ${queryId} is not in system.query_log (log_queries off on this server?)`);
}

/**
 * The dedupe lookup of one commit at `org`, through ingest's own SQL: 1,000 stored ids (spread
 * over the org by hash), and new ids as the generator makes them for the ingest slice (random
 * hex, like UUIDs): 1,000 and 10. Beside each, the plain `org IN … AND id IN …` on `events`;
 * and a count of the whole org in both tables (its granules).
 */
export async function dedupeLookup(
  base: string,
  database: string,
  org: string,
  p: DatasetParams,
): Promise<LookupFigures[]> {
  const ch = handClient(base, database);
  const t = tableNames({ database, cluster: null });
  try {
    const stored = (
      await rowsOf(ch, `SELECT id FROM events WHERE org = ${quote(org)} ORDER BY cityHash64(id) LIMIT 1000`)
    ).map((r) => String(r['id']));
    const fresh = sliceEvents(p, 50_000)
      .filter((e) => e.org === org)
      .map((e) => e.id);
    if (fresh.length < 1000) throw new Error(`only ${fresh.length} slice events of org ${org}`);
    const out: LookupFigures[] = [];
    const run = async (
      label: string,
      sql: LookupFigures['sql'],
      ids: number,
      text: string,
    ): Promise<void> => {
      const id = randomUUID();
      const rows = await rowsOf(ch, text, id);
      const l = await logged(base, id);
      out.push({ label, sql, ids, found: rows.length, selectedMarks: l.marks, readRows: l.rows, ms: l.ms });
    };
    for (const [label, ids] of [
      ['1,000 stored ids', stored],
      ['1,000 new ids', fresh.slice(0, 1000)],
      ['10 new ids', fresh.slice(0, 10)],
    ] as const) {
      const lookup = liveCopiesSql(t, [org], ids, 'org, id');
      await run(label, 'commit lookup (event_ids)', ids.length, `SELECT DISTINCT org, id FROM (${lookup})`);
      const narrow = `WHERE org IN (${quoteList([org])}) AND id IN (${quoteList(ids)})`;
      await run(
        label,
        'event_ids part only',
        ids.length,
        `SELECT org, type, ts, id FROM ${t.eventIdsLocal} ${narrow}`,
      );
      await run(
        label,
        'plain events lookup',
        ids.length,
        `SELECT DISTINCT org, id FROM ${t.events} ${narrow}`,
      );
    }
    for (const [sql, table] of [
      ['whole org', t.events],
      ['whole org in event_ids', t.eventIdsLocal],
    ] as const)
      await run('the org', sql, 0, `SELECT count() AS n FROM ${table} WHERE org = ${quote(org)}`);
    return out;
  } finally {
    await ch.close();
  }
}
