/**
 * POST /v1/events through HTTP in-process: shapes, atomic batches, dedupe,
 * limits, group commit. Expected values are counted by hand from the inputs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { all } from '../../src/store/duckdb/db.js';
import { ev, makeApp, NOW, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

async function storedIds(org = 'acme'): Promise<string[]> {
  const rows = await t.duckdb().read((c) => all(c, 'SELECT id FROM events WHERE org = ? ORDER BY id', [org]));
  return rows.map((r) => String(r['id']));
}

describe('POST /v1/events', () => {
  it('accepts one event, an array, and NDJSON', async () => {
    expect((await t.call('POST', '/v1/events', { body: ev({ id: 'a' }) })).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect((await t.call('POST', '/v1/events', { body: [ev({ id: 'b' }), ev({ id: 'c' })] })).json()).toEqual(
      { accepted: 2, duplicates: 0 },
    );
    const nd = `${JSON.stringify(ev({ id: 'd' }))}\n\n${JSON.stringify(ev({ id: 'e', time: 1763460000 }))}\n`;
    const res = await t.call('POST', '/v1/events', {
      raw: nd,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await storedIds()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('stores the fields as sent, value defaulting to 1 and dims as strings', async () => {
    await t.call('POST', '/v1/events', {
      body: [
        ev({
          id: 'x',
          actor: 'u1',
          value: 2.5,
          time: '2026-11-19T10:00:00.123+02:00',
          dims: { app: 'a1', n: 3, ok: true },
        }),
        ev({ id: 'y', time: 1763546400 }),
      ],
    });
    const rows = await t
      .duckdb()
      .read((c) =>
        all(
          c,
          "SELECT id, ts, actor, value, dims['app'] app, dims['n'] n, dims['ok'] ok FROM events ORDER BY id",
        ),
      );
    expect(rows).toEqual([
      {
        id: 'x',
        ts: Date.UTC(2026, 10, 19, 8, 0, 0, 123),
        actor: 'u1',
        value: 2.5,
        app: 'a1',
        n: '3',
        ok: 'true',
      },
      { id: 'y', ts: 1763546400 * 1000, actor: null, value: 1, app: null, n: null, ok: null },
    ]);
  });

  it('counts a repeated (org, id) as a duplicate and keeps the first', async () => {
    await t.call('POST', '/v1/events', { body: ev({ id: 'a', value: 1 }) });
    const res = await t.call('POST', '/v1/events', {
      body: [ev({ id: 'a', value: 9 }), ev({ id: 'b' }), ev({ id: 'b' }), ev({ id: 'a', org: 'other' })],
    });
    expect(res.json()).toEqual({ accepted: 2, duplicates: 2 });
    const rows = await t
      .duckdb()
      .read((c) => all(c, "SELECT org, id, value FROM events WHERE id = 'a' ORDER BY org"));
    expect(rows).toEqual([
      { org: 'acme', id: 'a', value: 1 },
      { org: 'other', id: 'a', value: 1 },
    ]);
  });

  it('refuses a batch with any invalid event, reporting index and path, and stores nothing', async () => {
    const res = await t.call('POST', '/v1/events', {
      body: [
        ev({ id: 'ok' }),
        ev({ id: '' }),
        ev({ type: 'has space' }),
        ev({ time: '2026-11-19 10:00' }),
        ev({ time: new Date(NOW + 6 * 60_000).toISOString() }),
        ev({ dims: { k: 'x'.repeat(513) } }),
        { id: 'z', type: 't', org: 'acme' },
        ev({ extra: 1 }),
        ev({ time: '2026-02-30T00:00:00Z' }),
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: { code: string; details: { index: number; path: string }[] } }>();
    expect(body.error.code).toBe('invalid_event');
    const where = body.error.details.map((d) => `${d.index}${d.path}`);
    expect(where).toEqual(expect.arrayContaining(['1/id', '2/type', '3/time', '4/time', '6/time', '8/time']));
    expect(where.some((w) => w.startsWith('5/dims'))).toBe(true);
    expect(where.some((w) => w.startsWith('7/'))).toBe(true);
    expect(where.some((w) => w.startsWith('0/'))).toBe(false);
    expect(await storedIds()).toEqual([]);
  });

  it('allows exactly 5 minutes of future skew', async () => {
    expect(
      (await t.call('POST', '/v1/events', { body: ev({ time: new Date(NOW + 300_000).toISOString() }) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.call('POST', '/v1/events', { body: ev({ time: new Date(NOW + 301_000).toISOString() }) }))
        .statusCode,
    ).toBe(400);
  });

  it('answers 413 above 10,000 events or 10 MiB', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ev({ id: `m${i}` }));
    const res = await t.call('POST', '/v1/events', { body: many });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('payload_too_large');
    const big = JSON.stringify([ev({ dims: { k: 'x'.repeat(500) } })]).padEnd(10 * 1024 * 1024 + 10, ' ');
    const res2 = await t.call('POST', '/v1/events', {
      raw: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(res2.statusCode).toBe(413);
    expect(await storedIds()).toEqual([]);
  });

  it('answers 400 in the native shape for malformed JSON and NDJSON', async () => {
    const res = await t.call('POST', '/v1/events', {
      raw: '{"id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('invalid_request');
    const nd = await t.call('POST', '/v1/events', {
      raw: `${JSON.stringify(ev())}\nnot json\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(nd.statusCode).toBe(400);
    expect(nd.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      { index: 1, path: '/', message: 'is not valid JSON' },
    ]);
  });

  it('creates an unknown org as a root org in UTC', async () => {
    await t.call('POST', '/v1/events', { body: ev({ org: 'newco' }) });
    const res = await t.call('GET', '/v1/orgs/newco');
    expect(res.json()).toMatchObject({ id: 'newco', parent: null, timezone: 'UTC' });
  });

  it('enforces the ingest role and the key orgs', async () => {
    const read = await t.newKey('read', ['acme']);
    expect((await t.call('POST', '/v1/events', { key: read, body: ev() })).statusCode).toBe(403);
    const ingest = await t.newKey('ingest', ['acme']);
    expect((await t.call('POST', '/v1/events', { key: ingest, body: ev({ id: 'in' }) })).statusCode).toBe(
      200,
    );
    const res = await t.call('POST', '/v1/events', {
      key: ingest,
      body: [ev({ id: 'in2' }), ev({ id: 'out', org: 'globex' })],
    });
    expect(res.statusCode).toBe(403);
    expect(await storedIds()).toEqual(['in']);
  });

  it('shares commits between concurrent requests (group commit)', async () => {
    const before = t.duckdb().ingestCommits;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.call('POST', '/v1/events', { body: [ev({ id: `g${i}a` }), ev({ id: `g${i}b` })] }),
      ),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect((await storedIds()).length).toBe(80);
    expect(t.duckdb().ingestCommits - before).toBeLessThan(40);
  });

  it('records first-seen actors with kind user', async () => {
    await t.call('POST', '/v1/events', {
      body: [
        ev({ actor: 'dev1', time: '2026-11-19T10:00:00Z' }),
        ev({ actor: 'dev1', time: '2026-11-18T09:00:00Z' }),
      ],
    });
    const res = await t.call('GET', '/v1/orgs/acme/actors/dev1');
    expect(res.json()).toMatchObject({
      kind: 'user',
      first_seen: '2026-11-18T09:00:00.000Z',
      created_at: null,
    });
  });
});
