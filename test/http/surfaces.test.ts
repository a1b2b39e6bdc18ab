/**
 * Unknown routes and errors raised before routing (a malformed URL, an
 * over-long path segment) answer in the shape of the surface owning the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { makeApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ surfaces });
});
afterAll(async () => {
  await t.close();
});

describe('errors before and outside the routes', () => {
  const long = 'a'.repeat(600);
  it.each([
    [
      'native 404',
      'GET',
      '/v1/nothing',
      404,
      (b: Record<string, unknown>) => 'error' in b && typeof b['error'] === 'object',
    ],
    [
      'native bad URL',
      'GET',
      '/v1/orgs/%ZZ',
      400,
      (b: Record<string, unknown>) => typeof b['error'] === 'object',
    ],
    [
      'FileSpin bad URL',
      'GET',
      '/api/v1/stats/timeseries/%ZZ',
      400,
      (b: Record<string, unknown>) => typeof b['error'] === 'string',
    ],
    [
      'Capgo long segment',
      'GET',
      `/statistics/app/${long}/`,
      400,
      (b: Record<string, unknown>) => typeof b['status'] === 'string' && typeof b['error'] === 'string',
    ],
    // Capgo answers what it cannot find as 401, so that existence is never revealed.
    [
      'Capgo unknown path',
      'GET',
      '/statistics/nope',
      401,
      (b: Record<string, unknown>) => typeof b['status'] === 'string',
    ],
    [
      'VIKTOR unknown path',
      'GET',
      '/api/statistics/x/y',
      404,
      (b: Record<string, unknown>) => typeof b['detail'] === 'string',
    ],
    [
      'SaferMe bad URL',
      'GET',
      '/api/v4/analytics/%ZZ',
      422,
      (b: Record<string, unknown>) => b['message'] === 'client error',
    ],
  ])('%s', async (_name, method, url, status, shaped) => {
    const res = await t.call(method, url);
    expect(res.statusCode).toBe(status);
    expect(shaped(res.json())).toBe(true);
  });

  it('TR50 owns POST /api exactly: not other methods, not the paths below it', async () => {
    const post = await t.call('POST', '/api', { raw: '{"get": ' });
    expect(post.statusCode).toBe(200);
    expect(post.json<{ success: boolean }>().success).toBe(false);
    // docs/compat/tr50.md: methods other than POST get the native 404.
    const get = await t.call('GET', '/api');
    expect(get.statusCode).toBe(404);
    expect(get.json<{ error: { code: string } }>().error.code).toBe('not_found');
    const below = await t.call('GET', '/api/unknown');
    expect(below.json<{ error: { code: string } }>().error.code).toBe('not_found');
  });
});
