/**
 * The DuckDB store's dedupe filter across restarts (src/store/duckdb/dedupe.ts):
 * a retried batch is answered as duplicates whatever state the saved filter
 * file is in (saved, missing, corrupt, from another state of the database,
 * resized, older than the data), start-up reads only the events after the
 * file's mark, and a filter too small to tell anything apart still stores
 * every new event exactly once. Real DuckDB files in a temp folder.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { filterPathOf, HEADER_BYTES } from '../../src/store/duckdb/dedupe-file.js';
import { Dedupe } from '../../src/store/duckdb/dedupe.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-dedupe-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A small filter keeps the files small; 64 KiB holds these tests' few thousand events with ~1e-9 false positives. */
const BYTES = 64 << 10;
const T0 = Date.UTC(2026, 10, 1);

let files = 0;
function freshPath(): string {
  return join(dir, `s${++files}.duckdb`);
}

async function open(path: string, bytes = BYTES): Promise<DuckDbStore> {
  const s = await DuckDbStore.open({
    path,
    upkeep: false,
    dedupeFilterBytes: bytes,
    clock: () => Date.now(),
  });
  await s.init();
  return s;
}

function batch(prefix: string, n: number, org = 'acme'): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    org,
    id: `${prefix}-${i}`,
    type: 'activity',
    ts: T0 + i * 1000,
    actor: `u${i % 7}`,
    value: 1,
    dims: {},
  }));
}

