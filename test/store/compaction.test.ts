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
import { keyChunks, rangeWhere, type KeyCell } from '../../src/store/duckdb/move-chunks.js';
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

/**
 * The suite runs twice: with the default chunk (every move here fits one transaction), and with
 * moves cut into key ranges of at most 50 rows, as a large store's are (move-chunks.ts).
 */
describe.each([
  { chunk: 'default', moveChunkRows: undefined },
  { chunk: '50 rows', moveChunkRows: 50 },
])('duckdb compaction, chunk $chunk', ({ moveChunkRows }) => {
  const open = async (path = ':memory:', clock = () => T0 + 400 * DAY): Promise<DuckDbStore> => {
    const s = await DuckDbStore.open({
      path,
      clock,
      upkeep: false,
      readers: 2,
      ...(moveChunkRows ? { moveChunkRows } : {}),
    });
    await s.init();
    return s;
  };

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
    expect(report).toMatchObject({ rows: 0, mergedRows: 1200 });
    // 1,200 rows spread thin over (org, type, day) cells: one transaction, or 24 of at most 50 rows.
    if (moveChunkRows) expect(report!.mergeChunks).toBeGreaterThanOrEqual(24);
    else expect(report!.mergeChunks).toBe(1);
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

describe('compaction move chunks (move-chunks.ts)', () => {
  it('cuts the rollup fold into chunks of whole orgs of at most the chunk size', () => {
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

  const cell = (orgNo: number, type: string, day: number, rows: number): KeyCell => ({
    orgNo,
    type,
    day,
    rows,
  });
  const cells = [
    cell(1, 'a', 10, 5),
    cell(1, 'a', 11, 3),
    cell(1, 'b', 10, 10),
    cell(2, 'a', 3, 1),
    cell(2, 'b', 1, 2),
  ];

  it('groups consecutive cells into chunks of at most the bound, a larger cell alone', () => {
    expect(keyChunks(cells, 8)).toEqual([
      { first: cells[0], last: cells[1], rows: 8 },
      { first: cells[2], last: cells[2], rows: 10 },
      { first: cells[3], last: cells[4], rows: 3 },
    ]);
    expect(keyChunks(cells, 100)).toEqual([{ first: cells[0], last: cells[4], rows: 21 }]);
    expect(keyChunks([], 8)).toEqual([]);
  });

  it('selects exactly the keys from the first cell’s start to the last cell’s end', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Rows at each day's first and last millisecond and the next day's first, for every key part.
    const keys: [number, string, number][] = [];
    for (const o of [0, 1, 2, 3])
      for (const t of ['a', 'ab', 'b', 'c'])
        for (const d of [0, 1, 2, 3, 9, 10, 11, 12]) keys.push([o, t, d * DAY], [o, t, d * DAY + DAY - 1]);
    await conn.run('CREATE TABLE events (org_no INTEGER, type VARCHAR, ts BIGINT)');
    await conn.run(
      `INSERT INTO events VALUES ${keys.map(([o, t, ts]) => `(${o}, '${t}', ${ts})`).join(', ')}`,
    );
    const lt = (x: [number, string, number], y: [number, string, number]): boolean =>
      x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
    for (const [first, last] of [
      [cells[0]!, cells[1]!], // within one org and type
      [cells[2]!, cells[4]!], // across orgs and types
      [cell(1, 'ab', 2, 1), cell(1, 'ab', 2, 1)], // one cell
      [cell(0, 'a', 0, 1), cell(3, 'c', 12, 1)], // everything
    ] as const) {
      const r = rangeWhere({ first, last, rows: 0 }, 1);
      const got = (
        await all(conn, `SELECT org_no, type, ts FROM events WHERE ${r.sql} ORDER BY ALL`, r.params)
      ).map((x): [number, string, number] => [Number(x['org_no']), String(x['type']), Number(x['ts'])]);
      const lo: [number, string, number] = [first.orgNo, first.type, first.day * DAY];
      const hi: [number, string, number] = [last.orgNo, last.type, (last.day + 1) * DAY];
      const want = keys.filter((k) => !lt(k, lo) && lt(k, hi)).sort((x, y) => (lt(x, y) ? -1 : 1));
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThan(0);
    }
    conn.closeSync();
    db.closeSync();
  });
});
