/**
 * TR50's route in the OpenAPI document, each command's params from their one
 * declaration in params.ts. Documentation only (documentedOnly):
 * the envelope is parsed by routes.ts, so that every fault is answered as
 * `success: false` over HTTP 200.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { querySchema } from '../query-spec.js';
import { AUTH_PARAMS, HISTORY_PARAMS } from './params.js';

const Command = Type.Union([
  Type.Object({
    command: Type.Literal('api.authenticate'),
    params: Type.Optional(querySchema(AUTH_PARAMS, 'json')),
  }),
  Type.Object({
    command: Type.Literal('usage.api.history'),
    params: Type.Optional(querySchema(HISTORY_PARAMS, 'json')),
  }),
]);

const Answer = Type.Union([
  Type.Object({
    success: Type.Literal(true),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  Type.Object({
    success: Type.Literal(false),
    errorCodes: Type.Array(Type.Integer()),
    errorMessages: Type.Array(Type.String()),
  }),
]);

export const tr50Schema = documentedOnly({
  summary: 'TR50 envelope (deviceWISE)',
  description:
    'Each key is a command id; `auth` may hold api.authenticate ({"appToken"} or {"username", "password"}) or {"sessionId"}. See docs/compat/tr50.md.',
  body: Type.Record(Type.String({ maxLength: 128 }), Command, { maxProperties: 100 }),
  response: {
    200: jsonResponse(
      'Each command id with its answer; failures are `success: false`, still HTTP 200.',
      Type.Record(Type.String(), Answer),
    ),
  },
});
