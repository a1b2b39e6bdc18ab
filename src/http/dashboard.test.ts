/**
 * Serving the dashboard: index and hashed assets with their cache and security
 * headers, unknown files left to the app's 404, and a clear native 404 at `/`
 * when the dashboard has not been built.
 */
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from './dashboard.js';
import { nativeErrorHandler } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-web-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tally dashboard</title>');
writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function appWith(root: string) {
  const app = Fastify();
  app.setErrorHandler(nativeErrorHandler);
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found' } }));
  await app.register(dashboardRoutes, { root });
  return app;
}

describe('dashboardRoutes', () => {
  it('serves the page with a strict CSP and revalidation, and assets for a year', async () => {
    const app = await appWith(dir);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Tally dashboard</title>');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBeUndefined();
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect([missing.statusCode, missing.json()]).toEqual([404, { error: { code: 'not_found' } }]);
    await app.close();
  });

  it('answers a native 404 that says how to build when web/dist is missing', async () => {
    const app = await appWith(join(dir, 'not-there'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(404);
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('npm run build:web');
    await app.close();
  });
});
