/**
 * FileSpin time-series stats in-process: events loaded through the native API, every
 * answer compared with a stored fixture (test/compat/fixtures/filespin, figures worked
 * out by hand in each fixture's `why`), then auth, reach and every 400.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filespinSurface } from '../../src/compat/filespin/index.js';
import { ev, makeApp, type TestApp } from '../helpers.js';

const FIXTURES = new URL('./fixtures/filespin/', import.meta.url);
interface Fixture {
  request: string;
  why: string;
  response: unknown;
}
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as Fixture] as const);

const D = '/api/v1/assets/{ASSET_ID}/data';
const S = '/api/v1/search';
const api = (id: string, time: string, endpoint: string, actor?: string, org = '42') =>
  ev({ id, org, time, type: 'api.request', dims: { endpoint }, ...(actor ? { actor } : {}) });
const EVENTS = [
  api('x3', '2025-11-21T11:59:59Z', D, 'u1'), // 1 s before the earliest allowed start (now - 364 d)
  api('a1', '2025-12-31T23:59:59Z', D, 'u1'), // last second of 2025
  api('a2', '2026-01-01T00:00:00Z', D, 'u1'), // first second of 2026
  api('a3', '2026-10-31T23:30:00Z', S, 'u1'), // month end
  api('a4', '2026-11-01T06:30:00Z', D, 'u1'), // New York's fall-back day: days stay UTC
  api('a5', '2026-11-01T07:30:00Z', D, 'u2'),
  api('a6', '2026-11-01T08:00:00Z', S, 'u1'),
  api('a7', '2026-11-03T02:00:00Z', D, 'u1'), // Nov 2 in New York, Nov 3 UTC
  api('a8', '2026-11-19T23:59:59Z', S), // no actor
  api('x1', '2026-11-01T09:00:00Z', D, 'u1', '42-eu'), // sub-org: never in 42's figures
  api('x2', '2026-11-10T00:00:00Z', D, 'u9', '7'),
  ...[
    ['b1', '2026-11-10T10:00:00Z', 'REMOVE_BACKGROUND', 'u1'],
    ['b2', '2026-11-10T11:00:00Z', 'REMOVE_BACKGROUND', 'u2'],
    ['b3', '2026-11-10T12:00:00Z', 'AUTO_TAG', 'u1'],
    ['b4', '2026-11-12T00:00:00Z', 'REMOVE_BACKGROUND', 'u1'],
  ].map(([id, time, addon, actor]) => ev({ id, org: '42', time, actor, type: 'addon.run', dims: { addon } })),
  ev({ id: 'c1', org: '42', type: 'transcode', time: '2026-11-15T01:00:00Z', actor: 'u1', value: 5 }),
  ev({ id: 'c2', org: '42', type: 'transcode', time: '2026-11-15T02:00:00Z', actor: 'u1' }),
  ev({ id: 'c3', org: '42', type: 'transcode', time: '2026-11-16T00:00:00Z', actor: 'u2' }),
  ...(
    [
      ['s0', '2026-10-20T10:00:00Z', 'ASSET', 1000],
      ['s1', '2026-11-01T10:00:00Z', 'ASSET', 2000],
      ['s2', '2026-11-01T18:00:00Z', 'ASSET', 2500],
      ['s3', '2026-11-01T12:00:00Z', 'VIDEO', 300],
      ['s4', '2026-11-03T09:00:00Z', 'VIDEO', 400],
      ['s6', '2026-11-04T00:00:00Z', 'ASSET', 2800],
      ['s5', '2026-11-04T23:59:59Z', 'ASSET', 3000],
    ] as const
  ).map(([id, time, kind, value]) => ev({ id, org: '42', type: 'storage', time, value, dims: { kind } })),
  ev({
    id: 's9',
    org: '42-eu',
    type: 'storage',
    time: '2026-11-03T10:00:00Z',
    value: 99999,
    dims: { kind: 'ASSET' },
  }),
  ev({ id: 'w1', org: '42', type: 'bandwidth', time: '2026-11-18T10:00:00Z', actor: 'u1', value: 1500 }),
  ev({ id: 'w2', org: '42', type: 'bandwidth', time: '2026-11-18T11:00:00Z', actor: 'u2', value: 500 }),
  ev({ id: 'w3', org: '42', type: 'bandwidth', time: '2026-11-20T11:59:59Z', actor: 'u1', value: 250 }),
];

/** NOW (2026-11-20T12:00:00Z) in Unix seconds, and the earliest start allowed (NOW - 364 days). */
const NOW_S = 1795176000;
const EARLIEST = 1763726400;
const RANGE = `start_time=${EARLIEST}&end_time=${NOW_S}`;

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ surfaces: [filespinSurface] });
  expect((await t.call('PUT', '/v1/orgs/42', { body: { timezone: 'America/New_York' } })).statusCode).toBe(
    200,
  );
  expect((await t.call('PUT', '/v1/orgs/42-eu', { body: { parent: '42' } })).statusCode).toBe(200);
  expect((await t.call('PUT', '/v1/orgs/7', { body: {} })).statusCode).toBe(200);
  const res = await t.call('POST', '/v1/events', { body: EVENTS });
  expect(res.json()).toEqual({ accepted: EVENTS.length, duplicates: 0 });
});
afterAll(async () => {
  await t.close();
});

