/**
 * TR50 `usage.api.history` over POST /api, in-process: answers compared with the stored
 * fixtures in fixtures/tr50/ (figures worked out by hand in tr50-setup.ts), both series
 * across New York's DST changes, `last`, both dimensions, sub-orgs, showAll rights, and
 * every per-command and envelope error. Sessions are in tr50-session.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { StoreError } from '../../src/core/errors.js';
import { tr50Surface } from '../../src/compat/tr50/index.js';
import { ADMIN, NOW, type TestApp } from '../helpers.js';
import { fixture, history, setupTr50, tr50 } from './tr50-setup.js';

let t: TestApp;
let acme: string;
let globex: string;
beforeEach(async () => {
  t = await setupTr50();
  acme = await t.newKey('read', ['acme']);
  globex = await t.newKey('read', ['globex']);
});
afterEach(async () => {
  await t.close();
});

const FALL_HOURS = { start: '2026-11-01T00:00:00-04:00', end: '2026-11-01T04:00:00-05:00' };

// globex, last 1h = [11:00Z, 12:00Z): only the call at 11:59:59Z
const LAST_HOUR = {
  success: true,
  params: { counters: { thing: [1] }, total: 1, ts: ['2026-11-20T11:00:00+00:00'] },
};

function failure(code: number): Record<string, unknown> {
  return { success: false, errorCodes: [code], errorMessages: [expect.any(String)] };
}

describe('usage.api.history figures', () => {
  it('hour series across the fall-back: the repeated 01:00 is two buckets, end exclusive', async () => {
    const body = history({ ...FALL_HOURS, includeSubOrgs: false, showAll: false, series: 'hour' });
    expect(await tr50(t, body, { key: acme })).toEqual(fixture('history-hour-fall'));
    // series defaults to hour; the seed's "-00:00" offset form is read as UTC
    const utc = { start: '2026-11-01T04:00:00.000-00:00', end: '2026-11-01T09:00:00.000-00:00' };
    expect(await tr50(t, history(utc), { key: acme })).toEqual(fixture('history-hour-fall'));
  });

  it('day series across the fall-back: local dates, the 25-hour Nov 1 keeps 23:30 EST', async () => {
    const body = history({ start: '2026-10-31', end: '2026-11-03', series: 'day' });
    expect(await tr50(t, body, { key: acme })).toEqual(fixture('history-day-fall'));
  });

  it('both series across the spring-forward, in one envelope', async () => {
    const body = {
      hour: {
        command: 'usage.api.history',
        params: { start: '2026-03-08T01:00:00-05:00', end: '2026-03-08T04:00:00-04:00' },
      },
      day: {
        command: 'usage.api.history',
        params: { start: '2026-03-07', end: '2026-03-09', series: 'day' },
      },
    };
    expect(await tr50(t, body, { key: acme })).toEqual(fixture('history-spring'));
  });

  it('includeSubOrgs on and off, by service and by org', async () => {
    const body = {
      services: { command: 'usage.api.history', params: { ...FALL_HOURS, includeSubOrgs: true } },
      orgs: {
        command: 'usage.api.history',
        params: { ...FALL_HOURS, includeSubOrgs: true, dimension: 'org' },
      },
      own: { command: 'usage.api.history', params: { ...FALL_HOURS, dimension: 'org' } },
    };
    expect(await tr50(t, body, { key: acme })).toEqual(fixture('history-sub-orgs'));
  });

  it('last: s, m, h exact and d in calendar days, ending now (2026-11-20T12:00Z, UTC org)', async () => {
    const body = {
      h: { command: 'usage.api.history', params: { last: '3h' } },
      d: { command: 'usage.api.history', params: { last: '2d', series: 'day' } },
      m: { command: 'usage.api.history', params: { last: '90m' } },
      s: { command: 'usage.api.history', params: { last: '7200s' } },
    };
    expect(await tr50(t, body, { key: globex })).toEqual(fixture('history-last'));
  });

  it('showAll: every org for the operator (no org of its own: UTC, +00:00)', async () => {
    const body = {
      byOrg: { command: 'usage.api.history', params: { ...FALL_HOURS, showAll: true, dimension: 'org' } },
      byService: { command: 'usage.api.history', params: { ...FALL_HOURS, showAll: true } },
    };
    expect(await tr50(t, body, { key: ADMIN })).toEqual(fixture('history-show-all'));
  });

  it('an org without api.request events: empty counters, total 0, ts still listed', async () => {
    await t.call('PUT', '/v1/orgs/quiet', { body: { timezone: 'Asia/Kathmandu' } });
    const key = await t.newKey('read', ['quiet']);
    const res = await tr50(t, history({ start: '2026-11-01T00:00:00Z', end: '2026-11-01T01:30:00Z' }), {
      key,
    });
    // Kathmandu is +05:45: hours start at :15 UTC; 00:00Z sits in the 05:00 local hour (23:15Z..00:15Z)
    expect(res['get']).toEqual({
      success: true,
      params: {
        counters: {},
        total: 0,
        ts: ['2026-11-01T05:00:00+05:45', '2026-11-01T06:00:00+05:45', '2026-11-01T07:00:00+05:45'],
      },
    });
  });
});

describe('usage.api.history rights', () => {
  it('showAll needs an admin key over *: a read key or an admin key over one org fail', async () => {
    const admin = await t.newKey('admin', ['acme']);
    const readAll = await t.newKey('read', ['*']);
    for (const key of [acme, admin, readAll]) {
      expect((await tr50(t, history({ ...FALL_HOURS, showAll: true }), { key }))['get']).toEqual(
        failure(-90011),
      );
    }
  });

  it('a key over * has no org of its own: without showAll it fails', async () => {
    expect((await tr50(t, history(FALL_HOURS)))['get']).toEqual(failure(-90011));
  });

  it('an ingest key is refused; a key for several orgs acts for its first', async () => {
    const ingest = await t.newKey('ingest', ['acme']);
    expect((await tr50(t, history(FALL_HOURS), { key: ingest }))['get']).toEqual(failure(-90011));
    const both = await t.newKey('read', ['globex', 'acme']);
    const res = await tr50(t, history({ ...FALL_HOURS, dimension: 'org' }), { key: both });
    // globex is UTC: its one event at 06:10Z is in the 06:00 bucket
    expect(res['get']).toMatchObject({
      success: true,
      params: { counters: { globex: [0, 0, 1, 0, 0] }, total: 1 },
    });
  });
});

describe('per-command errors (always HTTP 200)', () => {
  const cases: [string, unknown, number][] = [
    ['no range', {}, -90005],
    ['no params at all', undefined, -90005],
    ['start without end', { start: '2026-11-01T00:00:00Z' }, -90005],
    ['end without start', { end: '2026-11-01T00:00:00Z' }, -90005],
    ['last with start and end', { ...FALL_HOURS, last: '24h' }, -90006],
    ['last with a week unit', { last: '1w' }, -90004],
    ['last of zero', { last: '0h' }, -90004],
    ['last without unit', { last: '24' }, -90004],
    ['last as a number', { last: 24 }, -90004],
    ['series week', { last: '24h', series: 'week' }, -90004],
    ['dimension user', { last: '24h', dimension: 'user' }, -90004],
    ['includeSubOrgs as a string', { last: '24h', includeSubOrgs: 'true' }, -90004],
    ['showAll as a number', { last: '24h', showAll: 1 }, -90004],
    ['an unknown parameter', { last: '24h', Series: 'day' }, -90004],
    ['params as an array', [], -90004],
    ['a bad start', { start: 'yesterday', end: '2026-11-01T00:00:00Z' }, -90004],
    ['an impossible date', { start: '2026-02-30', end: '2026-03-02' }, -90004],
    ['end equal to start', { start: '2026-11-01T00:00:00Z', end: '2026-11-01T00:00:00Z' }, -90004],
    ['end before start', { start: '2026-11-02', end: '2026-11-01' }, -90004],
    [
      'an over-long start',
      { start: '2026-11-01T00:00:00.000000000000000000000000Z', end: '2026-11-02' },
      -90004,
    ],
    ['5001 hours', { start: '2026-01-01T00:00:00Z', end: '2026-07-28T09:00:00Z' }, -90007],
    ['last 6000h', { last: '6000h' }, -90007],
    ['last reaching before 1970', { last: '100000d', series: 'day' }, -90004],
  ];
  it.each(cases)('%s', async (_name, params, code) => {
    const body = { get: { command: 'usage.api.history', ...(params === undefined ? {} : { params }) } };
    expect((await tr50(t, body, { key: acme }))['get']).toEqual(failure(code));
  });

  it('exactly 5000 hour buckets is still served', async () => {
    // 2026-01-01T00Z + 5000 h = 2026-07-28T08:00Z (208 days 8 hours)
    const res = await tr50(t, history({ start: '2026-01-01T00:00:00Z', end: '2026-07-28T08:00:00Z' }), {
      key: globex,
    });
    expect((res['get']!['params'] as { ts: string[] }).ts).toHaveLength(5000);
  });

  it('unknown command, a non-object command, a missing command name: each answered under its id', async () => {
    const body = {
      a: { command: 'thing.find', params: {} },
      b: 'usage.api.history',
      c: { params: { last: '24h' } },
      d: { command: 'usage.api.history', params: { last: '1h' } },
    };
    const res = await tr50(t, body, { key: globex });
    expect(res).toEqual({
      a: failure(-90003),
      b: failure(-90002),
      c: failure(-90002),
      d: LAST_HOUR,
    });
  });

  it('a store failure is success:false -90001 and the other commands still run', async () => {
    const failing = new Proxy(t.store, {
      get(target, prop) {
        if (prop === 'fetchRows')
          return () => Promise.reject(new StoreError('down', new Error('driver says no')));
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const app = await createApp({ store: failing, clock: () => NOW, adminKey: ADMIN }, [tr50Surface]);
    const res = await app.inject({
      method: 'POST',
      url: '/api',
      headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...history({ last: '1h' }), x: { command: 'nope' } }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ get: failure(-90001), x: failure(-90003) });
    expect(res.body).not.toContain('driver says no');
    await app.close();
  });
});

describe('methods other than POST', () => {
  it('get the native 404, as docs/compat/tr50.md says, while POST stays TR50', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await t.call(method, '/api', { key: acme });
      expect(res.statusCode, method).toBe(404);
      expect(res.json(), method).toEqual({
        error: { code: 'not_found', message: `No route ${method} /api.`, details: [] },
      });
    }
    const post = await t.call('POST', '/api', { key: acme, raw: '{"get": ' });
    expect(post.statusCode).toBe(200);
    expect(post.json<{ success: boolean }>().success).toBe(false);
  });
});

describe('envelope errors: one top-level success:false, HTTP 200', () => {
  const bodies: [string, string, Record<string, string>][] = [
    ['invalid JSON', '{"get": ', { 'content-type': 'application/json' }],
    ['an array', '[{"command": "usage.api.history"}]', { 'content-type': 'application/json' }],
    ['a string', '"usage.api.history"', { 'content-type': 'application/json' }],
    ['null', 'null', { 'content-type': 'application/json' }],
    ['an empty body', '', { 'content-type': 'application/json' }],
    ['an empty command id', '{"": {"command": "usage.api.history"}}', { 'content-type': 'application/json' }],
  ];
  it.each(bodies)('%s', async (_name, raw, headers) => {
    const res = await t.call('POST', '/api', { raw, headers, key: acme });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(failure(-90002));
  });

  it('more than 100 commands, and a body over 1 MiB', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`c${i}`, { command: 'usage.api.history' }]),
    );
    expect(await tr50(t, many, { key: acme })).toEqual(failure(-90002));
    const big = { get: { command: 'usage.api.history', params: { pad: 'x'.repeat(1024 * 1024) } } };
    expect(await tr50(t, big, { key: acme })).toEqual({
      success: false,
      errorCodes: [-90002],
      errorMessages: ['The body is larger than 1 MiB.'],
    });
  });

  it('any content type is read as JSON text (curl -d sends form encoding); {} answers {}', async () => {
    const raw = JSON.stringify(history({ last: '1h' }));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.call('POST', '/api', { raw, headers: { 'content-type': type }, key: globex });
      expect(res.json()).toEqual({ get: LAST_HOUR });
    }
    const bare = await t.call('POST', '/api', { raw, key: globex });
    expect(bare.json()).toEqual({ get: LAST_HOUR });
    expect(await tr50(t, {}, { key: acme })).toEqual({});
  });

  it('an id named __proto__ is answered as a plain key', async () => {
    const raw = '{"__proto__": {"command": "nope"}}';
    const res = await t.call('POST', '/api', { raw, headers: { 'content-type': 'application/json' } });
    const answer = JSON.parse(res.body) as object;
    expect(Object.keys(answer)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(answer, '__proto__')?.value).toEqual(failure(-90003));
  });
});
