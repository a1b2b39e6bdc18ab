/**
 * Staged compaction moves (src/store/duckdb/move-staged.ts): a large time-ordered tail,
 * as after a bulk load, is re-sorted through one sorted copy per period, in transactions
 * of at most the chunk size, and rows deleted between two chunks stay deleted.
 *
 * The store writes the fixture; the pass then runs through compaction.ts's own `compact`
 * on a raw connection whose lane the test wraps, so a deletion lands exactly between two
 * chunk moves and every reader snapshot between tasks can be checked. Expected rows are
 * the stored rows read before the pass (minus what the test deleted, selected by its own
 * predicate), and the layout is checked in physical (rowid) order by counting descents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { compact, PERIOD_MS, type CompactionReport } from '../../src/store/duckdb/compaction.js';
import { all, run } from '../../src/store/duckdb/db.js';
import { rng } from '../engine/random.js';

const DAY = 86_400_000;
const T0 = Math.ceil(Date.parse('2026-01-01T00:00:00Z') / PERIOD_MS) * PERIOD_MS;
const CHUNK = 50;
const EVENTS = 3_000;

type Row = Record<string, unknown>;

/** EVENTS events over 100 days (four periods) in arrival order = ts order, 6 orgs, 3 types, 30 actors. */
function timeOrdered(seed: number): EventRecord[] {
  const rand = rng(seed);
  return Array.from({ length: EVENTS }, (_, k): EventRecord => ({
    org: `org${Math.floor(rand() * 6)}`,
    id: `e${k}`,
    type: ['activity', 'api.request', 'bandwidth'][Math.floor(rand() * 3)]!,
    ts: T0 + Math.floor((k * 100 * DAY) / EVENTS),
    actor: `u${Math.floor(rand() * 30)}`,
    value: Math.floor(rand() * 1000),
    dims: rand() < 0.5 ? { app: `a${Math.floor(rand() * 3)}` } : {},
  }));
}

const DUMP = `SELECT org, id, type, ts, actor, value, CAST(dims AS VARCHAR) AS dims, received
  FROM events ORDER BY org, id`;

/** Descents of (org_no, type, ts) in physical order, per period: 0 everywhere means one sorted run each. */
async function descents(conn: DuckDBConnection): Promise<number[]> {
  const rows = await all(conn, 'SELECT org_no, type, ts FROM events ORDER BY rowid');
  const last = new Map<number, Row>();
  const out = new Map<number, number>();
  for (const r of rows) {
    const p = Math.floor(Number(r['ts']) / PERIOD_MS);
    const prev = last.get(p);
    const down =
      prev !== undefined &&
      (Number(prev['org_no']) !== Number(r['org_no'])
        ? Number(prev['org_no']) > Number(r['org_no'])
        : prev['type'] !== r['type']
          ? String(prev['type']) > String(r['type'])
          : Number(prev['ts']) > Number(r['ts']));
    out.set(p, (out.get(p) ?? 0) + (down ? 1 : 0));
    last.set(p, r);
  }
  return [...out.values()];
}

