/**
 * Error mapping for the native surface: every failure becomes
 * {"error": {"code", "message", "details"}} with the code's status. Framework
 * errors (bad JSON, body too large, schema validation) map to the same codes.
 * Compatibility surfaces map the same AppErrors to their own shapes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ValidationError, type ErrorDetail } from '../core/errors.js';

/** Turn anything thrown inside a route into an AppError; unknown errors become `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as Partial<FastifyError> & {
    validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (fe.validation) {
    const details: ErrorDetail[] = fe.validation.map((v) => {
      const missing = v.params?.['missingProperty'];
      const path = `${fe.validationContext ?? ''}${v.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`;
      return { path, message: v.message ?? 'is invalid' };
    });
    return new ValidationError(details.map((d) => `${d.path} ${d.message}`).join('; '), details);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('payload_too_large', 413, 'The body is larger than 10 MiB.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('payload_too_large', 413, 'The body is too large.');
    if (fe.statusCode === 415)
      return new ValidationError('Unsupported content type.', [], 'invalid_request', 415);
    return new ValidationError(
      fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.name === 'SyntaxError'
        ? 'The body is not valid JSON.'
        : (fe.message ?? 'Bad request.'),
    );
  }
  return new AppError('internal', 500, 'Internal error.', [], err);
}

export function nativeErrorBody(e: AppError): {
  error: { code: string; message: string; details: ErrorDetail[] };
} {
  return { error: { code: e.code, message: e.message, details: e.details } };
}

export function nativeErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toAppError(err);
  logIfServerError(req, e, err);
  void reply.status(e.status).send(nativeErrorBody(e));
}

export function logIfServerError(req: FastifyRequest, e: AppError, original: unknown): void {
  if (e.status >= 500) req.log.error({ err: original, cause: e.cause }, e.message);
}
