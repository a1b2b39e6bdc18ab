/**
 * GET /v1/orgs/{id}/export on DuckDB: NDJSON lines in the ingest shape and
 * Parquet, filtered by time and type, that load back into an empty store with
 * every answer of the battery unchanged; a multi-page export; bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEventsParquet } from '../../src/store/parquet.js';
import { battery, lifeApp, loadWorld, ORGS, PROFILES, type LifeApp } from './app.js';

let t: LifeApp;
let copy: LifeApp;
let dir: string;
beforeEach(async () => {
  t = await lifeApp();
  copy = await lifeApp();
  await loadWorld(t);
  dir = mkdtempSync(join(tmpdir(), 'tally-export-test-'));
});
afterEach(async () => {
  await t.close();
  await copy.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The copy gets the org tree and profiles (configuration, not events), as a restore would. */
async function configure(app: LifeApp): Promise<void> {
  for (const [id, body] of ORGS) await app.call('PUT', `/v1/orgs/${id}`, { body });
  await app.call('POST', '/v1/actors', { body: PROFILES });
}

describe('NDJSON export', () => {
  it('filters by type and time, in the shape POST /v1/events takes', async () => {
    const r = await t.call('GET', '/v1/orgs/acme/export?type=activity&from=2026-11-04&to=2026-11-06');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    // acme only (no subtree), activity in [11-04, 11-06): e2 and e3, by time.
    expect(r.body).toBe(
      [
        '{"id":"e2","type":"activity","time":"2026-11-05T09:00:00.000Z","org":"acme","actor":"u1","value":1,"dims":{"workspace":"w1","workspace_type":"standard"}}',
        '{"id":"e3","type":"activity","time":"2026-11-05T10:00:00.000Z","org":"acme","actor":"d1","value":1,"dims":{"workspace":"w2","workspace_type":"development"}}',
        '',
      ].join('\n'),
    );
    const storage = await t.call('GET', '/v1/orgs/acme/export?type=storage,api.request&to=1793750400');
    expect(
      storage.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        id: 'e5',
        type: 'api.request',
        time: '2026-11-03T11:00:00.000Z',
        org: 'acme',
        actor: 'u1',
        value: 1,
        dims: { endpoint: '/api/v1/assets' },
      },
      {
        id: 'e6',
        type: 'api.request',
        time: '2026-11-03T12:00:00.000Z',
        org: 'acme',
        actor: 'u1',
        value: 1,
        dims: { endpoint: '/api/v1/assets' },
      },
    ]);
  });

  it('round-trips: loaded into an empty store, every answer is the same', async () => {
    await configure(copy);
    for (const org of ['acme', 'beta']) {
      const r = await t.call('GET', `/v1/orgs/${org}/export?subtree=true`);
      const load = await copy.call('POST', '/v1/events', { raw: r.body });
      expect(load.statusCode, load.body).toBe(200);
    }
    expect(await battery(copy)).toEqual(await battery(t));
  });

  it('streams more than one page, each event once', async () => {
    const many = Array.from({ length: 12_001 }, (_, k) => ({
      id: `m${k}`,
      org: 'beta',
      type: 'tick',
      time: Date.UTC(2026, 10, 10) / 1000 + (k % 50),
    }));
    for (let k = 0; k < many.length; k += 6000)
      expect((await t.call('POST', '/v1/events', { body: many.slice(k, k + 6000) })).statusCode).toBe(200);
    const r = await t.call('GET', '/v1/orgs/beta/export?type=tick');
    const lines = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; time: string });
    expect(lines.length).toBe(12_001);
    expect(new Set(lines.map((l) => l.id)).size).toBe(12_001);
    expect(lines.map((l) => l.time)).toEqual([...lines.map((l) => l.time)].sort());
  });
});

describe('Parquet export', () => {
  it('round-trips through the Parquet reader into an empty store', async () => {
    await configure(copy);
    for (const org of ['acme', 'beta']) {
      const r = await t.call('GET', `/v1/orgs/${org}/export?subtree=true&format=parquet`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.apache.parquet');
      expect(r.rawPayload.subarray(0, 4).toString()).toBe('PAR1');
      const file = join(dir, `${org}.parquet`);
      writeFileSync(file, r.rawPayload);
      for await (const page of readEventsParquet(file)) await copy.store.ingest(page);
    }
    expect(await battery(copy)).toEqual(await battery(t));
  });
});

describe('export errors', () => {
  it('answers bad parameters with 400, unknown orgs with 404, others with 403', async () => {
    const betaAdmin = await t.newKey('admin', ['beta']);
    for (const q of [
      'format=csv',
      'from=yesterday',
      'from=2026-11-05&to=2026-11-04',
      'type=a%20b',
      'extra=1',
    ])
      expect((await t.call('GET', `/v1/orgs/acme/export?${q}`)).json(), q).toMatchObject({
        error: { code: 'invalid_request' },
      });
    expect((await t.call('GET', '/v1/orgs/nope/export')).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/orgs/acme/export', { key: betaAdmin.key })).statusCode).toBe(403);
  });
});
