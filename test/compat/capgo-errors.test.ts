/**
 * Capgo's error answers in-process: 400 Invalid body, the three 401s (the same for unknown and
 * out-of-reach ids), and 500 only when the store fails. Data: capgo-data.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { capgoSurface } from '../../src/compat/capgo/index.js';
import { ADMIN, makeApp, type TestApp } from '../helpers.js';
import { fixture, loadStats, RANGE } from './capgo-data.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ surfaces: [capgoSurface] });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

describe('errors', () => {
  beforeEach(() => loadStats(t));

  it('400 Invalid body for missing or bad dates', async () => {
    for (const q of [
      'to=2026-11-22',
      'from=2026-11-16',
      'from=2026-13-01&to=2026-11-22',
      'from=2026-02-30&to=2026-11-22',
      'from=yesterday&to=2026-11-22',
      'from=1763251200&to=2026-11-22',
      'from=2026-11-16T25:00:00Z&to=2026-11-22',
      `from=${'2026-11-16'.padEnd(60, '0')}&to=2026-11-22`,
      'from=1960-01-01&to=2026-11-22',
    ]) {
      for (const path of ['/statistics/app/com.acme.app/', '/statistics/org/acme/', '/statistics/user/']) {
        const res = await t.call('GET', `${path}?${q}`);
        expect(res.statusCode, `${path}?${q}`).toBe(400);
        expect(res.json()).toEqual(fixture('error-invalid-dates'));
      }
      const bundle = await t.call('GET', `/statistics/app/com.acme.app/bundle_usage?${q}`);
      expect(bundle.statusCode).toBe(400);
      expect(bundle.json()).toEqual(fixture('error-invalid-dates'));
    }
  });

  it('400 Invalid body for booleans other than true/false, reversed, repeated or oversized ranges', async () => {
    const cases: [string, string][] = [
      [`/statistics/app/com.acme.app/?${RANGE}&noAccumulate=1`, 'noAccumulate must be true or false'],
      [`/statistics/user/?${RANGE}&noAccumulate=TRUE`, 'noAccumulate must be true or false'],
      [`/statistics/org/acme/?${RANGE}&noAccumulate=`, 'noAccumulate must be true or false'],
      [`/statistics/org/acme/?${RANGE}&breakdown=yes`, 'breakdown must be true or false'],
      [`/statistics/org/acme/?${RANGE}&breakdown=true&breakdown=false`, 'breakdown must be given once'],
      [`/statistics/user/?${RANGE}&from=2026-11-17`, 'from must be given once'],
      ['/statistics/org/acme/?from=2026-11-20&to=2026-11-19', 'from must not be after to'],
      [
        '/statistics/app/com.acme.app/bundle_usage?from=2026-11-20&to=2026-11-19',
        'from must not be after to',
      ],
      // 2010-01-01 .. 2026-11-21 (cut at today) is 6168 days; bundle labels to 2099 are ~26,700.
      ['/statistics/user/?from=2010-01-01&to=2026-11-22', 'The range covers more than 5000 days'],
      [
        '/statistics/app/com.acme.app/bundle_usage?from=2026-01-01&to=2099-01-01',
        'The range covers more than 5000 days',
      ],
    ];
    for (const [url, error] of cases) {
      const res = await t.call('GET', url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual({ status: 'Invalid body', error });
    }
    // Booleans a route does not take are ignored, like any unknown parameter.
    const res = await t.call('GET', `/statistics/app/com.acme.app/?${RANGE}&breakdown=maybe`);
    expect(res.json()).toEqual(fixture('app-accumulate'));
  });

  it('401 for no key, a bad key, a key without read, unknown or out-of-reach ids, alike', async () => {
    const globex = await t.newKey('read', ['globex']);
    const eu = await t.newKey('read', ['acme-eu']);
    const ingest = await t.newKey('ingest', ['acme']);
    const cases: [string, string | null, string][] = [
      [`/statistics/app/com.acme.app/?${RANGE}`, null, 'error-app'],
      [`/statistics/app/com.acme.app/?${RANGE}`, 'not-a-key', 'error-app'],
      [`/statistics/app/com.acme.app/?${RANGE}`, ingest, 'error-app'],
      [`/statistics/app/com.acme.app/?${RANGE}`, globex, 'error-app'],
      [`/statistics/app/com.acme.app/?${RANGE}`, eu, 'error-app'],
      [`/statistics/app/com.nope.app/?${RANGE}`, ADMIN, 'error-app'],
      [`/statistics/app/${'x'.repeat(500)}/?${RANGE}`, ADMIN, 'error-app'],
      [`/statistics/app/com.acme.app/bundle_usage?${RANGE}`, globex, 'error-app'],
      [`/statistics/app/com.nope.app/bundle_usage?${RANGE}`, ADMIN, 'error-app'],
      [`/statistics/org/acme/?${RANGE}`, null, 'error-org'],
      [`/statistics/org/acme/?${RANGE}`, globex, 'error-org'],
      [`/statistics/org/acme/?${RANGE}`, eu, 'error-org'],
      [`/statistics/org/acme/?${RANGE}`, ingest, 'error-org'],
      [`/statistics/org/nope/?${RANGE}`, ADMIN, 'error-org'],
      [`/statistics/user/?${RANGE}`, null, 'error-user'],
      [`/statistics/user/?${RANGE}`, 'not-a-key', 'error-user'],
      [`/statistics/user/?${RANGE}`, await t.newKey('read', ['ghost']), 'error-user'],
    ];
    for (const [url, key, expected] of cases) {
      const res = await t.call('GET', url, { key });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toEqual(fixture(expected));
    }
  });

  it('a revoked key gets 401 at once', async () => {
    const res = await t.call('POST', '/v1/keys', { body: { name: 'r', role: 'read', orgs: ['acme'] } });
    const { id, key } = res.json<{ id: string; key: string }>();
    const url = `/statistics/org/acme/?${RANGE}`;
    expect((await t.call('GET', url, { key })).statusCode).toBe(200);
    expect((await t.call('DELETE', `/v1/keys/${id}`)).statusCode).toBe(204);
    expect((await t.call('GET', url, { key })).json()).toEqual(fixture('error-org'));
  });

  it('500 Cannot get ... statistics only when the store fails', async () => {
    vi.spyOn(t.store, 'fetchRows').mockRejectedValue(new StoreError('disk on fire'));
    const cases: [string, string][] = [
      [`/statistics/app/com.acme.app/?${RANGE}`, 'Cannot get app statistics'],
      [`/statistics/app/com.acme.app/bundle_usage?${RANGE}`, 'Cannot get app statistics'],
      [`/statistics/org/acme/?${RANGE}`, 'Cannot get organization statistics'],
      [`/statistics/user/?${RANGE}`, 'Cannot get user statistics'],
    ];
    for (const [url, status] of cases) {
      const res = await t.call('GET', url);
      expect(res.statusCode, url).toBe(500);
      expect(res.json()).toEqual({ status, error: 'Internal server error' });
      expect(res.body).not.toContain('fire');
    }
  });
});
