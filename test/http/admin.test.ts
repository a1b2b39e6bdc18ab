/**
 * Keys, orgs and actors through HTTP in-process: authentication forms,
 * roles, org subtrees, revocation, the org tree's rules, actor patches.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { all } from '../../src/store/duckdb/db.js';
import { makeApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const code = (res: LightMyRequestResponse): string => res.json<{ error: { code: string } }>().error.code;

describe('keys', () => {
  it('creates a key whose secret is shown once and stored only as a hash', async () => {
    const res = await t.call('POST', '/v1/keys', { body: { name: 'ci', role: 'read', orgs: ['acme'] } });
    expect(res.statusCode).toBe(201);
    const k = res.json<{
      id: string;
      key: string;
      name: string;
      role: string;
      orgs: string[];
      created_at: string;
    }>();
    expect(k).toMatchObject({
      name: 'ci',
      role: 'read',
      orgs: ['acme'],
      created_at: '2026-11-20T12:00:00.000Z',
    });
    const rows = await t.duckdb().read((c) => all(c, 'SELECT * FROM api_keys'));
    expect(JSON.stringify(rows)).not.toContain(k.key);
    const list = (await t.call('GET', '/v1/keys')).json<{ keys: Record<string, unknown>[] }>();
    expect(list.keys).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(k.key);
  });

  it('accepts the three native header forms', async () => {
    const key = await t.newKey('read', ['acme']);
    for (const headers of [
      { authorization: `Bearer ${key}` },
      { authorization: key },
      { 'x-api-key': key },
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/orgs', headers });
      expect(res.statusCode).toBe(200);
    }
  });

  it('answers 401 for no key, an unknown key, and a revoked key at once', async () => {
    expect(code(await t.call('GET', '/v1/orgs', { key: null }))).toBe('unauthenticated');
    expect((await t.call('GET', '/v1/orgs', { key: 'nope' })).statusCode).toBe(401);
    const key = await t.newKey('read', ['acme']);
    const id = (await t.call('GET', '/v1/keys')).json<{ keys: { id: string }[] }>().keys[0]!.id;
    // A forged secret with the right id but another tail is refused.
    expect((await t.call('GET', '/v1/orgs', { key: `${key.slice(0, -4)}AAAA` })).statusCode).toBe(401);
    expect((await t.call('DELETE', `/v1/keys/${id}`)).statusCode).toBe(204);
    expect((await t.call('GET', '/v1/orgs', { key })).statusCode).toBe(401);
    expect((await t.call('DELETE', `/v1/keys/${id}`)).statusCode).toBe(404);
  });

  it('answers 403 outside the role, and scoped admins grant only their reach', async () => {
    const read = await t.newKey('read', ['acme']);
    expect(
      code(
        await t.call('POST', '/v1/keys', { key: read, body: { name: 'x', role: 'read', orgs: ['acme'] } }),
      ),
    ).toBe('forbidden');
    // An admin-only route names admin once, and the key's own role.
    const denied = await t.call('GET', '/v1/keys', { key: read });
    expect(denied.json<{ error: { message: string } }>().error.message).toBe(
      "This needs a key with role admin; this key's role is read.",
    );
    const ingest = await t.newKey('ingest', ['acme']);
    const query = await t.call('GET', '/v1/query?org=acme&type=x&last=1d', { key: ingest });
    expect(query.json<{ error: { message: string } }>().error.message).toBe(
      "This needs a key with role admin or read; this key's role is ingest.",
    );
    await t.call('PUT', '/v1/orgs/acme', { body: {} });
    await t.call('PUT', '/v1/orgs/acme-eu', { body: { parent: 'acme' } });
    const scoped = await t.newKey('admin', ['acme']);
    expect(
      (
        await t.call('POST', '/v1/keys', {
          key: scoped,
          body: { name: 'x', role: 'read', orgs: ['acme-eu'] },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await t.call('POST', '/v1/keys', { key: scoped, body: { name: 'x', role: 'read', orgs: ['globex'] } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('POST', '/v1/keys', { key: scoped, body: { name: 'x', role: 'read', orgs: ['*'] } }))
        .statusCode,
    ).toBe(403);
  });

  it('validates the body in the native error shape', async () => {
    const res = await t.call('POST', '/v1/keys', { body: { name: 'x', role: 'owner', orgs: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('orgs', () => {
  it('creates, patches keeping omitted fields, and reads back', async () => {
    const put = await t.call('PUT', '/v1/orgs/acme', {
      body: { name: 'Acme', domain: 'Acme.com', timezone: 'Europe/London' },
    });
    expect(put.json()).toEqual({
      id: 'acme',
      name: 'Acme',
      parent: null,
      domain: 'acme.com',
      timezone: 'Europe/London',
      created_at: '2026-11-20T12:00:00.000Z',
    });
    const patch = await t.call('PUT', '/v1/orgs/acme', { body: { name: 'ACME Inc' } });
    expect(patch.json()).toMatchObject({ name: 'ACME Inc', domain: 'acme.com', timezone: 'Europe/London' });
    expect((await t.call('GET', '/v1/orgs/acme')).json()).toMatchObject({ name: 'ACME Inc' });
  });

  it('refuses a missing parent, a cycle, and an unknown timezone with 400', async () => {
    await t.call('PUT', '/v1/orgs/a', { body: {} });
    await t.call('PUT', '/v1/orgs/b', { body: { parent: 'a' } });
    await t.call('PUT', '/v1/orgs/c', { body: { parent: 'b' } });
    expect((await t.call('PUT', '/v1/orgs/x', { body: { parent: 'ghost' } })).statusCode).toBe(400);
    expect((await t.call('PUT', '/v1/orgs/a', { body: { parent: 'c' } })).statusCode).toBe(400);
    expect((await t.call('PUT', '/v1/orgs/a', { body: { parent: 'a' } })).statusCode).toBe(400);
    expect((await t.call('PUT', '/v1/orgs/a', { body: { timezone: 'Mars/Olympus' } })).statusCode).toBe(400);
    expect((await t.call('PUT', '/v1/orgs/a', { body: { timezone: 'Asia/Kathmandu' } })).statusCode).toBe(
      200,
    );
  });

  it('shows a key only its orgs and their descendants', async () => {
    for (const [id, parent] of [
      ['root', null],
      ['kid', 'root'],
      ['grandkid', 'kid'],
      ['other', null],
    ] as const) {
      await t.call('PUT', `/v1/orgs/${id}`, { body: { parent } });
    }
    const key = await t.newKey('read', ['kid']);
    const ids = (await t.call('GET', '/v1/orgs', { key }))
      .json<{ orgs: { id: string }[] }>()
      .orgs.map((o) => o.id);
    expect(ids.sort()).toEqual(['grandkid', 'kid']);
    expect((await t.call('GET', '/v1/orgs/root', { key })).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/orgs/grandkid', { key })).statusCode).toBe(200);
    expect((await t.call('PUT', '/v1/orgs/kid', { key, body: { name: 'k' } })).statusCode).toBe(403);
  });
});

describe('actors', () => {
  it('puts one actor, then patches it keeping omitted fields; null clears', async () => {
    const res = await t.call('PUT', '/v1/orgs/acme/actors/u1', {
      body: {
        kind: 'developer',
        created_at: '2026-01-02T03:04:05Z',
        first_name: 'Ada',
        last_name: 'Lovelace',
        props: { plan: 'pro' },
      },
    });
    expect(res.json()).toEqual({
      org: 'acme',
      id: 'u1',
      kind: 'developer',
      created_at: '2026-01-02T03:04:05.000Z',
      deleted_at: null,
      first_name: 'Ada',
      last_name: 'Lovelace',
      props: { plan: 'pro' },
      first_seen: null,
    });
    const patched = await t.call('PUT', '/v1/orgs/acme/actors/u1', {
      body: { deleted_at: '2026-06-01T00:00:00Z', last_name: null },
    });
    expect(patched.json()).toMatchObject({
      kind: 'developer',
      first_name: 'Ada',
      last_name: null,
      deleted_at: '2026-06-01T00:00:00.000Z',
    });
  });

  it('bulk-loads actors atomically and reports faults by index', async () => {
    const bad = await t.call('POST', '/v1/actors', {
      body: [
        { org: 'acme', id: 'a' },
        { org: 'acme', id: 'b', created_at: 'yesterday' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      expect.objectContaining({ index: 1, path: '/created_at' }),
    ]);
    expect((await t.call('GET', '/v1/orgs/acme/actors/a')).statusCode).toBe(404);
    const ok = await t.call('POST', '/v1/actors', {
      body: [
        { org: 'acme', id: 'a', kind: 'device' },
        { org: 'acme', id: 'b' },
      ],
    });
    expect(ok.json()).toEqual({ upserted: 2 });
    expect((await t.call('GET', '/v1/orgs/acme/actors/a')).json()).toMatchObject({ kind: 'device' });
    expect((await t.call('GET', '/v1/orgs/acme/actors/b')).json()).toMatchObject({ kind: 'user' });
  });

  it('needs ingest or admin, within the key orgs', async () => {
    const read = await t.newKey('read', ['acme']);
    expect((await t.call('PUT', '/v1/orgs/acme/actors/u', { key: read, body: {} })).statusCode).toBe(403);
    const ingest = await t.newKey('ingest', ['acme']);
    expect((await t.call('PUT', '/v1/orgs/acme/actors/u', { key: ingest, body: {} })).statusCode).toBe(200);
    expect((await t.call('PUT', '/v1/orgs/globex/actors/u', { key: ingest, body: {} })).statusCode).toBe(403);
  });
});

describe('health', () => {
  it('answers ok without a key', async () => {
    const res = await t.call('GET', '/healthz', { key: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});
