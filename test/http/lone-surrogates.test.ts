/**
 * Lone UTF-16 surrogates (`"\ud800"` in JSON) have no UTF-8 form: a store keeps them as U+FFFD,
 * so two distinct names or ids would become one. Events refuse them per field (events.test.ts);
 * org, actor and key bodies refuse them too, naming every path, and store nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

const LONE = 'a\ud800b';
const PAIR = 'a\ud83d\ude00b'; // a whole code point: fine
const message = 'must be valid Unicode (no lone surrogates)';

describe('bodies with lone surrogates', () => {
  it('PUT /v1/orgs/{id}: refused with every path; a surrogate pair is accepted', async () => {
    const res = await t.call('PUT', '/v1/orgs/acme', { body: { name: LONE } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The org is invalid.',
        details: [{ path: 'name', message }],
      },
    });
    expect((await t.call('GET', '/v1/orgs/acme')).statusCode).toBe(404);
    const ok = await t.call('PUT', '/v1/orgs/acme', { body: { name: PAIR } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: PAIR });
  });

  it('PUT and POST actors: refused per field (and per index in bulk), in props keys and values too', async () => {
    await t.call('PUT', '/v1/orgs/acme', { body: {} });
    const one = await t.call('PUT', '/v1/orgs/acme/actors/u1', {
      body: { kind: 'user', first_name: LONE, props: { [`k${LONE}`]: 'v', k2: [LONE] } },
    });
    expect(one.statusCode).toBe(400);
    expect(one.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      { path: 'first_name', message },
      { path: `props/k${LONE}`, message },
      { path: 'props/k2/0', message },
    ]);
    const bulk = await t.call('POST', '/v1/actors', {
      body: [
        { org: 'acme', id: 'ok', kind: 'user' },
        { org: 'acme', id: LONE, kind: 'user' },
      ],
    });
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json<{ error: { details: unknown[] } }>().error.details).toEqual([
      { index: 1, path: '/id', message },
    ]);
    // Nothing of the refused bulk load was stored.
    expect((await t.call('GET', '/v1/orgs/acme/actors/ok')).statusCode).toBe(404);
  });

  it('POST /v1/keys: a name with a lone surrogate is refused', async () => {
    const res = await t.call('POST', '/v1/keys', { body: { name: LONE, role: 'read', orgs: ['*'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: unknown[] } }>().error.details).toEqual([{ path: 'name', message }]);
  });
});
