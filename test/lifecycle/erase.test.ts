/**
 * Erasure and correction through the native API, on DuckDB: hand-computed
 * figures before and after, and every answer of the battery (native queries,
 * VIKTOR, FileSpin) equal to an app that was never sent what was deleted.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { battery, lifeApp, loadWorld, type LifeApp } from './app.js';

let t: LifeApp;
let ref: LifeApp;
beforeEach(async () => {
  t = await lifeApp();
  ref = await lifeApp();
  await loadWorld(t);
});
afterEach(async () => {
  await t.close();
  await ref.close();
});

const RANGE = 'from=2026-11-01&to=2026-11-15';
/** One total over the range: count by default, or another aggregation. */
async function total(app: LifeApp, org: string, extra = ''): Promise<number | null> {
  const r = await app.call('GET', `/v1/query?org=${org}&${RANGE}&bucket=none${extra}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{ series: { total: number | null }[] }>().series[0]?.total ?? null;
}
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('erasing an actor', () => {
  it('in one org: its events and profile there go; every answer is as if never sent', async () => {
    // acme holds e1..e7; u1's are e1, e2, e5, e6. Unique acme actors: u1, d1, u2.
    expect([await total(t, 'acme'), await total(t, 'acme', '&agg=unique')]).toEqual([7, 3]);
    const r = await t.call('DELETE', '/v1/orgs/acme/actors/u1');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      audit: {
        op: 'erase_actor',
        key_id: 'env-admin',
        orgs: ['acme'],
        params: { actor_sha256: sha256('u1'), orgs: ['acme'] },
        deleted: { events: 4, actors: 1, orgs: 0, keys: 0 },
      },
    });
    expect([await total(t, 'acme'), await total(t, 'acme', '&agg=unique')]).toEqual([3, 2]);
    expect(await total(t, 'acme-eu')).toBe(2);
    expect((await t.call('GET', '/v1/orgs/acme/actors/u1')).statusCode).toBe(404);
    await loadWorld(ref, {
      events: (e) => !(e['org'] === 'acme' && e['actor'] === 'u1'),
      profiles: (p) => !(p.org === 'acme' && p.id === 'u1'),
    });
    expect(await battery(t)).toEqual(await battery(ref));
  });

  it('in every org a scoped admin key reaches, and nowhere else', async () => {
    const { key } = await t.newKey('admin', ['acme']);
    const r = await t.call('DELETE', '/v1/actors/u1', { key });
    expect(r.statusCode, r.body).toBe(200);
    // acme: e1, e2, e5, e6; acme-eu: e1, e9. Profiles: acme/u1, acme-eu/u1. beta's u1 is out of reach.
    expect(r.json()).toMatchObject({
      audit: { orgs: ['acme'], params: { orgs: ['acme'] }, deleted: { events: 6, actors: 2 } },
    });
    expect(await total(t, 'beta', '&agg=unique')).toBe(2);
    await loadWorld(ref, {
      events: (e) => !(e['org'] !== 'beta' && e['actor'] === 'u1'),
      profiles: (p) => !(p.org !== 'beta' && p.id === 'u1'),
    });
    expect(await battery(t)).toEqual(await battery(ref));
  });

  it('everywhere, with the operator key', async () => {
    const r = await t.call('DELETE', '/v1/actors/u1');
    expect(r.json()).toMatchObject({ audit: { orgs: ['*'], deleted: { events: 7, actors: 3 } } });
    await loadWorld(ref, { events: (e) => e['actor'] !== 'u1', profiles: (p) => p.id !== 'u1' });
    expect(await battery(t)).toEqual(await battery(ref));
  });

  it('on a store with no org yet: nothing to delete, and the audit entry says so (was 503)', async () => {
    const r = await ref.call('DELETE', '/v1/actors/u1');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      audit: { orgs: ['*'], deleted: { events: 0, actors: 0, orgs: 0, keys: 0 } },
    });
  });
});

describe('erasing an org subtree', () => {
  it('removes the orgs and their data, revokes keys covering only them, narrows the others', async () => {
    const onlyAcme = await t.newKey('read', ['acme']);
    const mixed = await t.newKey('read', ['acme-eu', 'beta']);
    const r = await t.call('DELETE', '/v1/orgs/acme');
    expect(r.statusCode, r.body).toBe(200);
    // 7 + 2 events; actors acme u1, d1, u2 (known from its event) and acme-eu u1; two keys changed.
    expect(r.json()).toMatchObject({
      audit: {
        op: 'erase_orgs',
        orgs: ['acme'],
        params: { org: 'acme', subtree: ['acme', 'acme-eu'] },
        deleted: { events: 9, actors: 4, orgs: 2, keys: 2 },
      },
    });
    expect((await t.call('GET', '/v1/orgs')).json()).toMatchObject({ orgs: [{ id: 'beta' }] });
    expect((await t.call('GET', '/v1/orgs/beta', { key: onlyAcme.key })).statusCode).toBe(401);
    const keys = (await t.call('GET', '/v1/keys')).json<{ keys: { id: string; orgs: string[] }[] }>().keys;
    expect(keys.find((k) => k.id === mixed.id)?.orgs).toEqual(['beta']);
    await loadWorld(ref, {
      orgs: (id) => id === 'beta',
      events: (e) => e['org'] === 'beta',
      profiles: (p) => p.org === 'beta',
    });
    expect(await battery(t)).toEqual(await battery(ref));
  });

  it('answers 404 for an unknown org and 403 outside reach or role', async () => {
    const betaAdmin = await t.newKey('admin', ['beta']);
    const reader = await t.newKey('read', ['*']);
    const unknown = await t.call('DELETE', '/v1/orgs/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await t.call('DELETE', '/v1/orgs/acme', { key: betaAdmin.key })).json()).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect((await t.call('DELETE', '/v1/orgs/beta', { key: reader.key })).statusCode).toBe(403);
    expect((await t.call('DELETE', '/v1/orgs/beta', { key: null })).statusCode).toBe(401);
    expect(await total(t, 'acme')).toBe(7);
  });
});

describe('correcting events', () => {
  it('deletes by (org, id), frees the ids, and takes the corrected event', async () => {
    const day = async (d: string): Promise<number | null> => {
      const r = await t.call(
        'GET',
        `/v1/query?org=acme&from=2026-11-${d}&to=2026-11-${d}T23:59:59Z&bucket=none`,
      );
      return r.json<{ series: { total: number }[] }>().series[0]?.total ?? null;
    };
    // 11-05: e2 (u1) and e3 (d1); 11-06: e4 (u2).
    expect([await day('05'), await day('06')]).toEqual([2, 1]);
    const r = await t.call('POST', '/v1/events/delete', {
      body: {
        events: [
          { org: 'acme', id: 'e2' },
          { org: 'acme', id: 'e404' },
          { org: 'acme-eu', id: 'e1' },
          { org: 'acme', id: 'e4' }, // u2's only event: u2 no longer counts as a user (VIKTOR)
        ],
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      audit: { op: 'delete_events', orgs: ['acme', 'acme-eu'], deleted: { events: 3 } },
      missing: [{ org: 'acme', id: 'e404' }],
    });
    expect([await day('05'), await day('06')]).toEqual([1, 0]); // nothing that day: one series counting 0 (fill=zero)
    const corrected = {
      id: 'e2',
      org: 'acme',
      actor: 'u1',
      type: 'activity',
      time: '2026-11-06T09:00:00Z',
      dims: { workspace: 'w1' },
    };
    expect((await t.call('POST', '/v1/events', { body: [corrected] })).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect((await t.call('POST', '/v1/events', { body: [corrected] })).json()).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    expect([await day('05'), await day('06')]).toEqual([1, 1]);
    await loadWorld(ref, {
      events: (e) =>
        !(e['org'] === 'acme' && ['e2', 'e4'].includes(String(e['id']))) &&
        !(e['org'] === 'acme-eu' && e['id'] === 'e1'),
    });
    await ref.call('POST', '/v1/events', { body: [corrected] });
    expect(await battery(t)).toEqual(await battery(ref));
  });

  it('refuses bad input and orgs outside reach, deleting nothing', async () => {
    const acmeAdmin = await t.newKey('admin', ['acme']);
    const cases: [unknown, string | undefined, number][] = [
      [{ events: [] }, undefined, 400],
      [{ events: [{ org: 'acme' }] }, undefined, 400],
      [{ events: [{ org: 'acme', id: 'e1', x: 1 }] }, undefined, 400],
      [
        {
          events: [
            { org: 'acme', id: 'e1' },
            { org: 'acme', id: '\ud800' },
          ],
        },
        undefined,
        400,
      ],
      [[{ org: 'acme', id: 'e1' }], undefined, 400],
      [
        {
          events: [
            { org: 'acme', id: 'e1' },
            { org: 'beta', id: 'b1' },
          ],
        },
        acmeAdmin.key,
        403,
      ],
    ];
    for (const [body, key, status] of cases) {
      const r = await t.call('POST', '/v1/events/delete', { body, key });
      expect(r.statusCode, JSON.stringify(body)).toBe(status);
      expect(r.json<{ error: { code: string } }>().error.code).toBe(
        status === 400 ? 'invalid_request' : 'forbidden',
      );
    }
    expect([await total(t, 'acme'), await total(t, 'beta')]).toEqual([7, 2]);
  });
});
