/**
 * Issue 26, point 2: audit entries bind to the org they were about, not to its reusable id.
 * The reproduction: tenant B (`20`) erases its sub-org `21`; an admin of the sibling
 * root `10` re-creates an org `21` under `10` and makes a key over it. Before, that key read
 * B's three entries about the old `21` (event ids, counts, B's key id, actor hashes). Now
 * only keys that reached the old `21` through an ancestor (`20`) or '*' see them, and the
 * new `21`'s key sees the new `21`'s entries only. On both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, relApp, type RelApp } from './harness.js';
import { ENGINES } from './engines.js';

interface Entry {
  id: string;
  op: string;
  key_id: string | null;
  orgs: string[];
  params: Record<string, unknown>;
}

describe.each(ENGINES)('audit entries across org id reuse on $name (issue 26.2)', ({ open }) => {
  let t: RelApp;
  let keyB: string;
  let key10: string;
  let key21: string;

  const audit = async (key: string, query = ''): Promise<Entry[]> => {
    const res = await t.call('GET', `/v1/audit${query}`, { key });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ entries: Entry[] }>().entries;
  };
  const ok = async (res: Promise<{ statusCode: number; body: string }>): Promise<void> => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
  };
  const event = (org: string, id: string, actor: string | null): Record<string, unknown> => ({
    id,
    type: 'activity',
    org,
    time: '2026-11-19T10:00:00Z',
    ...(actor === null ? {} : { actor }),
  });

  beforeAll(async () => {
    t = await relApp({ store: await open(null), closeStore: true });
    await ok(t.call('PUT', '/v1/orgs/20', { body: {} }));
    await ok(t.call('PUT', '/v1/orgs/21', { body: { parent: '20' } }));
    await ok(t.call('PUT', '/v1/orgs/10', { body: {} }));
    await ok(
      t.call('POST', '/v1/events', {
        body: [event('21', 'e1', 'u1'), event('21', 'e2', 'u2'), event('21', 'e3', null)],
      }),
    );
    keyB = await t.newKey('admin', ['20']);
    key10 = await t.newKey('admin', ['10']);
    // B's three operations on its old `21`.
    await ok(t.call('POST', '/v1/events/delete', { key: keyB, body: { events: [{ org: '21', id: 'e3' }] } }));
    await ok(t.call('DELETE', '/v1/orgs/21/actors/u1', { key: keyB }));
    await ok(t.call('DELETE', '/v1/orgs/21', { key: keyB }));
    // The sibling's admin re-creates `21` under `10`, with a key over it.
    await ok(t.call('PUT', '/v1/orgs/21', { key: key10, body: { parent: '10' } }));
    const made = await t.call('POST', '/v1/keys', {
      key: key10,
      body: { name: 'new 21', role: 'admin', orgs: ['21'] },
    });
    expect(made.statusCode, made.body).toBe(201);
    key21 = made.json<{ key: string }>().key;
  }, 120_000);
  afterAll(async () => t?.close());

  it('the new 21’s key reads none of the old 21’s entries; B’s key and * read all three', async () => {
    expect(await audit(key21)).toEqual([]);
    expect(await audit(key21, '?org=21')).toEqual([]);
    expect(await audit(key10)).toEqual([]);
    const ops = ['erase_orgs', 'erase_actor', 'delete_events'];
    const b = await audit(keyB);
    expect(b.map((e) => e.op)).toEqual(ops);
    expect(b.every((e) => e.orgs[0] === '21')).toBe(true);
    expect((await audit(ADMIN)).map((e) => e.op)).toEqual(ops);
  });

  it('the new 21’s own entries are its key’s (and 10’s), not B’s; paging keeps the rule', async () => {
    await ok(t.call('POST', '/v1/events', { body: [event('21', 'n1', null)] }));
    await ok(
      t.call('POST', '/v1/events/delete', { key: key21, body: { events: [{ org: '21', id: 'n1' }] } }),
    );
    const mine = await audit(key21);
    expect(mine.map((e) => [e.op, e.params['events']])).toEqual([
      ['delete_events', [{ org: '21', id: 'n1' }]],
    ]);
    expect((await audit(key10)).map((e) => e.id)).toEqual([mine[0]!.id]);
    expect((await audit(keyB)).map((e) => e.op)).toEqual(['erase_orgs', 'erase_actor', 'delete_events']);
    // From the new entry on, page by page: still nothing of the old 21.
    expect(await audit(key21, `?before=${mine[0]!.id}`)).toEqual([]);
    // B pages through its own three, one at a time.
    const first = await audit(keyB, '?limit=1');
    const rest = await audit(keyB, `?before=${first[0]!.id}`);
    expect([...first, ...rest].map((e) => e.op)).toEqual(['erase_orgs', 'erase_actor', 'delete_events']);
  });
});
