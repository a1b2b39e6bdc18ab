/**
 * Logger options for the server: structured JSON lines (pino, through
 * Fastify), each request's lines carrying its id (`reqId`, also sent back as
 * `x-request-id`), and one info line per request (`request completed`; the
 * `incoming request` line is debug). Keys and secrets never reach a log line:
 * requests are logged with an allowlist of harmless headers only, credential-like
 * query parameters are redacted, bodies are never logged, and pino's redaction
 * censors the known secret places anyway, should some code log a request's
 * headers or a TR50 body directly.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
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

/**
 * Query parameters that may carry a credential, compared without case, `-` or `_`.
 * Tally never asks for a key in a URL, but clients send one there by mistake.
 */
const SECRET_PARAMS = new Set([
  'key',
  'apikey',
  'xapikey',
  'token',
  'accesstoken',
  'apptoken',
  'authtoken',
  'auth',
  'authorization',
  'bearer',
  'sessionid',
  'session',
  'password',
  'passwd',
  'pass',
  'secret',
  'capgkey',
  'xfilespinapikey',
]);

function paramName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: judge the raw text
  }
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The URL with the value of every credential-like query parameter replaced.
 *
 * @example redactUrl('/v1/orgs?key=tly_x&a=1') // '/v1/orgs?key=[redacted]&a=1'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAMS.has(paramName(name)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/** The request as logged: method, URL path and query (credential-like parameters redacted), client, and the allowlisted headers. */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  return {
    method: req.method,
    url: redactUrl(req.url),
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

/**
 * One info line per request, when it is answered, carrying the request (its URL
 * redacted) and the status; the arrival is a debug line, for chasing a hung request.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
