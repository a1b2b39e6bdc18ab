/**
 * Every documented limit at its boundary (issue 24): accepted at the limit, refused one past
 * it, with the fault at the field or parameter concerned. The limits come from the README's
 * event table, docs/query.md, docs/cloudevents.md, docs/metrics.md and docs/lifecycle.md;
 * the batch size and body size bounds are in test/reliability/limits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEventsSurface } from '../../src/http/cloudevents/index.js';
import { ev, makeApp, NOW, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ surfaces: [cloudEventsSurface] });
  await t.call('PUT', '/v1/orgs/acme', { body: {} });
});
afterAll(async () => {
  await t.close();
});

interface Fault {
  path: string;
  message: string;
}
const faultPaths = (body: string): string[] =>
  (JSON.parse(body) as { error: { details: Fault[] } }).error.details.map((d) => d.path);

const chars = (n: number, c = 'x'): string => c.repeat(n);
const dimsOf = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

describe('event fields (README, CONTRACT)', () => {
  // [field, change at the limit, changes one past it (or otherwise out), the path refused]
  it.each<[string, Record<string, unknown>, Record<string, unknown>[], string[]]>([
    ['id: 1-200 characters', { id: chars(200, 'i') }, [{ id: chars(201, 'i') }, { id: '' }], ['/id', '/id']],
    [
      'type: 1-100 characters of [A-Za-z0-9_.:-]',
      { type: `${chars(96, 't')}_.:-` },
      [{ type: chars(101, 't') }, { type: '' }, { type: 'a b' }, { type: 'a/b' }],
      ['/type', '/type', '/type', '/type'],
    ],
    [
      'org: 1-200 characters',
      { org: chars(200, 'o') },
      [{ org: chars(201, 'o') }, { org: '' }],
      ['/org', '/org'],
    ],
    [
      'actor: 1-200 characters',
      { actor: chars(200, 'a') },
      [{ actor: chars(201, 'a') }, { actor: '' }],
      ['/actor', '/actor'],
    ],
    ['dims: at most 32 keys', { dims: dimsOf(32) }, [{ dims: dimsOf(33) }], ['/dims']],
    [
      'dims keys: 1-64 characters',
      { dims: { [chars(64, 'k')]: 'v', k: 'v' } },
      [{ dims: { [chars(65, 'k')]: 'v' } }, { dims: { '': 'v' } }],
      [`/dims/${chars(65, 'k')}`, '/dims/'],
    ],
    [
      'dims values: at most 512 characters',
      { dims: { v: chars(512), n: 1.5, b: true } },
      [{ dims: { v: chars(513) } }],
      ['/dims/v'],
    ],
    [
      'time: at most 5 minutes in the future',
      { time: (NOW + 5 * 60_000) / 1000 },
      [{ time: (NOW + 5 * 60_000 + 1000) / 1000 }],
      ['/time'],
    ],
  ])('%s', async (_name, atLimit, past, paths) => {
    const ok = await t.call('POST', '/v1/events', { body: ev(atLimit) });
    expect([ok.statusCode, ok.json()]).toEqual([200, { accepted: 1, duplicates: 0 }]);
    for (const [k, change] of past.entries()) {
      const res = await t.call('POST', '/v1/events', { body: ev(change) });
      expect(res.statusCode, JSON.stringify(change).slice(0, 80)).toBe(400);
      expect(faultPaths(res.body)).toEqual([paths[k]]);
    }
  });
});

describe('query parameters (docs/query.md)', () => {
  const base = { org: 'acme', from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z', timezone: 'UTC' };
  const hoursAfter = (h: number): string => new Date(Date.UTC(2026, 4, 1) + h * 3_600_000).toISOString();
  const filters = (n: number, value = 'a'): unknown[] =>
    Array.from({ length: n }, () => ['in', 'dims.app', [value]]);
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    [
      'group_by: up to 4 fields',
      { group_by: ['actor', 'type', 'dims.a', 'dims.b'] },
      { group_by: ['actor', 'type', 'dims.a', 'dims.b', 'dims.c'] },
      'group_by',
    ],
    ['share: 0-4 decimals', { share: 4 }, { share: 5 }, 'share'],
    ['week_start: 0-6', { week_start: 6, bucket: 'week' }, { week_start: 7, bucket: 'week' }, 'week_start'],
    [
      'buckets: at most 5000',
      { from: hoursAfter(0), to: hoursAfter(5000), bucket: 'hour' },
      { from: hoursAfter(0), to: hoursAfter(5001), bucket: 'hour' },
      'range',
    ],
    ['filters: at most 32', { filters: filters(32) }, { filters: filters(33) }, 'filters'],
    [
      'filter values: at most 512 characters',
      { filters: filters(1, chars(512)) },
      { filters: filters(1, chars(513)) },
      'filters/0/2/0',
    ],
    [
      'dims keys in fields: 1-64 characters',
      { group_by: [`dims.${chars(64, 'k')}`] },
      { group_by: [`dims.${chars(65, 'k')}`] },
      'group_by/0',
    ],
  ])('%s', async (_name, atLimit, past, path) => {
    const ok = await t.call('POST', '/v1/query', { body: { ...base, ...atLimit } });
    expect(ok.statusCode, ok.body.slice(0, 200)).toBe(200);
    const res = await t.call('POST', '/v1/query', { body: { ...base, ...past } });
    expect(res.statusCode).toBe(400);
    expect(faultPaths(res.body)).toEqual([path]);
  });
});

describe('CloudEvents fields (docs/cloudevents.md)', () => {
  const post = (event: Record<string, unknown>) =>
    t.call('POST', '/api/v1/events', {
      raw: JSON.stringify({ specversion: '1.0', source: 's', time: '2026-11-19T10:00:00Z', ...event }),
      headers: { 'content-type': 'application/cloudevents+json' },
    });
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['subject: 1-200 characters', { subject: chars(200, 's') }, { subject: chars(201, 's') }],
    ['id: 1-200 characters', { id: chars(200, 'i') }, { id: chars(201, 'i') }],
    ['type: 1-100 characters', { type: chars(100, 't') }, { type: chars(101, 't') }],
    ['data keys: 1-64 characters', { data: { [chars(64, 'k')]: 1 } }, { data: { [chars(65, 'k')]: 1 } }],
  ])('%s', async (_name, atLimit, past) => {
    const defaults = { id: `ce-${Math.random()}`, type: 'x', subject: 'acme' };
    // OpenMeter answers an ingested event with 204.
    expect((await post({ ...defaults, ...atLimit })).statusCode).toBe(204);
    expect((await post({ ...defaults, ...past })).statusCode).toBe(400);
  });
});

describe('other documented bounds', () => {
  it('x-request-id: 1-64 characters of [A-Za-z0-9_.-] kept, others replaced (docs/metrics.md)', async () => {
    const idOf = async (id: string) =>
      (await t.call('GET', '/healthz', { headers: { 'x-request-id': id } })).headers['x-request-id'];
    const at = `${chars(60, 'r')}_.-9`;
    expect(await idOf(at)).toBe(at);
    for (const bad of [chars(65, 'r'), 'a b', 'a/b']) expect(await idOf(bad)).not.toBe(bad);
  });

  it('GET /v1/audit limit: 1-1000 (docs/lifecycle.md)', async () => {
    for (const ok of [1, 1000]) expect((await t.call('GET', `/v1/audit?limit=${ok}`)).statusCode).toBe(200);
    for (const bad of [0, 1001]) {
      const res = await t.call('GET', `/v1/audit?limit=${bad}`);
      expect([res.statusCode, faultPaths(res.body)]).toEqual([400, ['limit']]);
    }
  });

  it('POST /v1/events/delete: 1-10,000 refs (docs/lifecycle.md)', async () => {
    const refs = (n: number) => ({
      events: Array.from({ length: n }, (_, i) => ({ org: 'acme', id: `d${i}` })),
    });
    expect((await t.call('POST', '/v1/events/delete', { body: refs(10_000) })).statusCode).toBe(200);
    for (const n of [0, 10_001]) {
      const res = await t.call('POST', '/v1/events/delete', { body: refs(n) });
      expect([res.statusCode, faultPaths(res.body)]).toEqual([400, ['events']]);
    }
  });
});