/** Rows and distinct (org, id) pairs in the file, read directly. */
async function counts(path: string): Promise<[number, number]> {
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  try {
    const r = (
      await conn.runAndReadAll("SELECT count(*) AS n, count(DISTINCT org || '/' || id) AS d FROM events")
    ).getRowObjectsJS()[0]!;
    return [Number(r['n']), Number(r['d'])];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

async function whenReady(s: DuckDbStore): Promise<void> {
  for (let i = 0; i < 500 && !s.dedupe!.isReady; i++) await new Promise((r) => setTimeout(r, 10));
  expect(s.dedupe!.isReady).toBe(true);
}

/** A store on a new file holding batches a (300) and b (200), closed cleanly (so its filter is saved). */
async function stored(): Promise<string> {
  const path = freshPath();
  const s = await open(path);
  expect(await s.ingest(batch('a', 300))).toEqual({ accepted: 300, duplicates: 0 });
  expect(await s.ingest(batch('b', 200, 'beta'))).toEqual({ accepted: 200, duplicates: 0 });
  await s.close();
  expect(existsSync(filterPathOf(path))).toBe(true);
  return path;
}

let retries = 0;

/** Reopen, retry both batches and a new one: duplicates and new events as a naive count says. */
async function retryAll(path: string, expectReason: string | null): Promise<DuckDbStore> {
  const fresh = batch(`r${++retries}`, 5);
  const s = await open(path);
  expect(s.dedupe!.rebuiltBecause).toBe(expectReason);
  expect(await s.ingest([...batch('a', 300), ...batch('b', 200, 'beta')])).toEqual({
    accepted: 0,
    duplicates: 500,
  });
  expect(await s.ingest([...batch('a', 300).slice(0, 10), ...fresh])).toEqual({
    accepted: 5,
    duplicates: 10,
  });
  return s;
}

describe('DuckDB dedupe filter across restarts', () => {
  it('answers a batch retried after a restart as duplicates, from the saved filter', async () => {
    const path = await stored();
    const s = await retryAll(path, null);
    expect(s.dedupe!.isReady).toBe(true);
    // The 500 retried events (and the 10 again) were suspects; the 5 new ones were not.
    expect(s.dedupe!.suspects).toBe(510);
    await s.close();
    expect(await counts(path)).toEqual([505, 505]);
  });

  it('reads only the events received after the saved mark at start-up', async () => {
    const path = await stored();
    // Two rows written behind the store's back: one stamped at or below the mark (start-up must
    // not read it, so the filter cannot know it), one after it (start-up must read it).
    const inst = await DuckDBInstance.create(path);
    const conn = await inst.connect();
    const mark = Number(
      (await conn.runAndReadAll('SELECT max(received) AS m FROM events')).getRowObjectsJS()[0]!['m'],
    );
    await conn.run(`INSERT INTO events SELECT * REPLACE (id || '-below' AS id, 1 AS received)
      FROM events WHERE id = 'a-0'`);
    await conn.run(`INSERT INTO events SELECT * REPLACE (id || '-above' AS id, ${mark + 1} AS received)
      FROM events WHERE id = 'a-0'`);
    conn.closeSync();
    inst.closeSync();
    const s = await open(path);
    expect(s.dedupe!.rebuiltBecause).toBeNull();
    expect(s.dedupe!.mark).toBe(mark);
    const [below, above] = await s.read(async (c) =>
      (
        await c.runAndReadAll(
          `SELECT (hash(org, id) >> 32)::UINTEGER AS hi, (hash(org, id) & 4294967295)::UINTEGER AS lo
           FROM events WHERE id IN ('a-0-below', 'a-0-above') ORDER BY id DESC`,
        )
      ).getRows(),
    );
    expect(s.dedupe!.filter.has(Number(below![0]), Number(below![1]))).toBe(false);
    expect(s.dedupe!.filter.has(Number(above![0]), Number(above![1]))).toBe(true);
    expect(await s.ingest([{ ...batch('a', 1)[0]!, id: 'a-0-above' }])).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    await s.close();
  });

  it('stays exact with the filter file missing, then rebuilds and saves it', async () => {
    const path = await stored();
    rmSync(filterPathOf(path));
    // Held back, so that the retries below meet the filter not ready (every event a suspect).
    const held = vi.spyOn(Dedupe.prototype, 'startRebuild').mockImplementation(() => undefined);
    const r = await retryAll(path, 'no filter file');
    expect(r.dedupe!.isReady).toBe(false);
    expect(r.dedupe!.suspects).toBe(515);
    await r.close();
    held.mockRestore();
    // The first retryAll stored its 5 new events: reopening still lacks a file (a filter not
    // ready is never saved), and now rebuilds it in the background.
    const s = await retryAll(path, 'no filter file');
    await whenReady(s);
    expect(await s.ingest(batch('a', 300))).toEqual({ accepted: 0, duplicates: 300 });
    await s.close();
    await (await retryAll(path, null)).close();
  });

  it('stays exact with a corrupt body or header', async () => {
    const path = await stored();
    const flip = (at: number) => {
      const fd = openSync(filterPathOf(path), 'r+');
      writeSync(fd, Buffer.from([0xa5]), 0, 1, at);
      closeSync(fd);
    };
    flip(HEADER_BYTES + 1000);
    await (await retryAll(path, 'body checksum mismatch')).close();
    flip(24);
    await (await retryAll(path, 'header checksum mismatch')).close();
  });

  it('ignores a file from another state of the database, or of another size', async () => {
    const path = await stored();
    const old = `${path}.old`;
    copyFileSync(filterPathOf(path), old);
    const s = await open(path);
    expect(await s.ingest(batch('c', 5))).toEqual({ accepted: 5, duplicates: 0 });
    await s.close();
    // The filter saved before 'c' was stored: its token no longer matches the database's.
    copyFileSync(old, filterPathOf(path));
    const t = await retryAll(path, 'written for another state of the database');
    expect(await t.ingest(batch('c', 5))).toEqual({ accepted: 0, duplicates: 5 });
    await t.close();
    await (await retryAll(path, null)).close();
    const bigger = await open(path, BYTES * 2);
    expect(bigger.dedupe!.rebuiltBecause).toBe('filter size changed');
    expect(await bigger.ingest(batch('c', 5))).toEqual({ accepted: 0, duplicates: 5 });
    await bigger.close();
  });

  it('after a crash, tops the saved filter up from the events after its mark', async () => {
    const path = freshPath();
    const s = await open(path);
    await s.ingest(batch('a', 300));
    await s.saveDedupe();
    await s.ingest(batch('b', 200, 'beta'));
    // The state a crash leaves: the database file and its WAL (synced at each commit) and the
    // filter file as last saved, copied while the store is still open.
    const crashed = freshPath();
    for (const ext of ['', '.wal', '.dedupe'])
      if (existsSync(path + ext)) copyFileSync(path + ext, crashed + ext);
    await s.close();
    const t = await retryAll(crashed, null);
    expect(t.dedupe!.mark).toBeGreaterThan(0);
    await t.close();
    expect(await counts(crashed)).toEqual([505, 505]);
  });

  it('reports a save that fails in upkeepStats, and stays exact without the file', async () => {
    const path = freshPath();
    // A folder where the save's temporary file goes: opening it for writing fails.
    mkdirSync(`${filterPathOf(path)}.tmp`);
    const s = await open(path);
    await s.ingest(batch('a', 300));
    await s.ingest(batch('b', 200, 'beta'));
    await expect(s.saveDedupe()).rejects.toThrow(/EISDIR/);
    expect(s.upkeepStats.lastError).toMatch(/EISDIR/);
    await s.close();
    expect(existsSync(filterPathOf(path))).toBe(false);
    rmSync(`${filterPathOf(path)}.tmp`, { recursive: true });
    await (await retryAll(path, 'no filter file')).close();
  });

  it('settles false positives exactly when the filter is too small to tell events apart', async () => {
    const path = freshPath();
    // One 64-byte block: after a few hundred events nearly every bit is set.
    const s = await open(path, 64);
    expect(await s.ingest(batch('a', 300))).toEqual({ accepted: 300, duplicates: 0 });
    const before = s.dedupe!.suspects;
    expect(await s.ingest(batch('n', 1000))).toEqual({ accepted: 1000, duplicates: 0 });
    // Almost every new event was a suspect, and the exact check found each of them new.
    expect(s.dedupe!.suspects - before).toBeGreaterThan(900);
    expect(await s.ingest([...batch('n', 1000), ...batch('m', 50)])).toEqual({
      accepted: 50,
      duplicates: 1000,
    });
    await s.close();
    expect(await counts(path)).toEqual([1350, 1350]);
  });
});
