/**
 * Shared fixture for the TR50 HTTP tests: orgs and `api.request` events loaded through
 * the native API, a POST /api helper, and the stored expected answers in fixtures/tr50/.
 *
 * Orgs: acme (America/New_York) with child acme-labs (Europe/London), globex (UTC).
 * New York falls back on 2026-11-01 at 06:00Z (01:00 EDT -> 01:00 EST) and springs
 * forward on 2026-03-08 at 07:00Z (02:00 EST -> 03:00 EDT).
 */
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { tr50Surface } from '../../src/compat/tr50/index.js';
import { ev, makeApp, type TestApp } from '../helpers.js';

const api = (over: Record<string, unknown>): Record<string, unknown> => ev({ type: 'api.request', ...over });

/** Each event's local time and the service it counts for are in the comments. */
export const EVENTS = [
  // acme, around the fall-back (local New York times)
  api({ time: '2026-11-01T03:59:59Z', dims: { service: 'thing' } }), // Oct 31 23:59:59 EDT: before the hour range
  api({ time: '2026-11-01T04:30:00Z', dims: { service: 'thing' } }), // 00:30 EDT -> thing
  api({ time: '2026-11-01T05:10:00Z', dims: { command: 'thing.find' } }), // 01:10 EDT -> thing
  api({ time: '2026-11-01T05:30:00Z', value: 5, dims: { service: 'thing' } }), // 01:30 EDT, value ignored -> thing
  api({ time: '2026-11-01T06:20:00Z', dims: { command: 'alarm.publish' } }), // 01:20 EST -> alarm
  api({ time: '2026-11-01T06:40:00Z', dims: { service: 'alarm', command: 'thing.list' } }), // 01:40 EST -> alarm
  api({ time: '2026-11-01T07:05:00Z' }), // 02:05 EST, no dims -> unknown
  api({ time: '2026-11-01T08:59:59Z', dims: { service: 'thing' } }), // 03:59:59 EST -> thing
  api({ time: '2026-11-01T09:00:00Z', dims: { service: 'thing' } }), // 04:00 EST: at the hour range's end
  api({ time: '2026-11-02T04:30:00Z', dims: { service: 'thing' } }), // Nov 1 23:30 EST: still the 25-hour Nov 1
  api({ time: '2026-11-02T05:00:00Z', dims: { service: 'thing' } }), // Nov 2 00:00 EST
  ev({ type: 'activity', time: '2026-11-01T05:00:00Z', dims: { service: 'thing' } }), // another type: never counted
  // acme-labs (child of acme) and globex (root), same night
  api({ org: 'acme-labs', time: '2026-11-01T06:10:00Z', dims: { service: 'thing' } }), // 01:10 EST in acme's zone
  api({ org: 'globex', time: '2026-11-01T06:10:00Z', dims: { service: 'thing' } }),
  // acme, around the spring-forward
  api({ time: '2026-03-08T07:30:00Z', dims: { service: 'thing' } }), // 03:30 EDT
  api({ time: '2026-03-09T03:30:00Z', dims: { service: 'thing' } }), // Mar 8 23:30 EDT: the 23-hour Mar 8
  api({ time: '2026-03-09T04:00:00Z', dims: { service: 'thing' } }), // Mar 9 00:00 EDT: at the day range's end
  // globex, before NOW = 2026-11-20T12:00:00Z (UTC org), for `last`
  api({ org: 'globex', time: '2026-11-18T11:00:00Z', dims: { command: 'thing.find' } }),
  api({ org: 'globex', time: '2026-11-18T13:00:00Z', dims: { command: 'thing.find' } }),
  api({ org: 'globex', time: '2026-11-20T08:59:59Z', dims: { command: 'thing.find' } }),
  api({ org: 'globex', time: '2026-11-20T09:00:00Z', dims: { command: 'thing.find' } }),
  api({ org: 'globex', time: '2026-11-20T11:59:59Z', dims: { command: 'thing.find' } }),
];

/** A fresh app with the TR50 surface, the three orgs and EVENTS. */
export async function setupTr50(clock?: () => number): Promise<TestApp> {
  const t = await makeApp({ surfaces: [tr50Surface], ...(clock ? { clock } : {}) });
  const puts: [string, Record<string, unknown>][] = [
    ['acme', { timezone: 'America/New_York' }],
    ['acme-labs', { parent: 'acme', timezone: 'Europe/London' }],
    ['globex', {}],
  ];
  for (const [id, body] of puts)
    expect((await t.call('PUT', `/v1/orgs/${id}`, { body })).statusCode).toBe(200);
  const res = await t.call('POST', '/v1/events', { body: EVENTS });
  expect(res.json()).toEqual({ accepted: EVENTS.length, duplicates: 0 });
  return t;
}

/** POST /api; `key: null` sends no Authorization header. Asserts the HTTP status is 200. */
export async function tr50(
  t: TestApp,
  body: unknown,
  opts: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<Record<string, Record<string, unknown>>> {
  const res: LightMyRequestResponse = await t.call('POST', '/api', { body, ...opts });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** A stored expected answer from fixtures/tr50/. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/tr50/${name}.json`, import.meta.url), 'utf8'));
}

/** One history command's envelope. */
export function history(params: Record<string, unknown>, id = 'get'): Record<string, unknown> {
  return { [id]: { command: 'usage.api.history', params } };
}