/** Staging tables left in the file (0 once a pass has ended). */
async function stageTables(conn: DuckDBConnection): Promise<number> {
  const r = await all(conn, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'compact_stage'");
  return Number(r[0]!['n']);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A file holding the time-ordered fixture as 10 commits, never compacted; returns its path. */
async function fixture(seed: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-staged-'));
  dirs.push(dir);
  const path = join(dir, 'tally.duckdb');
  const store = await DuckDbStore.open({ path, upkeep: false, readers: 1 });
  await store.init();
  const events = timeOrdered(seed);
  for (let k = 0; k < events.length; k += 300) await store.ingest(events.slice(k, k + 300));
  await store.close();
  return path;
}

interface Pass {
  report: CompactionReport | null;
  /** Lane tasks run, and the rows each reader snapshot between them saw (count, distinct ids). */
  tasks: number;
  seen: [number, number][];
}

/**
 * One pass over the file through `compact` with a wrapped lane: before lane task `at[k]`,
 * `deletions[k]` runs on the writer as a lane task of its own would.
 */
async function pass(
  path: string,
  opts: { stageChunks: number; deletions?: [number, string][] },
): Promise<Pass & { conn: DuckDBConnection; close: () => void }> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  const reader = await db.connect();
  const seen: [number, number][] = [];
  let tasks = 0;
  const report = await compact({
    conn,
    lane: async (fn) => {
      tasks++;
      for (const [at, sql] of opts.deletions ?? []) if (at === tasks) await run(conn, sql);
      const out = await fn();
      const r = await all(reader, 'SELECT count(*) AS n, count(DISTINCT (org, id)) AS d FROM events');
      seen.push([Number(r[0]!['n']), Number(r[0]!['d'])]);
      return out;
    },
    read: (fn) => fn(reader),
    stop: () => false,
    chunkRows: CHUNK,
    stageChunks: opts.stageChunks,
  });
  return {
    report,
    tasks,
    seen,
    conn,
    close: () => {
      reader.closeSync();
      conn.closeSync();
      db.closeSync();
    },
  };
}

async function rowsOf(path: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  try {
    return await all(conn, DUMP);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('duckdb compaction through a sorted staging copy', () => {
  it('re-sorts a time-ordered tail in chunk-sized transactions, every row kept once with its received', async () => {
    const path = await fixture(1);
    const before = await rowsOf(path);
    expect(before).toHaveLength(EVENTS);
    // Time order: each period's rows run through every org many times.
    const p = await pass(path, { stageChunks: 2 });
    try {
      expect(p.report).toMatchObject({ rows: EVENTS, periods: 4, merged: 0, staged: 4, unstaged: 0 });
      // 3,000 rows in transactions of at most 50: at least 60 lane tasks, none moved more.
      expect(p.report!.largestMove).toBeGreaterThan(0);
      expect(p.report!.largestMove).toBeLessThanOrEqual(CHUNK);
      expect(p.tasks).toBeGreaterThanOrEqual(EVENTS / CHUNK);
      // Between any two tasks a reader saw every row exactly once.
      expect(p.seen.every(([n, d]) => n === EVENTS && d === EVENTS)).toBe(true);
      expect(await all(p.conn, DUMP)).toEqual(before);
      expect(await descents(p.conn)).toEqual([0, 0, 0, 0]);
      expect(await stageTables(p.conn)).toBe(0);
    } finally {
      p.close();
    }
  });

  it('gives the same rows and layout as moving every chunk from events', async () => {
    const staged = await pass(await fixture(2), { stageChunks: 2 });
    const direct = await pass(await fixture(2), { stageChunks: 1_000_000 });
    try {
      expect(staged.report?.staged).toBe(4);
      expect(direct.report?.staged).toBe(0);
      // Every ts in the fixture differs, so the sorted order is unique: same ids, same positions.
      const order = 'SELECT org, id, type, ts FROM events ORDER BY rowid';
      expect(await all(staged.conn, order)).toEqual(await all(direct.conn, order));
      expect(await descents(direct.conn)).toEqual([0, 0, 0, 0]);
      expect(await descents(staged.conn)).toEqual([0, 0, 0, 0]);
    } finally {
      staged.close();
      direct.close();
    }
  });

  // Lane task 1 plans the pass; the first period's copy is taken before task 2, whose
  // chunks (org0 first, in key order) then run: before task 4 two of them have moved.
  it.each([
    {
      what: 'an erasure of one actor',
      sql: "DELETE FROM events WHERE org = 'org1' AND actor = 'u3'",
      hit: (r: Row) => r['org'] === 'org1' && r['actor'] === 'u3',
    },
    {
      what: 'a retention cut of one org',
      sql: `DELETE FROM events WHERE org = 'org2' AND ts < ${T0 + 20 * DAY}`,
      hit: (r: Row) => r['org'] === 'org2' && Number(r['ts']) < T0 + 20 * DAY,
    },
  ])('does not bring back rows that $what deleted between two chunk moves', async ({ sql, hit }) => {
    const path = await fixture(3);
    const before = await rowsOf(path);
    const p = await pass(path, { stageChunks: 2, deletions: [[4, sql]] });
    try {
      const expected = before.filter((r) => !hit(r));
      expect(expected.length).toBeLessThan(before.length - 10);
      expect(await all(p.conn, DUMP)).toEqual(expected);
      expect(await descents(p.conn)).toEqual([0, 0, 0, 0]);
      // The first period's copy still held the deleted rows: their chunks were moved from events.
      expect(p.report!.unstaged).toBeGreaterThan(0);
      expect(p.report!.largestMove).toBeLessThanOrEqual(CHUNK);
    } finally {
      p.close();
    }
  });

  it('drops a staging copy left by a crash, and it never reaches events', async () => {
    const path = await fixture(4);
    const before = await rowsOf(path);
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await run(
      conn,
      "CREATE TABLE compact_stage AS SELECT * REPLACE (id || '-stale' AS id) FROM events LIMIT 40",
    );
    conn.closeSync();
    db.closeSync();
    const p = await pass(path, { stageChunks: 1_000_000 });
    try {
      expect(p.report?.rows).toBe(EVENTS);
      expect(await all(p.conn, DUMP)).toEqual(before);
      expect(await stageTables(p.conn)).toBe(0);
    } finally {
      p.close();
    }
  });
});
