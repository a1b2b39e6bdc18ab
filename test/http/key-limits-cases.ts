/**
 * Keys for customers (docs/keys.md), on one engine: creation rules, both fields in the
 * answers, expiry at the exact millisecond on every surface class (native, the five
 * vendor APIs, a TR50 session), and a key's event types on every surface that reads
 * events. The figures are counted by hand from the eight events of EVENTS (key-limits-fixture.ts).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { ADMIN, makeApp, NOW, type TestApp } from '../helpers.js';
import { at, DAY, EVENTS, ON_DAY, SURFACE_CALLS, T, TR50_DAY } from './key-limits-fixture.js';

export function runKeyLimitCases(engine: 'duckdb' | 'clickhouse'): void {
  let now = NOW;
  let t: TestApp;
  beforeEach(async () => {
    now = NOW;
    t = await makeApp({ engine, surfaces, clock: () => now });
    const res = await t.call('POST', '/v1/events', { body: EVENTS });
    expect(res.json()).toEqual({ accepted: 8, duplicates: 0 });
  });
  afterEach(async () => {
    await t.close();
  });

  /** A new key's secret and its answer; `by` is the creating key (the admin by default). */
  async function create(
    body: Record<string, unknown>,
    by = ADMIN,
  ): Promise<{ key: string; view: Record<string, unknown> }> {
    const res = await t.call('POST', '/v1/keys', {
      key: by,
      body: { name: 'k', role: 'read', orgs: ['42'], ...body },
    });
    if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${res.body}`);
    const view = res.json<Record<string, unknown>>();
    return { key: view['key'] as string, view };
  }
  const call = (key: string, name: keyof typeof SURFACE_CALLS) => {
    const c = SURFACE_CALLS[name];
    return t.call(c.method, c.url, { key, ...('body' in c ? { body: c.body } : {}) });
  };
  const fault = async (body: Record<string, unknown>, by = ADMIN) => {
    const res = await t.call('POST', '/v1/keys', {
      key: by,
      body: { name: 'k', role: 'read', orgs: ['42'], ...body },
    });
    return {
      status: res.statusCode,
      error: res.json<{ error: { code: string; message: string; details: unknown[] } }>().error,
    };
  };

  it('POST /v1/keys: both fields in the answer, in GET /v1/keys and in GET /v1/keys/self', async () => {
    const { key, view } = await create({
      expires_at: '2026-11-20T14:00:00+01:00',
      types: ['activity', 'api.request', 'activity'],
    });
    const fields = {
      role: 'read',
      orgs: ['42'],
      expires_at: '2026-11-20T13:00:00.000Z',
      types: ['activity', 'api.request'],
    };
    expect(view).toMatchObject(fields);
    expect(Object.keys(view).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'key',
      'name',
      'orgs',
      'role',
      'types',
    ]);
    const listed = (await t.call('GET', '/v1/keys')).json<{ keys: Record<string, unknown>[] }>().keys;
    expect(listed).toEqual([
      { ...fields, id: view['id'], name: 'k', created_at: new Date(NOW).toISOString(), revoked_at: null },
    ]);
    const self = await t.call('GET', '/v1/keys/self', { key });
    expect(self.json()).toEqual(listed[0]);
    const plain = await create({ role: 'ingest' });
    expect(plain.view).toMatchObject({ expires_at: null, types: null });
    // Any role sees itself; the operator's key has no record.
    expect((await t.call('GET', '/v1/keys/self', { key: plain.key })).json()).toMatchObject({
      role: 'ingest',
      types: null,
    });
    expect((await t.call('GET', '/v1/keys/self')).json()).toEqual({
      id: 'env-admin',
      name: 'TALLY_ADMIN_KEY',
      role: 'admin',
      orgs: ['*'],
      created_at: null,
      revoked_at: null,
      expires_at: null,
      types: null,
    });
  });

  it('POST /v1/keys: bad fields are 400 naming the field; more than the creator has is 403', async () => {
    for (const [body, path] of [
      [{ expires_at: '2026-11-20T12:00:00Z' }, 'expires_at'], // now is not the future
      [{ expires_at: 'tomorrow' }, 'expires_at'],
      [{ expires_at: 1_800_000_000 }, 'expires_at'],
      [{ expires_at: '2036-11-20T12:00:00.001Z' }, 'expires_at'], // past 10 years
      [{ types: [] }, 'types'],
      [{ types: ['has space'] }, 'types/0'],
      [{ types: Array.from({ length: 101 }, (_, i) => `t${i}`) }, 'types'],
      [{ types: 'activity' }, 'types'],
    ] as const) {
      const { status, error } = await fault(body);
      expect([status, error.code, JSON.stringify(error.details)]).toEqual([
        400,
        'invalid_request',
        expect.stringContaining(`"${path}`),
      ]);
    }
    const boss = await create({
      role: 'admin',
      types: ['activity', 'bandwidth'],
      expires_at: '2026-11-21T00:00:00Z',
    });
    // The creator's limits are the default, and the most it can give.
    expect((await create({}, boss.key)).view).toMatchObject({
      types: ['activity', 'bandwidth'],
      expires_at: '2026-11-21T00:00:00.000Z',
    });
    expect(
      (await create({ types: ['bandwidth'], expires_at: '2026-11-20T23:59:59Z' }, boss.key)).view,
    ).toMatchObject({
      types: ['bandwidth'],
      expires_at: '2026-11-20T23:59:59.000Z',
    });
    expect(await fault({ types: ['activity', 'storage'] }, boss.key)).toMatchObject({
      status: 403,
      error: { code: 'forbidden', message: 'This key cannot grant event type storage.' },
    });
    expect(await fault({ expires_at: '2026-11-21T00:00:01Z' }, boss.key)).toMatchObject({
      status: 403,
      error: { code: 'forbidden' },
    });
  });

  it('an expiring key works on every surface to the millisecond before expires_at, and is refused from it on', async () => {
    const { key } = await create({ expires_at: new Date(T).toISOString() });
    const okAt = T - 1;
    now = okAt;
    for (const name of Object.keys(SURFACE_CALLS) as (keyof typeof SURFACE_CALLS)[]) {
      const res = await call(key, name);
      expect([name, res.statusCode]).toEqual([name, 200]);
      if (name === 'tr50') expect(res.json()).toMatchObject({ get: { success: true, params: { total: 3 } } });
    }
    expect((await call(key, 'native')).json<{ series: { total: number }[] }>().series[0]!.total).toBe(3);
    now = T;
    const refused = {
      native: {
        error: {
          code: 'unauthenticated',
          message: 'The API key is unknown, revoked or expired.',
          details: [],
        },
      },
      viktor: { detail: 'Invalid token.' },
      filespin: { error: 'The API key is unknown, revoked or expired.' },
      saferme: { message: 'The API key is unknown, revoked or expired.' },
      capgo: { status: "You can't access this app", error: 'Insufficient permissions to access statistics' },
    };
    for (const [name, body] of Object.entries(refused)) {
      const res = await call(key, name as keyof typeof SURFACE_CALLS);
      expect([name, res.statusCode, res.json()]).toEqual([name, 401, body]);
    }
    expect((await call(key, 'tr50')).json()).toEqual({
      get: {
        success: false,
        errorCodes: [-90008],
        errorMessages: ['The API key is unknown, revoked or expired.'],
      },
    });
    // The operator's key is untouched by time.
    now = T + 1000;
    expect((await call(ADMIN, 'native')).statusCode).toBe(200);
  });

  it('a TR50 session opened with an expiring key ends at the same instant', async () => {
    const { key } = await create({ expires_at: new Date(T).toISOString() });
    now = T - 10 * 60_000;
    const auth = await t.call('POST', '/api', {
      key: null,
      body: { auth: { command: 'api.authenticate', params: { appToken: key } } },
    });
    const sessionId = auth.json<{ auth: { params: { sessionId: string } } }>().auth.params.sessionId;
    const history = () => t.call('POST', '/api', { key: null, headers: { sessionId }, body: TR50_DAY });
    now = T - 1;
    expect((await history()).json()).toMatchObject({ get: { success: true, params: { total: 3 } } });
    now = T;
    expect((await history()).json()).toEqual({
      get: {
        success: false,
        errorCodes: [-90009],
        errorMessages: ["The session's key was revoked or has expired; authenticate again."],
      },
    });
  });

  it('the native query, its CSV and the explorer see only the key types: narrowed when none is named, 403 naming another', async () => {
    const { key } = await create({ types: ['activity', 'bandwidth'] });
    const total = async (k: string, q: string) =>
      (await t.call('GET', `/v1/query?org=42&bucket=none&${ON_DAY}${q}`, { key: k })).json<{
        series: { total: number }[];
      }>().series[0]!.total;
    expect(await total(ADMIN, '')).toBe(8);
    expect(await total(key, '')).toBe(3); // 2 activity + 1 bandwidth
    expect(await total(key, '&type=bandwidth')).toBe(1);
    expect(await total(key, '&agg=sum')).toBe(102); // 1 + 1 + 100
    const csv = await t.call('GET', `/v1/query?org=42&bucket=none&group_by=type&format=csv&${ON_DAY}`, {
      key,
    });
    expect(csv.body.trim().split('\r\n')).toEqual([
      'type,start,end,value',
      'activity,2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,2',
      'bandwidth,2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,1',
    ]);
    for (const url of [
      `/v1/query?org=42&type=activity&type=storage&${ON_DAY}`,
      `/v1/schema?type=storage`,
      `/v1/events/latest?type=storage`,
    ]) {
      const res = await t.call('GET', url, { key });
      expect([url, res.statusCode, res.json<{ error: { code: string; message: string } }>().error]).toEqual([
        url,
        403,
        {
          code: 'forbidden',
          message: 'This key may not read events of type storage; its types do not include it.',
          details: [],
        },
      ]);
    }
    const post = await t.call('POST', '/v1/query', {
      key,
      body: {
        org: '42',
        bucket: 'none',
        from: DAY,
        to: '2026-11-20',
        filters: [['in', 'type', ['activity', 'storage']]],
      },
    });
    expect([post.statusCode, post.json<{ error: { message: string } }>().error.message]).toEqual([
      403,
      'This key may not read events of type storage; its types do not include it.',
    ]);
    const schema = (await t.call('GET', '/v1/schema?last=7d', { key })).json<{
      types: { type: string; count: number }[];
    }>();
    expect(schema.types.map((x) => [x.type, x.count])).toEqual([
      ['activity', 2],
      ['bandwidth', 1],
    ]);
    const latest = (await t.call('GET', '/v1/events/latest?last=7d', { key })).json<{
      events: { id: string }[];
    }>();
    expect(latest.events.map((e) => e.id)).toEqual(['b', 'v1', 'v0']);
  });

  it('export: an admin key with types exports only them; a backup or an erasure needs a key without', async () => {
    const boss = await create({ role: 'admin', types: ['bandwidth', 'storage'] });
    const res = await t.call('GET', '/v1/orgs/42/export', { key: boss.key });
    expect(res.statusCode).toBe(200);
    expect(
      res.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['b', 's']);
    expect((await t.call('GET', '/v1/orgs/42/export?type=activity', { key: boss.key })).statusCode).toBe(403);
    for (const [method, url, body] of [
      ['DELETE', '/v1/orgs/42/actors/u1', undefined],
      ['POST', '/v1/events/delete', { events: [{ org: '42', id: 'b' }] }],
      ['PUT', '/v1/orgs/42/retention', { days: 30 }],
    ] as const) {
      const r = await t.call(method, url, { key: boss.key, ...(body ? { body } : {}) });
      expect([url, r.statusCode, r.json<{ error: { message: string } }>().error.message]).toEqual([
        url,
        403,
        expect.stringMatching(/acts on every event type; this key is limited to bandwidth, storage\.$/),
      ]);
    }
  });

  it('an ingest key with types writes only those: a batch with another type is refused whole', async () => {
    const { key } = await create({ role: 'ingest', types: ['activity'] });
    const batch = [
      { org: '42', id: 'n1', type: 'activity', time: at('15:00') },
      { org: '42', id: 'n2', type: 'api.request', time: at('15:00') },
    ];
    const refused = await t.call('POST', '/v1/events', { key, body: batch });
    expect([refused.statusCode, refused.json<{ error: { message: string } }>().error.message]).toEqual([
      403,
      'This key may not write events of type api.request; its types do not include it.',
    ]);
    expect((await t.call('POST', '/v1/events', { key, body: batch.slice(0, 1) })).json()).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(
      (await t.call('GET', `/v1/query?org=42&bucket=none&${ON_DAY}`)).json<{ series: { total: number }[] }>()
        .series[0]!.total,
    ).toBe(9);
  });

  it('each vendor API answers 403 in its own shape when its figures need a type outside the key, and the figures when not', async () => {
    const { key: activityOnly } = await create({ types: ['activity'] });
    const { key: apiOnly } = await create({ types: ['api.request'] });
    const named = (type: string) =>
      `This key may not read events of type ${type}; its types do not include it.`;
    const cases: [string, keyof typeof SURFACE_CALLS, string, unknown][] = [
      ['viktor', 'viktor', apiOnly, { detail: 'You do not have permission to perform this action.' }],
      ['filespin', 'filespin', activityOnly, { error: named('api.request') }],
      ['saferme', 'saferme', activityOnly, { message: named('report.created') }],
      ['capgo', 'capgo', activityOnly, { status: 'Forbidden', error: named('storage') }],
      ['capgo (no app type at all)', 'capgo', apiOnly, { status: 'Forbidden', error: named('activity') }],
    ];
    for (const [label, name, key, body] of cases) {
      const res = await call(key, name);
      expect([label, res.statusCode, res.json()]).toEqual([label, 403, body]);
    }
    expect((await call(activityOnly, 'tr50')).json()).toEqual({
      get: { success: false, errorCodes: [-90011], errorMessages: [named('api.request')] },
    });
    // Within the list, the answers are those of a key without types.
    const { key: full } = await create({});
    for (const [name, key] of [
      ['viktor', activityOnly],
      ['filespin', apiOnly],
      ['tr50', apiOnly],
    ] as const) {
      const [mine, all] = [await call(key, name), await call(full, name)];
      expect([name, mine.statusCode, mine.json()]).toEqual([name, 200, all.json()]);
    }
    expect((await call(activityOnly, 'viktor')).json()).toMatchObject({
      users: { daily_active_users: { per_day: [{ year: 2026, month: 11, day: 19, count: 2 }] } },
    });
    // Capgo's bundle_usage needs activity alone: the app is found among the events the key reads.
    const bundles = await t.call('GET', `/statistics/app/app1/bundle_usage?${ON_DAY}`, { key: activityOnly });
    expect([bundles.statusCode, bundles.json()]).toEqual([
      200,
      { labels: ['2026-11-19', '2026-11-20'], datasets: [{ label: '1.0', data: [100, 100] }] },
    ]);
  });
}
