/**
 * Crash safety, end to end, as a user runs it: `npm start`, clients that
 * retry every batch with the same ids until it is acknowledged, SIGKILL of
 * the whole process group at random moments (TALLY_E2E_KILLS times, default
 * 5), restarts. At the end every acknowledged event is stored exactly once and
 * every batch that was sent was eventually acknowledged. Then SIGTERM with
 * requests in flight: they finish, the process exits 0, and a batch
 * acknowledged then is stored whole.
 *
 * The check reads the store through the API (each batch is its own
 * `dims.batch` group of exactly BATCH events), so it runs on any engine:
 * DuckDB always; ClickHouse too when TALLY_TEST_CLICKHOUSE_URL names a server
 * (.ci/run starts one), unless TALLY_E2E_CLICKHOUSE=0. On DuckDB the file is
 * also read directly, and the store compacts every few hundred rows
 * (TALLY_COMPACT_ROWS), so kills also land inside compaction passes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-e2e-'));
const ADMIN = 'e2e-admin-secret-0123456789';
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CLIENTS = 4;
/** Each client sends at least this many batches, and keeps going until every kill is done. */
const MIN_BATCHES = 20;
const BATCH = 200;
const KILLS = Number(process.env['TALLY_E2E_KILLS'] ?? 5);

interface Engine {
  name: string;
  env: Record<string, string>;
  /** Optional direct check of the stored rows: [count, distinct (org, id)], excluding the late batches. */
  direct?: () => Promise<[number, number]>;
}

const duckdbFile = join(dir, 'tally.duckdb');
const ENGINES: Engine[] = [
  {
    name: 'duckdb',
    env: { TALLY_DB: duckdbFile, TALLY_COMPACT_ROWS: '500', TALLY_COMPACT_IDLE_MS: '200' },
    direct: async () => {
      const inst = await DuckDBInstance.create(duckdbFile);
      const conn = await inst.connect();
      const rows = (
        await conn.runAndReadAll(
          "SELECT count(*) AS n, count(DISTINCT org || '/' || id) AS d FROM events WHERE id NOT LIKE 'c9-%'",
        )
      ).getRowObjectsJS();
      // The kills had compaction passes to interrupt: the store recorded sorted runs.
      const passes = (await conn.runAndReadAll('SELECT sum(runs) AS r FROM compaction')).getRowObjectsJS();
      expect(Number(passes[0]!['r'])).toBeGreaterThan(0);
      conn.closeSync();
      inst.closeSync();
      return [Number(rows[0]!['n']), Number(rows[0]!['d'])];
    },
  },
];
// ClickHouse (issue 9's engine): the same test against a fresh database on the CI server.
const clickhouseUrl = process.env['TALLY_TEST_CLICKHOUSE_URL'];
if (process.env['TALLY_E2E_CLICKHOUSE'] !== '0' && clickhouseUrl) {
  ENGINES.push({
    name: 'clickhouse',
    env: {
      TALLY_STORE: 'clickhouse',
      TALLY_CLICKHOUSE_URL: `${clickhouseUrl.replace(/\/+$/, '')}/tally_crash_${randomBytes(4).toString('hex')}`,
    },
  });
}

function batch(client: number, b: number): unknown[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `c${client}-b${b}-${i}`,
    type: 'api.request',
    time: 1_763_000_000 + b * 60 + i,
    org: `org${client % 2}`,
    actor: `u${i % 7}`,
    dims: { service: 'thing', batch: `c${client}-b${b}` },
  }));
}

/** Events per `dims.batch`, read through the native API. */
async function storedBatches(server: Running): Promise<Map<string, number>> {
  const res = await fetch(
    `${server.url}/v1/query?from=2025-01-01&to=2026-01-01&bucket=none&group_by=dims.batch&type=api.request`,
    { headers: { authorization: `Bearer ${ADMIN}` } },
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { series: { group: { 'dims.batch': string }; total: number }[] };
  return new Map(body.series.map((s) => [s.group['dims.batch'], s.total]));
}

describe.each(ENGINES)('crash safety on $name (real server, SIGKILL)', (engine) => {
  it(`keeps every acknowledged event exactly once across ${KILLS} kills`, async () => {
    const env = { ...engine.env, TALLY_ADMIN_KEY: ADMIN };
    let server: Running = await startServer(env);
    const acked = new Set<string>();
    let kills = 0;
    const post = async (body: unknown[]): Promise<boolean> => {
      try {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return res.status === 200;
      } catch {
        return false;
      }
    };
    const client = async (c: number): Promise<void> => {
      for (let b = 0; b < MIN_BATCHES || kills < KILLS; b++) {
        const body = batch(c, b);
        // Retry with the same ids until acknowledged: a batch sent is a batch acknowledged.
        while (!(await post(body))) await new Promise((r) => setTimeout(r, 50));
        acked.add(`c${c}-b${b}`);
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    for (; kills < KILLS; kills++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
      server.signal('SIGKILL');
      await server.exited;
      server = await startServer(env);
    }
    await clients;
    expect(acked.size).toBeGreaterThanOrEqual(CLIENTS * MIN_BATCHES);

    // SIGTERM with requests in flight: they complete, then the process exits 0.
    const inflight = Promise.all([0, 1, 2].map((i) => post(batch(9, i))));
    await new Promise((r) => setTimeout(r, 20));
    server.signal('SIGTERM');
    const results = await inflight;
    expect(await server.exited).toBe(0);
    const ackedLate = results.filter(Boolean).length;

    // Every acknowledged batch is stored whole and once; nothing else but late batches is stored.
    server = await startServer(env);
    const stored = await storedBatches(server);
    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);
    const early = [...stored].filter(([b]) => !b.startsWith('c9-'));
    expect(early.length).toBe(acked.size);
    for (const [b, n] of early) {
      expect(acked.has(b), b).toBe(true);
      expect(n, b).toBe(BATCH);
    }
    // A batch acknowledged before shutdown is stored; none is half-stored.
    const late = [...stored].filter(([b]) => b.startsWith('c9-'));
    for (const [b, n] of late) expect(n, b).toBe(BATCH);
    expect(late.length).toBeGreaterThanOrEqual(ackedLate);
    if (engine.direct) expect(await engine.direct()).toEqual([acked.size * BATCH, acked.size * BATCH]);
    console.log(
      `crash (${engine.name}): ${kills} kills, ${acked.size} batches / ${acked.size * BATCH} events acknowledged, 0 lost`,
    );
  }, 240_000);
});
