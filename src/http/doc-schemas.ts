/**
 * Pieces for documenting routes in the OpenAPI document (see openapi.ts):
 * a way to attach a schema for documentation only, JSON response entries, and
 * the native error body. A leaf module, so route files of every surface can
 * import it without import cycles.
 */
import { Type } from '@sinclair/typebox';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const acceptAll: FastifySchemaCompiler<unknown> = () => () => true;

/**
 * Route options that describe a route's input for the document without
 * validating it: the handler parses the input itself, and its errors keep
 * their own shape. Response schemas never change what is sent either (the
 * serializer is plain JSON.stringify, see registerOpenApi).
 *
 * @example app.get('/api/statistics/', documentedOnly({ querystring: ViktorQuery }), handler)
 */
export function documentedOnly(schema: FastifySchema): {
  schema: FastifySchema;
  validatorCompiler: FastifySchemaCompiler<unknown>;
} {
  return { schema, validatorCompiler: acceptAll };
}

/** A response documented as JSON, with a description (for `schema.response`). */
export function jsonResponse(description: string, schema: object = {}): object {
  return { description, content: { 'application/json': { schema } } };
}

/** The native error body (docs/errors.md). */
export const NativeError = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'A stable code from docs/errors.md.' }),
    message: Type.String(),
    details: Type.Array(
      Type.Object({ index: Type.Optional(Type.Integer()), path: Type.String(), message: Type.String() }),
    ),
  }),
});

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad input (invalid_request, invalid_event, too_many_buckets).',
  401: 'No key, or an unknown, revoked or expired one (unauthenticated).',
  403: "The key's role, orgs or event types do not cover this (forbidden).",
  404: "Not found, or outside the key's reach (not_found).",
  413: 'More than 10,000 events or 10 MiB (payload_too_large).',
  503: 'The store cannot serve right now (store_unavailable).',
};

/** Native error responses for the given statuses, for `schema.response`. */
export function nativeErrors(...statuses: number[]): Record<number, object> {
  return Object.fromEntries(
    statuses.map((s) => [s, jsonResponse(STATUS_TEXT[s] ?? 'An error.', NativeError)]),
  );
}
