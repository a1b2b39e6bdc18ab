/**
 * Store failure (issue 11): while the store cannot write, ingestion answers 503
 * `store_unavailable` and acknowledges nothing; reads fail cleanly, each surface
 * in its documented shape; and the server recovers by itself when the store
 * comes back, with exactly the acknowledged events stored.
 *
 * Three techniques, from the store boundary down to the disk:
 * - a fault switch at the store port (any engine; as a stopped ClickHouse would fail);
 * - the real DuckDB file made unwritable with the immutable flag (the test runs
 *   as root, which chmod does not stop): first only the WAL (DuckDB refuses the
 *   commit and carries on), then the whole directory while a checkpoint is due
 *   (DuckDB invalidates the instance; the store must reopen the file by itself);
 * - a tmpfs that fills up (ENOSPC mid-commit), then the data read back from a fresh open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { RecoveringDuckDbStore } from '../../src/store/duckdb/recovering.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import {
  canMakeImmutable,
  canMountTmpfs,
  fill,
  immutable,
  mountTmpfs,
  unmount,
  withFaults,
} from './faults.js';
import { NOW, relApp, type RelApp } from './harness.js';
import { batch, expectReadsDown, expectReadsWork, ORG, seed } from './surface-reads.js';

const clock = (): number => NOW;

/** POST a batch; returns the status and code. */
async function post(
  t: RelApp,
  events: unknown[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.call('POST', '/v1/events', { body: events });
  return { status: res.statusCode, body: res.json() };
}

function expectUnavailable(r: { status: number; body: Record<string, unknown> }): void {
  expect(r.status).toBe(503);
  expect(r.body).toEqual({
    error: { code: 'store_unavailable', message: expect.any(String) as string, details: [] },
  });
}

/** How many api.request events of the test org are stored (read with the admin key). */
async function apiRequests(t: RelApp): Promise<number> {
  const res = await t.call(
    'GET',
    `/v1/query?org=${ORG}&type=api.request&from=2026-11-01&to=2026-11-20&bucket=none`,
  );
  return res.json<{ series: { total: number }[] }>().series[0]!.total;
}

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('the store did not come back in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('store failure at the store boundary (fault switch)', () => {
  it('refuses ingestion with 503, fails every read in its shape, and recovers', async () => {
    const faulty = withFaults(
      await (async () => {
        const s = await DuckDbStore.open({ path: ':memory:', clock });
        await s.init();
        return s;
      })(),
    );
    const t = await relApp({ store: faulty.store });
    try {
      const key = await seed(t);
      await expectReadsWork(t, key, 3);
      faulty.down = true;
      expectUnavailable(await post(t, batch('down')));
      await expectReadsDown(t, key);
      expect(faulty.refused).toBeGreaterThan(7);
      faulty.down = false;
      // Nothing of the refused batch was stored; the retry is stored once.
      await expectReadsWork(t, key, 3);
      expect((await post(t, batch('down'))).body).toEqual({ accepted: 5, duplicates: 0 });
      await expectReadsWork(t, key, 8);
    } finally {
      await t.close();
    }
  });
});

const immutableOk = canMakeImmutable();

