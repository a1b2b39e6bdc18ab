/**
 * GET /v1/audit: every deletion is listed with who, what, when and how much,
 * newest first, and a key sees only entries about orgs it covered. The
 * expected lists are worked out by hand from the four operations below.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeApp, loadWorld, type LifeApp } from './app.js';

interface Entry {
  id: string;
  at: string;
  key_id: string | null;
  op: string;
  params: Record<string, unknown>;
  orgs: string[];
  deleted: Record<string, number>;
}

let t: LifeApp;
const keys: Record<string, { key: string; id: string }> = {};
/** Entry ids by operation, in the order they ran. */
const ids: string[] = [];

beforeAll(async () => {
  t = await lifeApp();
  await loadWorld(t);
  keys['acme'] = await t.newKey('admin', ['acme']);
  keys['beta'] = await t.newKey('admin', ['beta']);
  keys['both'] = await t.newKey('admin', ['acme', 'beta']);
  keys['reader'] = await t.newKey('read', ['*']);
  const ops: [string, string, unknown, string | undefined][] = [
    ['DELETE', '/v1/orgs/acme-eu/actors/u1', undefined, keys['acme'].key], // 0: acme-eu
    ['POST', '/v1/events/delete', { events: [{ org: 'beta', id: 'b2' }] }, keys['beta'].key], // 1: beta
    ['DELETE', '/v1/actors/u3', undefined, undefined], // 2: every org (operator)
    [
      'POST',
      '/v1/events/delete',
      {
        events: [
          { org: 'acme', id: 'e1' },
          { org: 'beta', id: 'b1' },
        ],
      },
      undefined,
    ], // 3: acme + beta
  ];
  for (const [method, url, body, key] of ops) {
    const r = await t.call(method, url, { body, key });
    if (r.statusCode !== 200) throw new Error(r.body);
    ids.push(r.json<{ audit: { id: string } }>().audit.id);
  }
});
afterAll(async () => {
  await t.close();
});

const list = async (query: string, key?: string): Promise<{ entries: Entry[]; next: string | null }> => {
  const r = await t.call('GET', `/v1/audit${query}`, { key });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

describe('the audit log', () => {
  it('records who, what, when and how much, newest first', async () => {
    const { entries, next } = await list('');
    expect(entries.map((e) => e.id)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(next).toBeNull();
    expect(entries[3]).toEqual({
      id: ids[0],
      at: '2026-11-20T12:00:00.000Z',
      key_id: keys['acme']!.id,
      op: 'erase_actor',
      params: { actor_sha256: createHash('sha256').update('u1').digest('hex'), orgs: ['acme-eu'] },
      orgs: ['acme-eu'],
      deleted: { events: 2, actors: 1, orgs: 0, keys: 0 }, // e1 and e9 of acme-eu, and its profile
    });
    expect(entries[2]).toMatchObject({
      key_id: keys['beta']!.id,
      op: 'delete_events',
      deleted: { events: 1 },
    });
    // u3 lives in beta only: b2 was deleted before, so only its profile (known from that event) is left.
    expect(entries[1]).toMatchObject({ key_id: 'env-admin', orgs: ['*'], deleted: { events: 0, actors: 1 } });
    expect(entries[0]).toMatchObject({
      params: {
        events: [
          { org: 'acme', id: 'e1' },
          { org: 'beta', id: 'b1' },
        ],
      },
      orgs: ['acme', 'beta'],
      deleted: { events: 2 },
    });
  });

  it('shows a key only the entries about orgs it covered', async () => {
    const seen = async (key: string): Promise<string[]> => (await list('', key)).entries.map((e) => e.id);
    expect(await seen(keys['acme']!.key)).toEqual([ids[0]]);
    expect(await seen(keys['beta']!.key)).toEqual([ids[1]]);
    expect(await seen(keys['both']!.key)).toEqual([ids[3], ids[1], ids[0]]);
    expect((await list('?org=acme')).entries.map((e) => e.id)).toEqual([ids[3], ids[0]]);
    expect((await t.call('GET', '/v1/audit?org=beta', { key: keys['acme']!.key })).statusCode).toBe(403);
  });

  it('pages with limit and next', async () => {
    const got: string[] = [];
    let query = '?limit=1';
    for (let page = 0; page < 10; page++) {
      const { entries, next } = await list(query);
      got.push(...entries.map((e) => e.id));
      if (next === null) break;
      query = `?limit=1&before=${next}`;
    }
    expect(got).toEqual([ids[3], ids[2], ids[1], ids[0]]);
  });

  it('is for admin keys, with bounded parameters', async () => {
    expect((await t.call('GET', '/v1/audit', { key: keys['reader']!.key })).statusCode).toBe(403);
    expect((await t.call('GET', '/v1/audit', { key: null })).statusCode).toBe(401);
    for (const q of ['?limit=0', '?limit=1001', '?limit=x', '?what=1'])
      expect((await t.call('GET', `/v1/audit${q}`)).json()).toMatchObject({
        error: { code: 'invalid_request' },
      });
  });
});
