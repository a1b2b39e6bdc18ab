/**
 * Issue 26: tenant boundaries that must hold beyond org reach. Point 6: an ingest key
 * writes actor profiles but cannot read them back (names and props such as an email
 * are read data).
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
