/**
 * Hostile input, surface by surface (issue 11): requests near a valid one for
 * each read endpoint of the native API and the five compatibility APIs, with
 * parameters kept, replaced by hostile values, dropped or repeated, extra
 * parameters, hostile credentials in every header form, and junk headers.
 * Every answer must be below 500 and, when an error, in the surface's
 * documented shape. A share of each target's cases must succeed, so the fuzz
 * reaches the engine rather than stopping at the parameter checks.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evil,
  extraHeaders,
  hostileJson,
  mutatedObject,
  mutatedQuery,
  type Template,
} from './arbitraries.js';
import {
  credential,
  credentialHeaders,
  fire,
  fuzzFixture,
  runs,
  TALLIES,
  type FuzzFixture,
} from './fuzz-setup.js';

let f: FuzzFixture;
beforeAll(async () => {
  f = await fuzzFixture();
});
afterAll(async () => {
  await f.t.close();
});

const DAYS = ['2026-11-01', '2026-11-19', '2026-11-20', '2026-11-19T10:00:00Z', '2025-12-01'];
const SECONDS = ['1795046400', '1793491200', '1767225600', '1795176000'];
const EXTRA = ['format', 'page', 'limit', 'callback', 'org', 'from', 'to', 'key', '__proto__'];

interface GetTarget {
  name: string;
  paths: readonly string[];
  query: Template;
  runs: number;
  /** The least share of cases that must answer 200. */
  minOk: number;
}

const GETS: GetTarget[] = [
  {
    name: 'native GET /v1/query',
    paths: ['/v1/query'],
    query: {
      org: ['101', '102', '101,102', null],
      subtree: ['true', 'false', null, null],
      type: ['api.request', 'activity', 'storage', null],
      from: DAYS,
      to: ['2026-11-20', '2026-11-20T12:00:00Z', null],
      bucket: ['day', 'week', 'month', 'none', 'hour_of_day', 'day_of_week', null],
      agg: ['count', 'sum', 'min', 'max', 'avg', 'unique', 'latest', null],
      group_by: ['dims.app', 'actor', 'org', 'dims.app,actor_kind', 'type', null, null],
      filters: [
        '[["eq","dims.app",["app1"]]]',
        '[["in","actor",["u1",null]]]',
        '[["prefix","type",["rep"]]]',
        null,
        null,
      ],
      timezone: ['UTC', 'Asia/Kathmandu', 'America/New_York', null],
      fill: ['zero', 'sparse', null],
    },
    runs: 500,
    minOk: 0.01,
  },
  {
    name: 'VIKTOR /api/statistics/',
    paths: ['/api/statistics/', '/api/statistics'],
    query: {
      stats_type: ['users', 'developers', 'workspaces'],
      start: DAYS,
      end: ['2026-11-19', '2026-11-20', '2026-11-19T23:00:00+02:00'],
      org_domain: ['acme.com', ' ACME.COM ', null, null],
    },
    runs: 400,
    minOk: 0.05,
  },
  {
    name: 'FileSpin /api/v1/stats/timeseries/*',
    paths: ['api', 'addons', 'transcodes', 'storage', 'cdn'].map((s) => `/api/v1/stats/timeseries/${s}`),
    query: {
      start_time: SECONDS,
      end_time: ['1795176000', '1795132800'],
      usergroup_id: ['101', '102'],
      stat_subtype: [
        'REMOVE_BACKGROUND',
        'ASSET',
        'traffic',
        'request',
        '/api/v1/assets/{ASSET_ID}/data',
        null,
      ],
      user_id: ['u1', 'u2', null, null],
    },
    runs: 400,
    minOk: 0.05,
  },
  {
    name: 'SaferMe /api/v4/analytics/*',
    paths: [
      'reports_over_time',
      'reports_per_state',
      'reports_per_field_selection',
      'reports_per_user',
      'reports_per_day_hour',
      'reports_per_week_day',
      'reports_images',
      'reports_read',
      'user_awareness',
    ].map((r) => `/api/v4/analytics/${r}`),
    query: {
      channel_id: ['101', '102'],
      start_date: ['2026-11-01T00:00:00Z', '2026-11-19', '2025-11-01T00:00:00Z'],
      end_date: ['2026-11-20T00:00:00Z', '2026-11-19T12:00:00Z'],
      field_id: ['f1', null],
      fields: ['total_reads,unique_reads,report_readers,reports_seen', 'total_alerts,alerts_opened', null],
    },
    runs: 400,
    minOk: 0.05,
  },
  {
    name: 'Capgo /statistics/*',
    paths: [
      '/statistics/app/app1/',
      '/statistics/app/app1',
      '/statistics/org/101/',
      '/statistics/org/102',
      '/statistics/user/',
      '/statistics/app/app1/bundle_usage',
    ],
    query: {
      from: ['2026-11-01', '2026-11-19', '2026-11-01T00:00:00Z'],
      to: ['2026-11-20', '2026-11-21', '2026-11-20T00:00:00.000Z'],
      noAccumulate: ['true', 'false', null],
      breakdown: ['true', 'false', null],
    },
    runs: 400,
    minOk: 0.05,
  },
];

