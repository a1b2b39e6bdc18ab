/**
 * Errors of the CloudEvents surface in OpenMeter's shape: RFC 7807 problem
 * details, `Content-Type: application/problem+json` exactly (OpenMeter's
 * client reads `detail` only then), with the batch's faults under
 * `extensions.validationErrors`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logIfServerError, toAppError } from '../errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem body for a status, message and request. */
export function problemBody(
  status: number,
  detail: string,
  requestId: string,
  validationErrors: { index?: number; path: string; message: string }[] = [],
): Record<string, unknown> {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request'),
    status,
    detail,
    instance: `urn:request:${requestId}`,
    ...(validationErrors.length > 0 ? { extensions: { validationErrors } } : {}),
  };
}

/** Every failure on /api/v1/events as problem+json. */
export function problemErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err, req);
  logIfServerError(req, e, err);
  const body = problemBody(e.status, e.message, req.id, e.details);
  // A Buffer keeps the content type exactly as set (Fastify would append a charset to a JSON type).
  void reply
    .status(e.status)
    .type('application/problem+json')
    .send(Buffer.from(JSON.stringify(body), 'utf8'));
}
