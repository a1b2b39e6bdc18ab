/**
 * SaferMe analytics v4 over HTTP: `GET /api/v4/analytics/{report}`. Authenticates (native
 * headers or `Authorization: Token token=<key>`), checks the read role and the channel's
 * reach, runs the report, and maps every failure to the vendor's shapes in one handler:
 * 422 {"message": "client error", "param"}, 401/403 {"message"}.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, header, nativeSecret, requireReach, requireRole } from '../../http/auth.js';
import { logIfServerError, toAppError } from '../../http/errors.js';
import { openReader } from '../../use-cases/read-within-reach.js';
import { parseRequest } from './params.js';
import { DEFAULT_MAX_ROWS, runReport } from './reports.js';
import { safermeNoReportSchema, safermeReportSchema } from './schema.js';

export interface SafermeOptions {
  /** The most reports, events or users one answer may rest on (default 100,000). */
  maxRows?: number;
}

const TOKEN = /^Token\s+token=(?:"([^"]*)"|([^\s,"]+))/i;

/**
 * The key a request carries: `Authorization: Token token=<key>` (quoted or not), else the
 * native forms. A malformed `Token` header yields an empty secret (401).
 */
export function safermeSecret(req: FastifyRequest): string | null {
  const auth = header(req, 'authorization');
  if (auth !== null && /^Token\s/i.test(auth)) {
    const m = TOKEN.exec(auth);
    return m?.[1] ?? m?.[2] ?? '';
  }
  return nativeSecret(req);
}

/** The engine's parameter names in the vendor's words. */
const PARAM_NAMES: Record<string, string> = {
  from: 'start_date',
  to: 'end_date',
  range: 'end_date',
  // too_many_points (more users, fields or buckets than one answer holds): a shorter range has fewer.
  group_by: 'end_date',
  bucket: 'end_date',
};

/** Every failure in the vendor's shape; input never yields a 5xx. */
export function safermeErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err, req);
  logIfServerError(req, e, err);
  if (e.status === 401 || e.status === 403 || e.status === 429) {
    void reply.status(e.status).send({ message: e.message });
  } else if (e.status < 500) {
    const path = e.details[0]?.path ?? 'request';
    void reply
      .status(422)
      .send({ message: 'client error', param: Object.hasOwn(PARAM_NAMES, path) ? PARAM_NAMES[path] : path });
  } else {
    void reply.status(e.status).send({ message: e.status === 503 ? 'service unavailable' : 'server error' });
  }
}

/** Registers the routes and the error handler in the surface's own scope. */
export function safermeRoutes(app: FastifyInstance, opts: SafermeOptions = {}): void {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const handle = async (req: FastifyRequest, report: string): Promise<unknown> => {
    const principal = await authenticate(req, app.ctx, safermeSecret(req));
    requireRole(principal, 'read');
    const r = parseRequest(report, req.query as Record<string, unknown>);
    const reader = await openReader(app.ctx, principal);
    requireReach(principal, reader.tree, r.channel);
    return runReport(reader, r, app.ctx.clock(), maxRows);
  };
  app.get<{ Params: { report: string } }>('/api/v4/analytics/:report', safermeReportSchema, (req) =>
    handle(req, req.params.report),
  );
  app.get('/api/v4/analytics', safermeNoReportSchema, (req) => handle(req, ''));
}
