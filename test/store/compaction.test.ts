/**
 * DuckDB compaction (src/store/duckdb/compaction.ts): it moves rows, never
 * changes them, and leaves each period in at most MAX_RUNS sorted runs.
 * Layout is read back in physical order (rowid) and checked by counting
 * descents in (org, type, ts), independently of the compaction code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { MAX_RUNS, orgChunks, PERIOD_MS } from '../../src/store/duckdb/compaction.js';
import { all } from '../../src/store/duckdb/db.js';

const DAY = 86_400_000;
/** The first period start in 2026 (2026-01-07): 100 days from it span exactly four periods. */
const T0 = Math.ceil(Date.parse('2026-01-01T00:00:00Z') / PERIOD_MS) * PERIOD_MS;

/** A seeded PRNG (mulberry32), so every run builds the same events. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let next = 0;
/** `n` events spread over `days` days from T0, in 6 orgs, 3 types. */
function batch(rand: () => number, n: number, days = 100): EventRecord[] {
  return Array.from({ length: n }, (): EventRecord => {
    next++;
    return {
      org: `org${Math.floor(rand() * 6)}`,
      id: `e${next}`,
      type: ['activity', 'api.request', 'bandwidth'][Math.floor(rand() * 3)]!,
      ts: T0 + Math.floor(rand() * days * DAY),
      actor: rand() < 0.2 ? null : `u${Math.floor(rand() * 50)}`,
      value: Math.floor(rand() * 1000),
      dims: rand() < 0.5 ? { app: `a${Math.floor(rand() * 3)}` } : {},
    };
  });
}

type Row = Record<string, unknown>;

/** Every stored row, canonically ordered, dims as JSON text. */
async function dump(store: DuckDbStore): Promise<Row[]> {
  return store.read((c) =>
    all(
      c,
      `SELECT org, id, type, ts, actor, value, CAST(dims AS VARCHAR) AS dims, received
       FROM events ORDER BY org, id`,
    ),
  );
}

/** The compaction order of a row: (org_no, type, ts), org_no padded so text order is numeric order. */
const key = (r: Row): [string, string, number] => [
  String(r['org_no']).padStart(9, '0'),
  String(r['type']),
  Number(r['ts']),
];

/** Sorted runs per period, counted in physical (rowid) order: 1 + descents of (org_no, type, ts). */
async function runsPerPeriod(store: DuckDbStore): Promise<Map<number, number>> {
  const rows = await store.read((c) => all(c, 'SELECT org_no, type, ts FROM events ORDER BY rowid'));
  const last = new Map<number, Row>();
  const runs = new Map<number, number>();
  for (const r of rows) {
    const p = Math.floor(Number(r['ts']) / PERIOD_MS);
    const prev = last.get(p);
    if (!prev) runs.set(p, 1);
    else if (compare(key(prev), key(r)) > 0) runs.set(p, runs.get(p)! + 1);
    last.set(p, r);
  }
  return runs;
}

function compare(a: [string, string, number], b: [string, string, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] - b[2];
}