describe('FileSpin answers (stored fixtures)', () => {
  it('has fixtures for every stat type', () => {
    const types = new Set(fixtures.map(([, f]) => (f.response as { stat_type: string }).stat_type));
    expect([...types].sort()).toEqual(['addons', 'api', 'cdn', 'storage', 'transcodes']);
  });
  it.each(fixtures)('%s', async (_name, f) => {
    const res = await t.call('GET', f.request);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(f.response);
  });
  it('user_id=* is the whole usergroup', async () => {
    const res = await t.call('GET', `/api/v1/stats/timeseries/transcodes?usergroup_id=42&user_id=*&${RANGE}`);
    expect(res.json<{ data: unknown }>().data).toEqual({
      '*': [
        { timestamp: 1794700800, value: 2 },
        { timestamp: 1794787200, value: 1 },
      ],
    });
  });
  it('takes an endpoint that arrives still encoded (encoded twice by the client)', async () => {
    const twice = encodeURIComponent(encodeURIComponent(D));
    const res = await t.call(
      'GET',
      `/api/v1/stats/timeseries/api?usergroup_id=42&stat_subtype=${twice}&${RANGE}`,
    );
    const body = res.json<{ stat_subtype: string; data: { '*': unknown[] } }>();
    expect(body.stat_subtype).toBe(D);
    expect(body.data['*']).toHaveLength(4); // a1, a2, a4+a5, a7 as in api-endpoint.json
  });
});

describe('FileSpin keys and usergroups', () => {
  const url = (q: string) => `/api/v1/stats/timeseries/api?${RANGE}${q}`;
  it('accepts X-FileSpin-Api-Key and the native forms', async () => {
    const key = await t.newKey('read', ['7']);
    const viaVendor = await t.call('GET', url('&usergroup_id=7'), {
      key: null,
      headers: { 'X-FileSpin-Api-Key': key },
    });
    expect(viaVendor.statusCode).toBe(200);
    const viaApiKey = await t.call('GET', url('&usergroup_id=7'), {
      key: null,
      headers: { 'x-api-key': key },
    });
    expect(viaApiKey.statusCode).toBe(200);
  });
  it('a key over one org alone may omit usergroup_id; a numeric id is a number', async () => {
    const key = await t.newKey('read', ['7']);
    const res = await t.call('GET', url(''), { key });
    expect(res.json()).toEqual({
      usergroup_id: 7,
      stat_type: 'api',
      stat_subtype: null,
      start_time: String(EARLIEST),
      end_time: String(NOW_S),
      data: { '*': [{ timestamp: 1794268800, value: 1 }] }, // x2 on 11-10
    });
  });
  it('a key over an org with a sub-org, or over *, must name the usergroup', async () => {
    const key = await t.newKey('read', ['42']);
    for (const k of [key, undefined]) {
      const res = await t.call('GET', url(''), { key: k });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(/^usergroup_id/);
    }
    // The sub-org is within the key's reach.
    expect((await t.call('GET', url('&usergroup_id=42-eu'), { key })).statusCode).toBe(200);
  });
  it('401 without a key or with a bad one, 403 outside reach or without the read role', async () => {
    for (const opts of [
      { key: null },
      { key: 'nope' },
      { key: null, headers: { 'x-filespin-api-key': 'bad' } },
    ]) {
      const res = await t.call('GET', url('&usergroup_id=42'), opts);
      expect(res.statusCode).toBe(401);
      expect(Object.keys(res.json<object>())).toEqual(['error']);
    }
    const other = await t.newKey('read', ['7']);
    const outside = await t.call('GET', url('&usergroup_id=42'), { key: other });
    expect(outside.statusCode).toBe(403);
    expect(outside.json<{ error: string }>().error).toEqual(expect.any(String));
    // An unknown usergroup is outside a limited key too: its existence is not revealed.
    expect((await t.call('GET', url('&usergroup_id=999'), { key: other })).statusCode).toBe(403);
    const ingest = await t.newKey('ingest', ['42']);
    expect((await t.call('GET', url('&usergroup_id=42'), { key: ingest })).statusCode).toBe(403);
  });
  it('an unknown usergroup within an admin key has no data', async () => {
    const res = await t.call('GET', url('&usergroup_id=999'));
    expect(res.json<{ usergroup_id: unknown; data: unknown }>()).toMatchObject({
      usergroup_id: 999,
      data: { '*': [] },
    });
  });
});

