/**
 * POST /v1/backup on a DuckDB file while ingestion goes on: the copy holds
 * every batch acknowledged before the backup was asked for, none started
 * after it answered, and each batch whole or not at all; a server on the copy
 * answers exactly like a fresh store given the same batches, and takes writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { battery, lifeApp, loadWorld, type LifeApp } from './app.js';

let dir: string;
const open: LifeApp[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-backup-test-'));
});
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});
const app = async (o: Parameters<typeof lifeApp>[0] = {}): Promise<LifeApp> => {
  const a = await lifeApp(o);
  open.push(a);
  return a;
};

const BATCH = 250;
const batch = (b: number): Record<string, unknown>[] =>
  Array.from({ length: BATCH }, (_, k) => ({
    id: `k${b}-${k}`,
    org: 'load',
    type: 'tick',
    actor: `a${k % 17}`,
    time: '2026-11-10T00:00:00Z',
    value: k,
    dims: { batch: String(b) },
  }));

/** Events per batch number in an app (from a group-by on dims.batch). */
async function perBatch(a: LifeApp): Promise<Map<number, number>> {
  const r = await a.call(
    'GET',
    '/v1/query?org=load&from=2026-11-01&to=2026-11-15&bucket=none&group_by=dims.batch',
  );
  const series = r.json<{ series: { group: Record<string, string>; total: number }[] }>().series;
  return new Map(series.map((s) => [Number(s.group['dims.batch']), s.total]));
}

describe('online backup', () => {
  it('is a consistent copy taken during ingestion, and restores to the same answers', async () => {
    const live = await app({ path: join(dir, 'live.duckdb') });
    await loadWorld(live);
    const acked = new Set<number>();
    const started = new Set<number>();
    let next = 0;
    let stop = false;
    const writer = async (): Promise<void> => {
      while (!stop) {
        const b = next++;
        started.add(b);
        const r = await live.call('POST', '/v1/events', { body: batch(b) });
        if (r.statusCode !== 200) throw new Error(r.body);
        acked.add(b);
      }
    };
    const writers = [writer(), writer()];
    while (acked.size < 6) await new Promise((r) => setTimeout(r, 5));
    const ackedBefore = new Set(acked);
    const res = await live.call('POST', '/v1/backup');
    const startedBefore = new Set(started);
    while (started.size < startedBefore.size + 4) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await Promise.all(writers);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(String(res.headers['content-disposition'])).toMatch(
      /^attachment; filename="tally-backup-.*\.duckdb"$/,
    );

    const file = join(dir, 'restored.duckdb');
    writeFileSync(file, res.rawPayload);
    const restored = await app({ path: file });
    const counts = await perBatch(restored);
    for (const b of ackedBefore) expect(counts.get(b), `batch ${b}`).toBe(BATCH);
    for (const [b, n] of counts) {
      expect(n, `batch ${b} is whole`).toBe(BATCH);
      expect(startedBefore.has(b), `batch ${b} started before the backup answered`).toBe(true);
    }
    expect(counts.size).toBeLessThan(started.size);

    const reference = await app();
    await loadWorld(reference);
    for (const b of counts.keys()) await reference.call('POST', '/v1/events', { body: batch(b) });
    expect(await battery(restored)).toEqual(await battery(reference));
    expect(await perBatch(restored)).toEqual(await perBatch(reference));
    // The copy is a working store: keys, upserts and dedupe all carry over.
    expect((await restored.call('PUT', '/v1/orgs/acme', { body: { name: 'Acme' } })).statusCode).toBe(200);
    expect((await restored.call('POST', '/v1/events', { body: batch(0) })).json()).toEqual({
      accepted: counts.has(0) ? 0 : BATCH,
      duplicates: counts.has(0) ? BATCH : 0,
    });
  });

  it('needs an admin key over every org', async () => {
    const live = await app();
    const scoped = await live.newKey('admin', ['acme']);
    expect((await live.call('POST', '/v1/backup', { key: scoped.key })).json()).toMatchObject({
      error: { code: 'forbidden' },
    });
  });
});
