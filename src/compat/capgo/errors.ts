/**
 * Capgo's error body, `{"status": "...", "error": "..."}`, mapped in one place from
 * any failure (AppErrors, and Fastify's own errors through `toAppError`). Access
 * failures are all 401 with the route's own status text, whether the key is
 * missing, wrong, read-less, or the app or org is unknown or out of reach, so
 * that existence is never revealed; only a key's type scope refuses with 403 (docs/keys.md).
 * Only a failure inside Tally is a 500.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TypeScopeError } from '../../core/errors.js';
import { logIfServerError, toAppError } from '../../http/errors.js';

/** Which family of routes answered: the error texts differ per family. */
export type CapgoScope = 'app' | 'org' | 'user';

/** Capgo's error body. */
export interface CapgoErrorBody {
  status: string;
  error: string;
}

const ACCESS: Record<CapgoScope, CapgoErrorBody> = {
  app: { status: "You can't access this app", error: 'Insufficient permissions to access statistics' },
  org: {
    status: "You can't access this organization",
    error: 'Insufficient permissions to access organization statistics',
  },
  user: { status: 'No organizations found', error: 'No organizations found' },
};

const FAILURE: Record<CapgoScope, string> = {
  app: 'Cannot get app statistics',
  org: 'Cannot get organization statistics',
  user: 'Cannot get user statistics',
};

/** The scope of a request path: `/statistics/org/...`, `/statistics/user...`, else an app route. */
export function scopeOf(url: string): CapgoScope {
  if (url.startsWith('/statistics/org/')) return 'org';
  if (url.startsWith('/statistics/user')) return 'user';
  return 'app';
}

/**
 * The HTTP status and body for any error thrown while serving `scope`.
 *
 * @example capgoError(new AuthError('forbidden', 'x'), 'org')
 * // { code: 401, body: { status: "You can't access this organization", error: 'Insufficient permissions ...' } }
 */
export function capgoError(err: unknown, scope: CapgoScope): { code: number; body: CapgoErrorBody } {
  const e = toAppError(err);
  // A query stopped at the server's time limit: a 503 in Capgo's body, so clients know to retry.
  if (e.code === 'query_timeout') return { code: 503, body: { status: FAILURE[scope], error: e.message } };
  if (e.status >= 500) return { code: 500, body: { status: FAILURE[scope], error: 'Internal server error' } };
  // A type outside the key's list is about the key, not about what exists: 403 (docs/keys.md).
  if (e instanceof TypeScopeError) return { code: 403, body: { status: 'Forbidden', error: e.message } };
  if (e.status === 401 || e.status === 403 || e.status === 404) return { code: 401, body: ACCESS[scope] };
  if (e.status === 429) return { code: 429, body: { status: 'Too many requests', error: e.message } };
  return { code: 400, body: { status: 'Invalid body', error: e.message } };
}

/** The surface's Fastify error handler. */
export function capgoErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  logIfServerError(req, toAppError(err), err);
  const { code, body } = capgoError(err, scopeOf(req.url));
  void reply.status(code).send(body);
}