describe('FileSpin 400s: {"error": "<param>: ..."}', () => {
  const base = '/api/v1/stats/timeseries';
  const cases: [string, string, string][] = [
    ['start_time missing', `${base}/api?usergroup_id=42&end_time=${NOW_S}`, 'start_time'],
    ['end_time missing', `${base}/api?usergroup_id=42&start_time=${EARLIEST}`, 'end_time'],
    ['start_time not a number', `${base}/api?usergroup_id=42&start_time=abc&end_time=${NOW_S}`, 'start_time'],
    [
      'start_time fractional',
      `${base}/api?usergroup_id=42&start_time=1794268800.5&end_time=${NOW_S}`,
      'start_time',
    ],
    ['end_time negative', `${base}/api?usergroup_id=42&start_time=${EARLIEST}&end_time=-1`, 'end_time'],
    [
      'end_time ISO date',
      `${base}/api?usergroup_id=42&start_time=${EARLIEST}&end_time=2026-11-20`,
      'end_time',
    ],
    [
      'end_time huge',
      `${base}/api?usergroup_id=42&start_time=${EARLIEST}&end_time=${'9'.repeat(40)}`,
      'end_time',
    ],
    [
      'start_time 364 days + 1 s back',
      `${base}/api?usergroup_id=42&start_time=${EARLIEST - 1}&end_time=${NOW_S}`,
      'start_time',
    ],
    [
      'end_time 1 s after now',
      `${base}/api?usergroup_id=42&start_time=${EARLIEST}&end_time=${NOW_S + 1}`,
      'end_time',
    ],
    [
      'start after end',
      `${base}/api?usergroup_id=42&start_time=1794268801&end_time=1794268800`,
      'start_time',
    ],
    [
      'repeated start_time',
      `${base}/api?usergroup_id=42&start_time=1&start_time=2&end_time=${NOW_S}`,
      'start_time',
    ],
    ['unknown stat_type in path', `${base}/files?usergroup_id=42&${RANGE}`, 'stat_type'],
    ['unknown stat_type in query', `${base}?stat_type=files&usergroup_id=42&${RANGE}`, 'stat_type'],
    ['no stat_type at all', `${base}?usergroup_id=42&${RANGE}`, 'stat_type'],
    ['path and query disagree', `${base}/api?stat_type=cdn&usergroup_id=42&${RANGE}`, 'stat_type'],
    ['unknown cdn subtype', `${base}/cdn?stat_subtype=bytes&usergroup_id=42&${RANGE}`, 'stat_subtype'],
    [
      'a subtype for transcodes',
      `${base}/transcodes?stat_subtype=HLS&usergroup_id=42&${RANGE}`,
      'stat_subtype',
    ],
    [
      'subtype too long',
      `${base}/addons?stat_subtype=${'A'.repeat(513)}&usergroup_id=42&${RANGE}`,
      'stat_subtype',
    ],
    ['user_id too long', `${base}/api?user_id=${'u'.repeat(201)}&usergroup_id=42&${RANGE}`, 'user_id'],
    ['usergroup_id too long', `${base}/api?usergroup_id=${'9'.repeat(201)}&${RANGE}`, 'usergroup_id'],
  ];
  it.each(cases)('%s', async (_name, url, param) => {
    const res = await t.call('GET', url);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.startsWith(`${param}:`)).toBe(true);
  });
  it('start_time exactly 364 days back and end_time exactly now are allowed', async () => {
    expect((await t.call('GET', `${base}/api?usergroup_id=42&${RANGE}`)).statusCode).toBe(200);
  });
});
