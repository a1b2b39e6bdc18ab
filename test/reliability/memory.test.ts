/**
 * Memory that must not grow with traffic (found by the soak): DuckDB never
 * reclaims rows deleted from a temp table, so ingest staging emptied with
 * DELETE kept every event ever sent in memory, retries included. Retrying
 * the same batch many times stores nothing new, so DuckDB's in-memory
 * tables must stay the size they were after the first commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { NOW } from './harness.js';

const batch: EventRecord[] = Array.from({ length: 200 }, (_, i) => ({
  org: `o${i % 4}`,
  id: `e${i}`,
  type: 'api.request',
  ts: NOW - i * 1000,
  actor: `u${i % 10}`,
  value: 1,
  dims: { service: 'svc', pad: 'x'.repeat(200) },
}));

describe('ingest memory', () => {
  it('does not grow when the same batch is retried 150 times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-mem-'));
    const store = await DuckDbStore.open({ path: join(dir, 'tally.duckdb'), clock: () => NOW });
    await store.init();
    const inMemoryTables = async (): Promise<number> => {
      const rows = await store.read((c) =>
        c.runAndReadAll("SELECT memory_usage_bytes AS b FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'"),
      );
      return Number(rows.getRowObjectsJS()[0]?.['b'] ?? 0);
    };
    try {
      expect(await store.ingest(batch)).toEqual({ accepted: 200, duplicates: 0 });
      const before = await inMemoryTables();
      for (let k = 0; k < 150; k++) expect((await store.ingest(batch)).duplicates).toBe(200);
      // 30,000 staged rows of ~250 bytes would be ~7 MiB if they were kept.
      expect(await inMemoryTables()).toBeLessThanOrEqual(before + 1024 * 1024);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
