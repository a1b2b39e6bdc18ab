/**
 * The web dashboard at `/`: the static files Vite builds from web/ into web/dist
 * (`node web/build.js`, run by `npm start` and `npm test` when stale). Hashed
 * assets are cached for good; the page itself is revalidated and carries a strict
 * Content-Security-Policy (scripts, styles and data only from this server).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../core/errors.js';

/**
 * Where `node web/build.js` puts the dashboard: two levels up from src/http, or
 * three from the compiled dist/src/http (`npm run build`).
 */
export const DASHBOARD_DIST =
  ['../../web/dist/', '../../../web/dist/']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((dir) => existsSync(`${dir}index.html`)) ??
  fileURLToPath(new URL('../../web/dist/', import.meta.url));

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serve the dashboard from `root` (default web/dist). Files are listed once, at
 * registration, so a rebuild is picked up on the next start.
 */
export async function dashboardRoutes(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? DASHBOARD_DIST;
  if (!existsSync(`${root}/index.html`)) {
    // Not built (a bare `tsx src/cli/main.ts`): say how, in the native error shape, as any unknown URL would.
    app.get('/', { schema: { hide: true } }, () => {
      throw new NotFoundError('The dashboard is not built: run `npm run build:web` (npm start builds it).');
    });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    index: 'index.html',
    cacheControl: false,
    setHeaders(reply, path) {
      void reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      if (path.endsWith('.html')) {
        void reply.header('cache-control', 'no-cache').header('content-security-policy', CSP);
      } else {
        void reply.header('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
}
