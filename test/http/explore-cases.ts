/**
 * GET /v1/schema and GET /v1/events/latest on one engine: a hand-built fixture
 * whose answers are worked out below (counts per type and dims key, first and
 * last times, newest-first order and limits), the default 30-day window, caps,
 * and reach (another org's key refused, sub-orgs as /v1/query includes them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, makeApp, type TestApp } from '../helpers.js';

// NOW is 2026-11-20T12:00Z, so the default window is [2026-10-21T12:00Z, 2026-11-20T12:00Z).
const E = {
  p1: ev({
    id: 'p1',
    org: 'acme',
    type: 'page.view',
    time: '2026-11-10T09:00:00Z',
    actor: 'u1',
    dims: { path: '/', ref: 'google' },
  }),
  p2: ev({
    id: 'p2',
    org: 'acme',
    type: 'page.view',
    time: '2026-11-12T10:00:00Z',
    actor: 'u2',
    dims: { path: '/pricing' },
  }),
  p3: ev({
    id: 'p3',
    org: 'acme',
    type: 'page.view',
    time: '2026-11-19T11:00:00Z',
    actor: 'u1',
    dims: { path: '/pricing', ref: 'hn' },
  }),
  s1: ev({
    id: 's1',
    org: 'acme',
    type: 'signup',
    time: '2026-11-19T12:00:00Z',
    actor: 'u1',
    dims: { plan: 'pro' },
  }),
  // Outside the default window: counted only when the window reaches back to October 1.
  s0: ev({
    id: 's0',
    org: 'acme',
    type: 'signup',
    time: '2026-10-01T00:00:00Z',
    dims: { plan: 'free', campaign: 'x' },
  }),
  t1: ev({ id: 't1', org: 'acme', type: 'ai-tokens', time: '2026-11-18T08:00:00Z', value: 1200 }),
  eu: ev({
    id: 'eu',
    org: 'acme-eu',
    type: 'page.view',
    time: '2026-11-15T00:00:00Z',
    dims: { path: '/', locale: 'de' },
  }),
  g1: ev({ id: 'g1', org: 'globex', type: 'page.view', time: '2026-11-16T00:00:00Z', dims: { path: '/g' } }),
};

interface Seen {
  count: number;
  first_seen: string;
  last_seen: string;
}
interface SchemaAnswer {
  range: { from: string; to: string };
  orgs: string[];
  types: (Seen & { type: string; keys: (Seen & { key: string })[]; more_keys: boolean })[];
  more_types: boolean;
}
const at = (t: string): string => `2026-${t}:00.000Z`;
const seen = (count: number, first: string, last: string): Seen => ({
  count,
  first_seen: at(first),
  last_seen: at(last),
});

export function runExploreCases(engine: 'duckdb' | 'clickhouse'): void {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ engine });
    await t.call('PUT', '/v1/orgs/acme', { body: {} });
    await t.call('PUT', '/v1/orgs/acme-eu', { body: { parent: 'acme' } });
    await t.call('PUT', '/v1/orgs/globex', { body: {} });
    const res = await t.call('POST', '/v1/events', { body: Object.values(E) });
    expect(res.json()).toEqual({ accepted: 8, duplicates: 0 });
    // A resent event is a duplicate, and must not count twice.
    expect((await t.call('POST', '/v1/events', { body: [E.p3] })).json()).toEqual({
      accepted: 0,
      duplicates: 1,
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  const schema = async (qs: string, key?: string): Promise<SchemaAnswer> => {
    const res = await t.call('GET', `/v1/schema?${qs}`, key === undefined ? {} : { key });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SchemaAnswer>();
  };

  describe('GET /v1/schema', () => {
    it('one org, the default 30 days: types by count then name, keys by count, first and last seen', async () => {
      const body = await schema('org=acme');
      expect(body.range).toEqual({ from: '2026-10-21T12:00:00.000Z', to: '2026-11-20T12:00:00.000Z' });
      expect(body.orgs).toEqual(['acme']);
      expect(body.types).toEqual([
        {
          type: 'page.view',
          ...seen(3, '11-10T09:00', '11-19T11:00'),
          keys: [
            { key: 'path', ...seen(3, '11-10T09:00', '11-19T11:00') },
            { key: 'ref', ...seen(2, '11-10T09:00', '11-19T11:00') },
          ],
          more_keys: false,
        },
        { type: 'ai-tokens', ...seen(1, '11-18T08:00', '11-18T08:00'), keys: [], more_keys: false },
        {
          type: 'signup',
          ...seen(1, '11-19T12:00', '11-19T12:00'),
          keys: [{ key: 'plan', ...seen(1, '11-19T12:00', '11-19T12:00') }],
          more_keys: false,
        },
      ]);
      expect(body.more_types).toBe(false);
    });

    it('a wider window counts the older signup and its campaign key', async () => {
      const body = await schema('org=acme&from=2026-09-01');
      expect(body.types.map((x) => [x.type, x.count])).toEqual([
        ['page.view', 3],
        ['signup', 2],
        ['ai-tokens', 1],
      ]);
      const signup = body.types[1]!;
      expect([signup.first_seen, signup.last_seen]).toEqual([at('10-01T00:00'), at('11-19T12:00')]);
      expect(signup.keys).toEqual([
        { key: 'plan', ...seen(2, '10-01T00:00', '11-19T12:00') },
        { key: 'campaign', ...seen(1, '10-01T00:00', '10-01T00:00') },
      ]);
    });

    it('subtree adds the sub-org; no org reads every org the key reaches', async () => {
      const sub = await schema('org=acme&subtree=true');
      expect(sub.orgs.sort()).toEqual(['acme', 'acme-eu']);
      expect(sub.types[0]!.count).toBe(4);
      expect(sub.types[0]!.keys.map((k) => [k.key, k.count])).toEqual([
        ['path', 4],
        ['ref', 2],
        ['locale', 1],
      ]);
      const all = await schema('');
      expect(all.types.map((x) => [x.type, x.count])).toEqual([
        ['page.view', 5],
        ['ai-tokens', 1],
        ['signup', 1],
      ]);
    });

    it('caps: types_limit and keys_limit keep the most frequent and say that more exist', async () => {
      const body = await schema('org=acme&types_limit=1&keys_limit=1');
      expect(body.types.map((x) => [x.type, x.keys.map((k) => k.key), x.more_keys])).toEqual([
        ['page.view', ['path'], true],
      ]);
      expect(body.more_types).toBe(true);
      const typed = await schema('org=acme&type=signup,ai-tokens');
      expect(typed.types.map((x) => x.type)).toEqual(['ai-tokens', 'signup']);
      for (const bad of ['types_limit=0', 'types_limit=1001', 'keys_limit=501', 'last=3x'])
        expect((await t.call('GET', `/v1/schema?org=acme&${bad}`)).statusCode, bad).toBe(400);
    });

    it('reach: another org is refused, a sub-org is within reach, an ingest key is told it cannot read', async () => {
      const globex = await t.newKey('read', ['globex']);
      const res = await t.call('GET', '/v1/schema?org=acme', { key: globex });
      expect(res.statusCode).toBe(403);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('forbidden');
      expect((await schema('', globex)).types.map((x) => [x.type, x.count])).toEqual([['page.view', 1]]);
      const acme = await t.newKey('read', ['acme']);
      expect((await schema('org=acme-eu', acme)).types[0]!.keys.map((k) => k.key)).toEqual([
        'locale',
        'path',
      ]);
      const ingest = await t.newKey('ingest', ['acme']);
      const refused = await t.call('GET', '/v1/schema?org=acme', { key: ingest });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
        /role admin or read.*ingest/,
      );
    });
  });

  describe('GET /v1/events/latest', () => {
    const latest = async (qs: string, key?: string) => {
      const res = await t.call('GET', `/v1/events/latest?${qs}`, key === undefined ? {} : { key });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ events: Record<string, unknown>[]; more: boolean; orgs: string[] }>();
    };

    it('newest first within the window, in the shape POST /v1/events takes', async () => {
      const body = await latest('org=acme');
      expect(body.events.map((e) => e['id'])).toEqual(['s1', 'p3', 't1', 'p2', 'p1']);
      expect(body.more).toBe(false);
      expect(body.events[0]).toEqual({
        id: 's1',
        type: 'signup',
        time: '2026-11-19T12:00:00.000Z',
        org: 'acme',
        actor: 'u1',
        value: 1,
        dims: { plan: 'pro' },
      });
      expect(body.events[2]).toEqual({
        id: 't1',
        type: 'ai-tokens',
        time: at('11-18T08:00'),
        org: 'acme',
        value: 1200,
      });
    });

    it('limit cuts the newest and says more; subtree, type and from as in /v1/query', async () => {
      const two = await latest('org=acme&limit=2');
      expect([two.events.map((e) => e['id']), two.more]).toEqual([['s1', 'p3'], true]);
      const sub = await latest('org=acme&subtree=true&type=page.view&from=2026-09-01');
      expect(sub.events.map((e) => e['id'])).toEqual(['p3', 'eu', 'p2', 'p1']);
      const old = await latest('org=acme&from=2026-09-01&to=2026-11-01');
      expect(old.events.map((e) => e['id'])).toEqual(['s0']);
      for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'from=2026-11-20&to=2026-11-01'])
        expect((await t.call('GET', `/v1/events/latest?org=acme&${bad}`)).statusCode, bad).toBe(400);
    });

    it('reach: another org refused, the key’s own orgs by default', async () => {
      const globex = await t.newKey('read', ['globex']);
      expect((await t.call('GET', '/v1/events/latest?org=acme-eu', { key: globex })).statusCode).toBe(403);
      expect((await latest('', globex)).events.map((e) => e['id'])).toEqual(['g1']);
      const acme = await t.newKey('read', ['acme']);
      expect((await latest('', acme)).events.map((e) => e['id'])).toEqual([
        's1',
        'p3',
        't1',
        'eu',
        'p2',
        'p1',
      ]);
    });
  });
}
