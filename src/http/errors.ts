/**
 * Error mapping for the native surface: every failure becomes
 * {"error": {"code", "message", "details"}} with the code's status. Framework
 * errors (bad JSON, body too large, schema validation) map to the same codes.
 * Compatibility surfaces map the same AppErrors to their own shapes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ValidationError, type ErrorDetail } from '../core/errors.js';
import { friendlyFaults, type SchemaFault, type SchemaNode } from '../core/faults.js';

/** What Ajv reports (with `verbose`, see validation.ts) for one failed keyword. */
interface AjvError {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  parentSchema?: SchemaNode;
  data?: unknown;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Ajv's complaints as SchemaFaults, the outermost schema of each place first. */
function ajvFaults(errors: readonly AjvError[]): SchemaFault[] {
  const sorted = [...errors].sort((a, b) => (a.schemaPath ?? '').length - (b.schemaPath ?? '').length);
  return sorted.map((e): SchemaFault => {
    const at = e.instancePath ?? '';
    const props = e.parentSchema?.['properties'] as Record<string, SchemaNode> | undefined;
    const missing = e.params?.['missingProperty'];
    if (e.keyword === 'required' && typeof missing === 'string')
      return { path: `${at}/${escapePointer(missing)}`, kind: 'required', schema: props?.[missing] };
    const extra = e.params?.['additionalProperty'];
    if (e.keyword === 'additionalProperties' && typeof extra === 'string')
      return { path: `${at}/${escapePointer(extra)}`, kind: 'unknown', schema: e.parentSchema };
    return { path: at, kind: 'invalid', schema: e.parentSchema, value: e.data };
  });
}

/**
 * A schema failure as one fault per parameter, named as the client sent it: a query
 * string's or body's `bucket`, not `querystring/bucket`; inside a parameter, a JSON
 * pointer (`filters/0/0`). The body itself, when it is not an object, is `body`.
 */
function schemaError(errors: readonly AjvError[], context: string | undefined): ValidationError {
  // A query string's names and a body's keys are both the request's parameters (GET and POST alike).
  const noun = context === 'params' ? 'path parameter' : 'parameter';
  const details = friendlyFaults(ajvFaults(errors), {
    noun,
    name: (pointer) => (pointer === '' ? (context ?? 'body') : pointer.slice(1)),
  });
  return new ValidationError(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
}

/** The body types a URL takes, for the 415 message. */
function acceptedTypes(url: string): string {
  const path = url.split('?')[0] ?? '';
  if (path === '/v1/events') return 'application/json, or application/x-ndjson with one event per line';
  if (path === '/api/v1/events')
    return 'application/cloudevents+json, application/cloudevents-batch+json or application/json';
  return 'application/json';
}

/**
 * Turn anything thrown inside a route into an AppError; unknown errors become `internal`.
 * `req` (when given) lets framework errors say what the request should have sent.
 */
export function toAppError(err: unknown, req?: FastifyRequest): AppError {
  if (err instanceof AppError) return err;
  const fe = err as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) return schemaError(fe.validation, fe.validationContext);
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('payload_too_large', 413, 'The body is larger than 10 MiB.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('payload_too_large', 413, 'The body is too large.');
    if (fe.statusCode === 415) {
      const sent = req?.headers['content-type'];
      const what = sent
        ? `Content-Type ${JSON.stringify(sent.slice(0, 100))}`
        : 'A body without a Content-Type';
      const message = `${what} is not accepted here; send ${acceptedTypes(req?.url ?? '')}.`;
      return new ValidationError(message, [{ path: 'content-type', message }], 'invalid_request', 415);
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.name === 'SyntaxError') {
      const message = `The body is not valid JSON${fe.name === 'SyntaxError' && fe.message ? ` (${fe.message})` : ''}.`;
      return new ValidationError(message, [{ path: 'body', message }]);
    }
    return new ValidationError(fe.message ?? 'Bad request.');
  }
  return new AppError('internal', 500, 'Internal error.', [], err);
}

export function nativeErrorBody(e: AppError): {
  error: { code: string; message: string; details: ErrorDetail[] };
} {
  return { error: { code: e.code, message: e.message, details: e.details } };
}

export function nativeErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err, req);
  logIfServerError(req, e, err);
  void reply.status(e.status).send(nativeErrorBody(e));
}

export function logIfServerError(req: FastifyRequest, e: AppError, original: unknown): void {
  if (e.status >= 500) req.log.error({ err: original, cause: e.cause }, e.message);
}
