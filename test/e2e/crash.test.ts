/**
 * End to end, as a user runs it: `npm start` on a DuckDB file, clients that
 * retry with the same ids, SIGKILL at random moments, restarts. At the end
 * every acknowledged event is stored exactly once and every batch was
 * eventually acknowledged. Then SIGTERM: in-flight requests finish, exit 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type Running } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-e2e-'));
const db = join(dir, 'tally.duckdb');
const ADMIN = 'e2e-admin-secret';
const env = { TALLY_DB: db, TALLY_ADMIN_KEY: ADMIN };
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const CLIENTS = 4;
const BATCHES_PER_CLIENT = 30;
const BATCH = 200;
const KILLS = Number(process.env.TALLY_E2E_KILLS ?? 3);

function batch(client: number, b: number): unknown[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `c${client}-b${b}-${i}`,
    type: 'api.request',
    time: 1_763_000_000 + b * 60 + i,
    org: `org${client % 2}`,
    actor: `u${i % 7}`,
    dims: { service: 'thing' },
  }));
}

describe('crash safety (real server, SIGKILL)', () => {
  it(`keeps every acknowledged event exactly once across ${KILLS} kills`, async () => {
    let server: Running = await startServer(env);
    const acked = new Set<string>();
    let done = false;
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
      for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
        const body = batch(c, b);
        while (!(await post(body))) await new Promise((r) => setTimeout(r, 50));
        for (const e of body) acked.add((e as { id: string }).id);
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).then(
      () => (done = true),
    );
    for (let k = 0; k < KILLS && !done; k++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
      server.signal('SIGKILL');
      await server.exited;
      server = await startServer(env);
    }
    await clients;
    expect(acked.size).toBe(CLIENTS * BATCHES_PER_CLIENT * BATCH);

    // SIGTERM with requests in flight: they complete, then the process exits 0.
    const inflight = Promise.all([0, 1, 2].map((i) => post(batch(9, i))));
    await new Promise((r) => setTimeout(r, 20));
    server.signal('SIGTERM');
    const results = await inflight;
    expect(await server.exited).toBe(0);
    const ackedLate = results.filter(Boolean).length;

    const inst = await DuckDBInstance.create(db);
    const conn = await inst.connect();
    const rows = (
      await conn.runAndReadAll(
        "SELECT count(*) AS n, count(DISTINCT org || '/' || id) AS d FROM events WHERE id NOT LIKE 'c9-%'",
      )
    ).getRowObjectsJS();
    const late = (
      await conn.runAndReadAll("SELECT count(*) AS n FROM events WHERE id LIKE 'c9-%'")
    ).getRowObjectsJS();
    conn.closeSync();
    inst.closeSync();
    expect(Number(rows[0]!.n)).toBe(acked.size);
    expect(Number(rows[0]!.d)).toBe(acked.size);
    // A batch acknowledged before shutdown is stored; none is half-stored.
    expect(Number(late[0]!.n) % BATCH).toBe(0);
    expect(Number(late[0]!.n)).toBeGreaterThanOrEqual(ackedLate * BATCH);
  }, 180_000);
});
