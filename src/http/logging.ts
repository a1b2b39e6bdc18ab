/**
 * Logger options for the server: structured JSON lines (pino, through
 * Fastify), each request's lines carrying its id (`reqId`, also sent back as
 * `x-request-id`). Keys and secrets never reach a log line: requests are
 * logged with an allowlist of harmless headers only, bodies are never logged,
 * and pino's redaction censors the known secret places anyway, should some
 * code log a request's headers or a TR50 body directly.
 */
import type { FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';

/** Where a key, a session id or a password can sit in a logged object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.capgkey',
  'req.headers["x-filespin-api-key"]',
  'req.headers.sessionid',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.capgkey',
  'headers["x-filespin-api-key"]',
  'headers.sessionid',
  'headers.cookie',
  'req.body.*.params.appToken',
  'req.body.*.params.password',
  'req.body.auth.sessionId',
  'body.*.params.appToken',
  'body.*.params.password',
  'body.auth.sessionId',
];

/** Headers worth logging; everything else (credentials included) is left out. */
const LOGGED_HEADERS = ['user-agent', 'content-type', 'content-length', 'accept', 'x-forwarded-for'];

/** The request as logged: method, route-free URL path and query, client, and the allowlisted headers. */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  return {
    method: req.method,
    url: req.url,
    host: req.host,
    remoteAddress: req.ip,
    headers,
  };
}

/**
 * Logger options for createApp: JSON at `level`, to stdout or the given stream.
 *
 * @example createApp({ store, logger: loggerOptions(config.logLevel) })
 */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest as (req: unknown) => unknown },
    ...(stream ? { stream } : {}),
  };
}