describe.skipIf(!immutableOk)('a read-only DuckDB file (chattr +i, as root)', () => {
  // Made in beforeAll, so that a run filtered to other tests leaves nothing behind.
  let dir = '';
  let db = '';
  // The directory and the database file: a checkpoint writes the file, a reopen opens it for writing.
  let locked: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tally-ro-'));
    db = join(dir, 'tally.duckdb');
    locked = [dir, db];
  });
  afterAll(() => {
    try {
      immutable(false, locked);
    } catch {
      // not locked
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while it cannot write, then reopens by itself and loses nothing', async () => {
    const store = await createStore({ store: 'duckdb', duckdbPath: db }, clock);
    if (!(store instanceof RecoveringDuckDbStore)) throw new Error('createStore must recover by itself');
    const rec = store;
    const t = await relApp({ store });
    try {
      const key = await seed(t);

      // 1. Only the WAL is unwritable: DuckDB refuses the commit and keeps serving reads.
      immutable(true, [`${db}.wal`]);
      expectUnavailable(await post(t, batch('wal')));
      await expectReadsWork(t, key, 3);
      immutable(false, [`${db}.wal`]);
      expect((await post(t, batch('wal'))).body).toEqual({ accepted: 5, duplicates: 0 });
      expect(rec.recoveries).toBe(0);

      // 2. The database file and its directory become read-only while a checkpoint is due: the
      // commit's checkpoint fails, DuckDB invalidates the instance, and every call fails until
      // the file is opened again (which fails too while it is read-only).
      await rec.read((c) => c.run("SET checkpoint_threshold = '1KB'"));
      immutable(true, locked);
      expectUnavailable(await post(t, batch('dir')));
      expect(rec.healthy).toBe(false);
      await expectReadsDown(t, key);
      await new Promise((r) => setTimeout(r, 700)); // reopening is tried and fails meanwhile
      expectUnavailable(await post(t, batch('dir')));
      await expectReadsDown(t, key);

      immutable(false, locked);
      await eventually(async () => (await t.call('GET', '/v1/orgs')).statusCode === 200);
      expect(rec.recoveries).toBe(1);
      // Everything acknowledged is there: the seed and the `wal` batch. The refused `dir` batch
      // may be there too (its WAL entry was written before the checkpoint failed): it was not
      // acknowledged, and its retry finds it, so it is stored exactly once either way.
      const stored = await apiRequests(t);
      expect([8, 13]).toContain(stored);
      expect((await post(t, batch('dir'))).body).toEqual({ accepted: 13 - stored, duplicates: stored - 8 });
      await expectReadsWork(t, key, 13);
    } finally {
      immutable(false, locked);
      await t.close();
    }
  });
});

describe.skipIf(!canMountTmpfs())('a full disk (a 16 MiB tmpfs, filled up)', () => {
  let tmpfs: string | null = null;
  beforeAll(() => {
    tmpfs = mountTmpfs(16);
  });
  afterAll(() => {
    if (tmpfs) unmount(tmpfs);
  });

  it('refuses batches while full, serves reads, recovers, and reopens with exactly the acknowledged events', async () => {
    const db = join(tmpfs!, 'tally.duckdb');
    const store = await createStore({ store: 'duckdb', duckdbPath: db }, clock);
    const t = await relApp({ store });
    let filler = '';
    // Batches large enough to need many pages: DuckDB may still place one in free blocks of
    // its file, so batches are sent until the disk refuses them; each is acknowledged or not.
    const big = (k: number): Record<string, unknown>[] =>
      batch(`full-${k}`, 2000).map((e) => ({ ...e, dims: { service: 'thing', pad: 'p'.repeat(300) } }));
    let acked = 0;
    try {
      const key = await seed(t);
      filler = fill(tmpfs!);
      const refused: Record<string, unknown>[][] = [];
      for (let k = 0; k < 30 && refused.length < 2; k++) {
        const r = await post(t, big(k));
        if (r.status === 200) acked += 2000;
        else {
          expectUnavailable(r);
          refused.push(big(k));
        }
      }
      expect(refused.length).toBe(2);
      // The idle checkpoint (1 s after the last acknowledged write) comes due while the
      // disk is full: it must wait for room, since a failed one would take reads down.
      await new Promise((r) => setTimeout(r, 1500));
      await expectReadsWork(t, key, 3 + acked);
      rmSync(filler);
      for (const b of refused) {
        const r = await post(t, b);
        expect(r.status).toBe(200);
        expect((r.body['accepted'] as number) + (r.body['duplicates'] as number)).toBe(2000);
        acked += 2000;
      }
      expect((await post(t, batch('small'))).body).toEqual({ accepted: 5, duplicates: 0 });
      await expectReadsWork(t, key, 3 + acked + 5);
    } finally {
      if (filler) rmSync(filler, { force: true });
      await t.close();
    }
    // A fresh open replays the WAL: the cut-back failed writes left no torn entry behind.
    const again = await DuckDbStore.open({ path: db, clock });
    await again.init();
    const rows = await again.read((c) => c.runAndReadAll('SELECT count(*) AS n FROM events'));
    expect(Number(rows.getRowObjectsJS()[0]!['n'])).toBe(6 + acked + 5);
    await again.close();
  });
});