async function watermarkAndTail(store: DuckDbStore): Promise<{ watermark: number; tail: number }> {
  return store.read(async (c) => {
    const w = await all(c, "SELECT v FROM meta WHERE k = 'compacted_through'");
    const watermark = w[0] ? Number(w[0]['v']) : 0;
    const t = await all(c, 'SELECT count(*) AS n FROM events WHERE received > $1', [watermark]);
    return { watermark, tail: Number(t[0]!['n']) };
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(path = ':memory:', clock = () => T0 + 400 * DAY): Promise<DuckDbStore> {
  const s = await DuckDbStore.open({ path, clock, upkeep: false, readers: 2 });
  await s.init();
  return s;
}

describe('duckdb compaction', () => {
  it('stamps each commit with a strictly higher received, even when the clock stands still', async () => {
    const store = await open();
    const rand = rng(1);
    for (let i = 0; i < 5; i++) await store.ingest(batch(rand, 10));
    const received = [...new Set((await dump(store)).map((r) => Number(r['received'])))].sort();
    expect(received).toEqual([0, 1, 2, 3, 4].map((i) => T0 + 400 * DAY + i));
    await store.close();
  });

  it('moves rows without changing any, and sorts each period into runs', async () => {
    const store = await open();
    const rand = rng(2);
    for (let i = 0; i < 8; i++) await store.ingest(batch(rand, 300));
    const before = await dump(store);
    // Eight commits over four periods: each period holds eight runs (one per commit) before.
    expect(Math.max(...(await runsPerPeriod(store)).values())).toBe(8);

    const report = await store.compact();
    expect(report).toMatchObject({ rows: 2400, periods: 4, merged: 0 });
    expect(await dump(store)).toEqual(before);
    expect([...(await runsPerPeriod(store)).values()]).toEqual([1, 1, 1, 1]);
    expect(await watermarkAndTail(store)).toEqual({
      watermark: Math.max(...before.map((r) => Number(r['received']))),
      tail: 0,
    });
    expect(await store.compact()).toBeNull();
    await store.close();
  });

  it('adds one run per pass and merges a period once it holds MAX_RUNS', async () => {
    const store = await open();
    const rand = rng(3);
    // Every pass lands rows in the same single period (days 0-9).
    for (let pass = 1; pass <= MAX_RUNS + 2; pass++) {
      await store.ingest(batch(rand, 100, 10));
      await store.ingest(batch(rand, 100, 10));
      const before = await dump(store);
      const report = await store.compact();
      expect(await dump(store)).toEqual(before);
      const expected = pass <= MAX_RUNS ? pass : pass - MAX_RUNS;
      expect(report?.merged).toBe(pass === MAX_RUNS + 1 ? 1 : 0);
      expect(report?.rows).toBe(pass === MAX_RUNS + 1 ? 200 * pass : 200);
      expect([...(await runsPerPeriod(store)).values()]).toEqual([expected]);
      const recorded = await store.read((c) => all(c, 'SELECT period, runs FROM compaction'));
      expect(recorded).toEqual([{ period: Math.floor(T0 / PERIOD_MS), runs: expected }]);
    }
    await store.close();
  });

  it('loses nothing that is ingested while a pass runs, and sorts it on the next pass', async () => {
    const store = await open();
    const rand = rng(4);
    for (let i = 0; i < 6; i++) await store.ingest(batch(rand, 500));
    const during = Array.from({ length: 6 }, () => batch(rand, 200));
    const [report, ...results] = await Promise.all([store.compact(), ...during.map((b) => store.ingest(b))]);
    expect(report?.rows).toBeGreaterThanOrEqual(3000);
    expect(results.map((r) => r.accepted)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await dump(store)).length).toBe(4200);
    await store.compact();
    expect((await watermarkAndTail(store)).tail).toBe(0);
    expect(Math.max(...(await runsPerPeriod(store)).values())).toBeLessThanOrEqual(2);
    // Dedupe still holds for rows that moved.
    const again = await store.ingest([...during[0]!, ...batch(rand, 1)]);
    expect(again).toEqual({ accepted: 1, duplicates: 200 });
    await store.close();
  });

  it('keeps the watermark and the received stamps across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-compact-'));
    dirs.push(dir);
    const path = join(dir, 'tally.duckdb');
    const rand = rng(5);
    let store = await open(path);
    await store.ingest(batch(rand, 100));
    await store.compact();
    const { watermark } = await watermarkAndTail(store);
    await store.close();
    store = await open(path);
    await store.ingest(batch(rand, 50));
    expect(await watermarkAndTail(store)).toEqual({ watermark, tail: 50 });
    const received = (await dump(store)).map((r) => Number(r['received']));
    expect(Math.max(...received)).toBe(watermark + 1);
    await store.close();
  });

  it('merges the closed periods into one run across them, once per closed period', async () => {
    const store = await open();
    const rand = rng(7);
    for (let i = 0; i < 3; i++) {
      await store.ingest(batch(rand, 400));
      await store.compact();
    }
    expect(Math.max(...(await runsPerPeriod(store)).values())).toBe(3);
    const before = await dump(store);
    // The store's clock is 400 days after T0: all four periods of data are closed.
    const report = await store.compact({ mergeClosed: true });
    expect(report).toMatchObject({ rows: 0, mergedRows: 1200, mergeChunks: 1 });
    expect(await dump(store)).toEqual(before);
    // One run over all of them: in physical order the whole table is sorted by (org_no, type, ts).
    const rows = await store.read((c) => all(c, 'SELECT org_no, type, ts FROM events ORDER BY rowid'));
    const descents = rows.filter((r, k) => k > 0 && compare(key(rows[k - 1]!), key(r)) > 0).length;
    expect(descents).toBe(0);
    const recorded = await store.read((c) =>
      all(
        c,
        "SELECT (SELECT max(runs) FROM compaction) AS runs, (SELECT v FROM meta WHERE k = 'merged_through') AS m",
      ),
    );
    expect(recorded).toEqual([{ runs: 1, m: String(Math.floor((T0 + 400 * DAY) / PERIOD_MS) - 1) }]);
    // Done for this clock: nothing to sort, nothing to merge.
    expect(await store.compact({ mergeClosed: true })).toBeNull();
    // A late event in a closed period adds a run to it, as any tail does.
    await store.ingest(batch(rand, 20, 10));
    expect(await store.compact()).toMatchObject({ rows: 20, periods: 1 });
    expect(Math.max(...(await runsPerPeriod(store)).values())).toBe(2);
    await store.close();
  });

  it('cuts a merge into chunks of whole orgs of at most the chunk size', () => {
    const counts: [number, number][] = [
      [1, 5],
      [2, 3],
      [3, 10],
      [4, 1],
      [7, 2],
    ];
    expect(orgChunks(counts, 8)).toEqual([
      [1, 2],
      [3, 3],
      [4, 7],
    ]);
    expect(orgChunks(counts, 100)).toEqual([[1, 7]]);
    expect(orgChunks([], 8)).toEqual([]);
  });

  it('compacts in the background once the tail passes its limit', async () => {
    const store = await DuckDbStore.open({
      path: ':memory:',
      clock: () => T0,
      upkeep: { tailRows: 500, idleMs: 3_600_000, checkpointIdleMs: 3_600_000 },
    });
    await store.init();
    const rand = rng(6);
    await store.ingest(batch(rand, 300));
    expect(store.upkeepStats.compactions).toBe(0);
    await store.ingest(batch(rand, 300));
    await expect.poll(() => store.upkeepStats.compactions, { timeout: 10_000 }).toBe(1);
    expect(store.upkeepStats).toMatchObject({ compactedRows: 600, lastError: null });
    expect((await watermarkAndTail(store)).tail).toBe(0);
    await store.close();
  });
});
