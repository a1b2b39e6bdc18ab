/**
 * CORS for browser clients (TALLY_CORS_ORIGINS; off unless set): the read and
 * ingest routes answer cross-origin requests and their preflights from the
 * allowed origins. Admin routes (keys, org changes, the data lifecycle) never
 * do, so a page on another origin can read statistics or send events, but not
 * manage Tally. Keys still travel in headers; no cookies are involved.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The allowed origins: `*` (any), or exact origins such as `https://app.example.com`. */
export type CorsOrigins = '*' | string[];

/** The routes a browser may call across origins, by method and path. */
const READ_AND_INGEST: [methods: string[], path: RegExp][] = [
  [['GET', 'POST'], /^\/v1\/query$/],
  [['POST'], /^\/v1\/events$/],
  [['GET'], /^\/v1\/orgs(\/[^/]+)?$/],
  [['GET'], /^\/v1\/schema$/],
  [['GET'], /^\/v1\/events\/latest$/],
  [['POST'], /^\/api\/v1\/events$/],
  [['GET'], /^\/api\/statistics\/?$/],
  [['GET'], /^\/api\/v1\/stats\/timeseries(\/[^/]+)?\/?$/],
  [['GET'], /^\/api\/v4\/analytics\/[^/]+\/?$/],
  [['GET'], /^\/statistics\//],
  [['POST'], /^\/api$/],
];

/** Headers a browser client may send: every way of passing a key, and the body's type. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'capgkey',
  'x-filespin-api-key',
  'sessionid',
  'x-request-id',
];

/** Whether `method` on `url` is a read or ingest route (for a preflight: the method it announces). */
export function corsRoute(method: string, url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return READ_AND_INGEST.some(([methods, re]) => methods.includes(method) && re.test(path));
}

/**
 * Parse TALLY_CORS_ORIGINS: `*`, or a comma-separated list of origins
 * (scheme, host and optional port; no path). Returns null for none (unset or empty).
 */
export function parseCorsOrigins(raw: string | undefined): CorsOrigins | null {
  const text = (raw ?? '').trim();
  if (text === '') return null;
  if (text === '*') return '*';
  return text.split(',').map((part) => {
    const origin = part.trim();
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`"${origin}" is not an origin`);
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
      throw new Error(`"${origin}" is not an origin such as https://app.example.com`);
    return url.origin;
  });
}

/** Register CORS for the read and ingest routes; call before the routes. */
export async function registerCors(app: FastifyInstance, origins: CorsOrigins): Promise<void> {
  await app.register(cors, {
    hideOptionsRoute: true,
    delegator: (req: FastifyRequest, done) => {
      const announced = req.headers['access-control-request-method'];
      const method = req.method === 'OPTIONS' && typeof announced === 'string' ? announced : req.method;
      if (!corsRoute(method, req.url)) {
        done(null, { origin: false });
        return;
      }
      done(null, {
        origin: origins === '*' ? '*' : origins,
        methods: ['GET', 'POST'],
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: ['x-request-id', 'retry-after'],
        maxAge: 600,
      });
    },
  });
}