describe('hostile input on every read endpoint', () => {
  for (const g of GETS) {
    it(`${g.name}: ${runs(g.runs)} cases, no 5xx, every error in shape`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...g.paths),
          mutatedQuery(g.query, EXTRA),
          credential,
          extraHeaders,
          fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE'),
          async (path, qs, cred, headers, method) => {
            const h = { ...headers, ...credentialHeaders(f, cred) };
            await fire(f, g.name, { method, url: path + qs, headers: h });
          },
        ),
        { numRuns: runs(g.runs) },
      );
      const t = TALLIES[g.name]!;
      expect((t.byStatus[200] ?? 0) / t.cases).toBeGreaterThanOrEqual(g.minOk);
    });
  }

  it(`native POST /v1/query: ${runs(400)} cases`, async () => {
    const body = mutatedObject({
      org: ['101', ['101', '102'], '102'],
      subtree: [true, false],
      type: ['api.request', ['activity', 'storage']],
      from: [...DAYS, 1795046400],
      to: ['2026-11-20', 1795176000],
      last: ['7d', '24h', 'month', 'yesterday'],
      bucket: ['day', 'hour', 'week', 'month', 'none', 'hour_of_day', 'day_of_week'],
      agg: ['count', 'sum', 'unique', 'latest', 'avg'],
      of: [['actor'], 'dims.app'],
      per: ['dims.kind'],
      filters: [[['eq', 'dims.app', ['app1']]], [['not_in', 'dims.x', [null]]]],
      group_by: [['dims.app'], 'actor_kind'],
      window: ['rolling', 'cumulative', 'none'],
      window_size: [7, 1],
      since: ['all', 'range'],
      share: [1],
      top: [1, 5],
      other: [true, false],
    });
    await fc.assert(
      fc.asyncProperty(body, credential, async (b, cred) => {
        const headers = { 'content-type': 'application/json', ...credentialHeaders(f, cred) };
        await fire(f, 'native POST /v1/query', {
          method: 'POST',
          url: '/v1/query',
          headers,
          payload: JSON.stringify(b),
        });
      }),
      { numRuns: runs(400) },
    );
    const t = TALLIES['native POST /v1/query']!;
    expect((t.byStatus[200] ?? 0) / t.cases).toBeGreaterThanOrEqual(0.01);
  });

  it(`TR50 POST /api: ${runs(400)} cases`, async () => {
    const options = mutatedObject({
      series: ['hour', 'day'],
      dimension: ['org'],
      includeSubOrgs: [true, false],
      showAll: [false, true],
    });
    const range = fc.oneof(
      mutatedObject({ start: ['2026-11-19T00:00:00Z', '2026-11-01T00:00:00.000-00:00'] }, ['start']).map(
        (o) => ({
          end: '2026-11-20T00:00:00Z',
          ...o,
        }),
      ),
      mutatedObject({ last: ['7d', '24h', '90s'] }, ['last']),
    );
    const history = fc
      .tuple(range, options)
      .map(([r, o]) => ({ command: 'usage.api.history', params: { ...r, ...o } }));
    const authenticate = mutatedObject({ appToken: [f.secrets.read!, 'nope'] }, ['appToken']).map(
      (params) => ({
        command: 'api.authenticate',
        params,
      }),
    );
    const command = fc.oneof(
      { weight: 4, arbitrary: history },
      { weight: 2, arbitrary: authenticate },
      { weight: 1, arbitrary: fc.record({ command: evil, params: hostileJson }) },
    );
    const envelope = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.dictionary(fc.constantFrom('get', 'auth', '1', '__proto__', 'x'), command, {
          maxKeys: 3,
        }),
      },
      { weight: 1, arbitrary: fc.record({ auth: fc.record({ sessionId: evil }), get: command }) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(envelope, credential, fc.boolean(), async (env, cred, asText) => {
        const headers = {
          'content-type': asText ? 'text/plain' : 'application/json',
          ...credentialHeaders(f, cred),
        };
        const res = await fire(f, 'TR50 POST /api', {
          method: 'POST',
          url: '/api',
          headers,
          payload: JSON.stringify(env),
        });
        expect(res.statusCode).toBe(200);
        const answers = Object.values(res.json<Record<string, { success?: boolean }>>());
        if (answers.some((a) => a.success === true)) succeeded++;
      }),
      { numRuns: runs(400) },
    );
    expect(succeeded / runs(400)).toBeGreaterThanOrEqual(0.05);
  });
});

afterAll(() => {
  const lines = Object.entries(TALLIES).map(
    ([k, v]) => `${k}: ${v.cases} cases ${JSON.stringify(v.byStatus)}`,
  );
  console.log(`fuzz (surfaces):\n  ${lines.join('\n  ')}`);
});
