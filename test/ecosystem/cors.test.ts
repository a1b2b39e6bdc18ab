/**
 * TALLY_CORS_ORIGINS: off by default (no CORS headers at all); when set, the
 * read and ingest routes answer allowed origins and their preflights, while
 * admin routes and other origins get no CORS headers. The parsing of the setting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/cli/config.js';
import { ecoApp, type EcoApp } from './app.js';

let t: EcoApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const APP = 'https://app.example.com';

const preflight = (url: string, method: string, origin = APP) =>
  t!.call('OPTIONS', url, {
    key: null,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS', () => {
  it('is off by default: no CORS header on a read, no preflight answer', async () => {
    t = await ecoApp();
    const res = await t.call('GET', '/v1/orgs', { headers: { origin: APP } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await preflight('/v1/query', 'POST');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.statusCode).toBe(404);
  });

  it('with a list: read and ingest routes answer the listed origins and their preflights', async () => {
    t = await ecoApp({ corsOrigins: [APP, 'http://localhost:5173'] });
    const pre = await preflight('/v1/query', 'POST');
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    expect(pre.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
    expect(pre.headers.vary).toContain('Origin');
    const events = await t.call('POST', '/v1/events', {
      headers: { origin: 'http://localhost:5173' },
      body: { id: 'e1', type: 'signup', time: '2026-11-19T10:00:00Z', org: 'acme' },
    });
    expect(events.statusCode).toBe(200);
    expect(events.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(events.headers['access-control-expose-headers']).toContain('x-request-id');
    const capgo = await t.call('GET', '/statistics/user/?from=2026-11-01&to=2026-11-02', {
      headers: { origin: APP },
    });
    expect(capgo.headers['access-control-allow-origin']).toBe(APP);
    // Another origin gets no grant; admin routes none at all.
    const evil = await t.call('GET', '/v1/orgs', { headers: { origin: 'https://evil.example' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const keys = await t.call('GET', '/v1/keys', { headers: { origin: APP } });
    expect(keys.statusCode).toBe(200);
    expect(keys.headers['access-control-allow-origin']).toBeUndefined();
    const adminPre = await preflight('/v1/keys', 'POST');
    expect(adminPre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with *: any origin', async () => {
    t = await ecoApp({ corsOrigins: '*' });
    const res = await t.call('GET', '/v1/query?org=acme&last=1d', {
      headers: { origin: 'https://anywhere.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('TALLY_CORS_ORIGINS: off when unset, * or origins, and a clear refusal of anything else', () => {
    expect(readConfig({}).corsOrigins).toBeNull();
    expect(readConfig({ TALLY_CORS_ORIGINS: ' * ' }).corsOrigins).toBe('*');
    expect(
      readConfig({ TALLY_CORS_ORIGINS: 'https://a.example, http://localhost:5173/' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(() => readConfig({ TALLY_CORS_ORIGINS: 'https://a.example/app' })).toThrow(
      /^TALLY_CORS_ORIGINS: "https:\/\/a.example\/app" is not an origin such as https:\/\/app.example.com/,
    );
    expect(() => readConfig({ TALLY_CORS_ORIGINS: 'a.example' })).toThrow(
      /TALLY_CORS_ORIGINS: "a.example" is not an origin/,
    );
  });
});
