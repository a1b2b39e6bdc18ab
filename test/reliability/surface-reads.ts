/**
 * A small data set that every surface can read, and one request per surface
 * with its expected figure (worked out by hand from the events below) and its
 * documented answer when the store is down. Shared by the store-failure tests.
 *
 * Org `101` (digits, so SaferMe can name it as a channel), all on 2026-11-19 UTC:
 * 3 api.request, 2 activity by u1 and u2 on workspace w1 / app app1, and one
 * report.created by u1: 6 events.
 */
import { expect } from 'vitest';
import type { RelApp } from './harness.js';

export const ORG = '101';
export const SEED = [
  ...[0, 1, 2].map((i) => ({ id: `api-${i}`, type: 'api.request', dims: { service: 'thing' } })),
  ...[1, 2].map((i) => ({
    id: `act-${i}`,
    type: 'activity',
    actor: `u${i}`,
    dims: { workspace: 'w1', app: 'app1', version: '1.0' },
  })),
  {
    id: 'rep-1',
    type: 'report.created',
    actor: 'u1',
    dims: { report: 'r1', state: 's1', state_name: 'Open' },
  },
].map((e, i) => ({ ...e, org: ORG, time: `2026-11-19T10:0${i}:00Z` }));

/** A batch the tests send while the store is down: it must not be stored, then stored once on retry. */
export function batch(tag: string, n = 5): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}-${i}`,
    type: 'api.request',
    org: ORG,
    time: '2026-11-19T11:00:00Z',
    dims: { service: 'thing' },
  }));
}

const DAY_19 = Date.UTC(2026, 10, 19) / 1000;
const NOW_S = Date.UTC(2026, 10, 20, 12) / 1000;

export interface SurfaceRead {
  surface: string;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** Asserts the figure when the store works; `stored` is how many api.request events are stored. */
  check(json: unknown, stored: number): void;
  /** The documented answer while the store cannot serve. */
  down: { status: number; body: (b: Record<string, unknown>) => void };
}

type J = Record<string, never>;

/** One read per surface (the native one through GET and POST). */
export const READS: SurfaceRead[] = [
  {
    surface: 'native GET',
    method: 'GET',
    url: `/v1/query?org=${ORG}&type=api.request&from=2026-11-01&to=2026-11-20&bucket=none`,
    check: (j, stored) => {
      expect((j as { series: { total: number }[] }).series[0]!.total).toBe(stored);
    },
    down: {
      status: 503,
      body: (b) => {
        expect((b['error'] as { code: string }).code).toBe('store_unavailable');
      },
    },
  },
  {
    surface: 'native POST',
    method: 'POST',
    url: '/v1/query',
    body: { org: ORG, type: 'activity', from: '2026-11-01', to: '2026-11-20', bucket: 'none', agg: 'unique' },
    check: (j) => {
      expect((j as { series: { total: number }[] }).series[0]!.total).toBe(2);
    },
    down: {
      status: 503,
      body: (b) => {
        expect((b['error'] as { code: string }).code).toBe('store_unavailable');
      },
    },
  },
  {
    surface: 'viktor',
    method: 'GET',
    url: '/api/statistics/?stats_type=users&start=2026-11-01&end=2026-11-19',
    check: (j) => {
      expect((j as { users: { monthly_active_users: unknown[] } }).users.monthly_active_users).toEqual([
        { year: 2026, month: 11, count: 2 },
      ]);
    },
    down: {
      status: 503,
      body: (b) => {
        expect(b).toEqual({ detail: 'Service temporarily unavailable, try again later.' });
      },
    },
  },
  {
    surface: 'filespin',
    method: 'GET',
    url: `/api/v1/stats/timeseries/api?start_time=${DAY_19 - 86400}&end_time=${NOW_S}&usergroup_id=${ORG}`,
    check: (j, stored) => {
      expect((j as { data: Record<string, unknown> }).data['*']).toEqual([
        { timestamp: DAY_19, value: stored },
      ]);
    },
    down: {
      status: 503,
      body: (b) => {
        expect(Object.keys(b)).toEqual(['error']);
        expect(JSON.stringify(b)).not.toMatch(/SELECT|duckdb|\/tmp/i);
      },
    },
  },
  {
    surface: 'saferme',
    method: 'GET',
    url: `/api/v4/analytics/reports_over_time?channel_id=${ORG}&start_date=2026-11-01T00:00:00Z&end_date=2026-11-20T00:00:00Z`,
    check: (j) => {
      expect((j as { report_count: number }[]).reduce((s, r) => s + r.report_count, 0)).toBe(1);
    },
    down: {
      status: 503,
      body: (b) => {
        expect(b).toEqual({ message: 'service unavailable' });
      },
    },
  },
  {
    surface: 'capgo',
    method: 'GET',
    url: `/statistics/org/${ORG}/?from=2026-11-19&to=2026-11-20`,
    check: (j) => {
      expect(j as J[]).toEqual([{ date: '2026-11-19', mau: 2, storage: 0, bandwidth: 0 }]);
    },
    // Capgo documents a store failure as 500 `Cannot get ... statistics` (CONTRACT 3.4).
    down: {
      status: 500,
      body: (b) => {
        expect(b).toEqual({ status: 'Cannot get organization statistics', error: 'Internal server error' });
      },
    },
  },
  {
    surface: 'tr50',
    method: 'POST',
    url: '/api',
    body: {
      get: {
        command: 'usage.api.history',
        params: { start: '2026-11-19T00:00:00Z', end: '2026-11-20T00:00:00Z', series: 'day' },
      },
    },
    check: (j, stored) => {
      expect((j as { get: { params: { total: number } } }).get.params.total).toBe(stored);
    },
    down: {
      status: 200,
      body: (b) => {
        expect(b).toEqual({
          get: {
            success: false,
            errorCodes: [-90001],
            errorMessages: ['The store cannot serve the request right now; retry later.'],
          },
        });
      },
    },
  },
];

/** Orgs, the seed events and a read key over ORG; returns the key. */
export async function seed(t: RelApp): Promise<string> {
  expect((await t.call('PUT', `/v1/orgs/${ORG}`, { body: {} })).statusCode).toBe(200);
  const res = await t.call('POST', '/v1/events', { body: SEED });
  expect(res.json()).toEqual({ accepted: SEED.length, duplicates: 0 });
  return t.newKey('read', [ORG]);
}

/** Every read answers its figure (with `stored` api.request events stored). */
export async function expectReadsWork(t: RelApp, key: string, stored: number): Promise<void> {
  for (const r of READS) {
    const res = await t.call(r.method, r.url, { key, body: r.body });
    expect(res.statusCode, `${r.surface}: ${res.body}`).toBe(200);
    r.check(res.json(), stored);
  }
}

/** Every read answers its surface's documented store failure. */
export async function expectReadsDown(t: RelApp, key: string): Promise<void> {
  for (const r of READS) {
    const res = await t.call(r.method, r.url, { key, body: r.body });
    expect(res.statusCode, `${r.surface}: ${res.body}`).toBe(r.down.status);
    r.down.body(res.json());
  }
}
