/**
 * VIKTOR `GET /api/statistics/`: every error in Django REST framework's shape (400 per parameter,
 * 401/403 `detail`), org_domain reach, the key headers, the path without its slash, and 405.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viktorSurface } from '../../src/compat/viktor/index.js';
import { makeApp, type TestApp } from '../helpers.js';

const RANGE = 'start=2020-12-28&end=2021-01-05';
const url = (q: string): string => `/api/statistics/?${q}`;
const forbidden = { detail: 'You do not have permission to perform this action.' };

let t: TestApp;
let acmeRead: string;
let euRead: string;
let ingest: string;

beforeAll(async () => {
  t = await makeApp({ surfaces: [viktorSurface] });
  await t.call('PUT', '/v1/orgs/acme', { body: { domain: 'acme.com' } });
  await t.call('PUT', '/v1/orgs/acme-eu', { body: { parent: 'acme', domain: 'eu.acme.com' } });
  await t.call('PUT', '/v1/orgs/globex', { body: { domain: 'globex.com' } });
  acmeRead = await t.newKey('read', ['acme']);
  euRead = await t.newKey('read', ['acme-eu']);
  ingest = await t.newKey('ingest', ['acme']);
});
afterAll(async () => {
  await t.close();
});

describe('org_domain reach', () => {
  it('403 for a domain outside the key, above it, or unknown (existence not revealed)', async () => {
    for (const [domain, key] of [
      ['globex.com', acmeRead],
      ['acme.com', euRead],
      ['nowhere.example', acmeRead],
    ] as const) {
      const res = await t.call('GET', url(`stats_type=users&${RANGE}&org_domain=${domain}`), { key });
      expect([domain, res.statusCode, res.json()]).toEqual([domain, 403, forbidden]);
    }
  });
});

describe('errors in the DRF shape', () => {
  const bad = async (q: string): Promise<[number, unknown]> => {
    const res = await t.call('GET', url(q));
    return [res.statusCode, res.json()];
  };

  it('400 names every missing parameter at once', async () => {
    expect(await bad('')).toEqual([
      400,
      {
        stats_type: ['This field is required.'],
        start: ['This field is required.'],
        end: ['This field is required.'],
      },
    ]);
  });

  it('400 for a bad choice, bad dates, a blank domain', async () => {
    const format =
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
    expect(await bad('stats_type=apps&start=2021-13-01&end=1609459200&org_domain=%20')).toEqual([
      400,
      {
        stats_type: ['"apps" is not a valid choice. Choose one of users, developers, workspaces.'],
        start: [format],
        end: [format],
        org_domain: ['This field may not be blank.'],
      },
    ]);
    expect(await bad('stats_type=users&start=2021-02-29&end=yesterday')).toEqual([
      400,
      { start: [format], end: [format] },
    ]);
  });

  it('400 for end before start and for a range over 1830 days', async () => {
    expect(await bad('stats_type=users&start=2021-01-02&end=2021-01-01T23:59:59Z')).toEqual([
      400,
      { end: ['End date must be on or after the start date.'] },
    ]);
    // 2016-01-01 .. 2021-01-04 is 1831 days (two leap days); .. 2021-01-03 is exactly 1830 and passes.
    expect(await bad('stats_type=users&start=2016-01-01&end=2021-01-04')).toEqual([
      400,
      { end: ['The range may cover at most 1830 days.'] },
    ]);
    expect((await bad('stats_type=users&start=2016-01-01&end=2021-01-03'))[0]).toBe(200);
  });

  it('401 without a key or with an unknown one; 403 for an ingest key', async () => {
    const none = await t.call('GET', url(`stats_type=users&${RANGE}`), { key: null });
    expect([none.statusCode, none.json()]).toEqual([
      401,
      { detail: 'Authentication credentials were not provided.' },
    ]);
    const wrong = await t.call('GET', url(`stats_type=users&${RANGE}`), { key: 'nope' });
    expect([wrong.statusCode, wrong.json()]).toEqual([401, { detail: 'Invalid token.' }]);
    const role = await t.call('GET', url(`stats_type=users&${RANGE}`), { key: ingest });
    expect([role.statusCode, role.json()]).toEqual([
      403,
      { detail: 'You do not have permission to perform this action.' },
    ]);
  });

  it('accepts the key as x-api-key and the path without its slash; 405 for other methods', async () => {
    const res = await t.call('GET', `/api/statistics?stats_type=users&${RANGE}`, {
      key: null,
      headers: { 'x-api-key': acmeRead },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ users: { total_users: unknown[] } }>().users.total_users).toHaveLength(9);
    const junk = await t.call('GET', url(`stats_type=users&${RANGE}`), {
      raw: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(junk.statusCode).toBeLessThan(500);
    const post = await t.call('POST', '/api/statistics/', { body: {} });
    expect([post.statusCode, post.json()]).toEqual([405, { detail: 'Method "POST" not allowed.' }]);
  });
});
