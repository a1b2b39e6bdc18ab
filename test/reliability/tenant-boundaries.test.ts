/**
 * Issue 26: tenant boundaries that must hold beyond org reach. Point 6: an ingest key
 * writes actor profiles but cannot read them back (names and props such as an email
 * are read data). Point 3: a sub-org admin cannot detach or move its org out of its
 * parent's reach; that needs a key over both parents, and a root needs '*'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relApp, type RelApp } from './harness.js';

describe('actor profiles need read or admin (issue 26.6)', () => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp();
    expect((await t.call('PUT', '/v1/orgs/acme', { body: {} })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an ingest key with 403 and answers read and admin keys', async () => {
    const ingest = await t.newKey('ingest', ['acme']);
    const read = await t.newKey('read', ['acme']);
    const profile = { first_name: 'Ada', last_name: 'L', props: { email: 'ada@example.com' } };
    const put = await t.call('PUT', '/v1/orgs/acme/actors/ada', { key: ingest, body: profile });
    expect(put.statusCode, put.body).toBe(200);
    const denied = await t.call('GET', '/v1/orgs/acme/actors/ada', { key: ingest });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ error: { code: string } }>().error.code).toBe('forbidden');
    expect(denied.body).not.toContain('ada@example.com');
    // Also for an actor that does not exist: the answer does not tell an ingest key whether it does.
    expect((await t.call('GET', '/v1/orgs/acme/actors/nobody', { key: ingest })).statusCode).toBe(403);
    for (const key of [read, undefined]) {
      const res = await t.call('GET', '/v1/orgs/acme/actors/ada', { key });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ first_name: 'Ada', props: { email: 'ada@example.com' } });
    }
  });
});

describe('re-parenting needs reach over both parents (issue 26.3)', () => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp();
    for (const [id, parent] of [
      ['b', null],
      ['c', null],
      ['b1', 'b'],
      ['b2', 'b'],
    ] as const)
      expect((await t.call('PUT', `/v1/orgs/${id}`, { body: { parent } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const parentOf = async (id: string): Promise<string | null> =>
    (await t.call('GET', `/v1/orgs/${id}`)).json<{ parent: string | null }>().parent;

  it('refuses a sub-org admin detaching its org, and keeps the parent', async () => {
    const own = await t.newKey('admin', ['b1']);
    const res = await t.call('PUT', '/v1/orgs/b1', { key: own, body: { parent: null } });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      'Making org b1 a root org needs a key over all orgs (*).',
    );
    expect(await parentOf('b1')).toBe('b');
    // The parent's admin cannot make it a root either: that takes it out of every key's reach but '*'.
    const parentAdmin = await t.newKey('admin', ['b']);
    expect(
      (await t.call('PUT', '/v1/orgs/b1', { key: parentAdmin, body: { parent: null } })).statusCode,
    ).toBe(403);
    // Other fields still change with the org's own key.
    const named = await t.call('PUT', '/v1/orgs/b1', { key: own, body: { name: 'B one' } });
    expect([named.statusCode, named.json<{ parent: string }>().parent]).toEqual([200, 'b']);
  });

  it('moves an org only with a key over its old and its new parent', async () => {
    const both = await t.newKey('admin', ['b1', 'c']);
    const denied = await t.call('PUT', '/v1/orgs/b1', { key: both, body: { parent: 'c' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ error: { message: string } }>().error.message).toBe(
      'Moving org b1 needs a key that also covers its current parent b.',
    );
    expect(await parentOf('b1')).toBe('b');
    // Within the same parent's subtree: b's admin moves b2 under b1.
    const parentAdmin = await t.newKey('admin', ['b']);
    expect(
      (await t.call('PUT', '/v1/orgs/b2', { key: parentAdmin, body: { parent: 'b1' } })).statusCode,
    ).toBe(200);
    expect(await parentOf('b2')).toBe('b1');
    // A key over b and c moves b1 (with b2 below it) to c; the operator makes it a root.
    const bc = await t.newKey('admin', ['b', 'c']);
    expect((await t.call('PUT', '/v1/orgs/b1', { key: bc, body: { parent: 'c' } })).statusCode).toBe(200);
    expect(await parentOf('b1')).toBe('c');
    expect((await t.call('PUT', '/v1/orgs/b1', { body: { parent: null } })).statusCode).toBe(200);
    expect(await parentOf('b1')).toBeNull();
  });
});
