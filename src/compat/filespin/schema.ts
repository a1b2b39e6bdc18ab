/**
 * FileSpin's routes in the OpenAPI document, the query string from its one
 * declaration in params.ts. Documentation only (documentedOnly): params.ts
 * parses the query so that faults keep FileSpin's `{"error": "..."}`.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { optional, querySchema } from '../query-spec.js';
import { FILESPIN_QUERY } from './params.js';

const error = (description: string): object =>
  jsonResponse(description, Type.Object({ error: Type.String() }));

const response = {
  200: jsonResponse(
    'Points per UTC day, keyed "*" or by user id.',
    Type.Object({
      stat_type: Type.String(),
      start_time: Type.String(),
      end_time: Type.String(),
      data: Type.Record(
        Type.String(),
        Type.Array(Type.Object({ timestamp: Type.Integer(), value: Type.Number() })),
      ),
    }),
  ),
  400: error('A bad parameter.'),
  401: error('No key, or a bad one.'),
  403: error("The usergroup is outside the key, or the stat type's event type outside its types."),
};

const summary = 'Time-series stats (FileSpin)';
const description = 'See docs/compat/filespin.md.';

export const filespinQuerySchema = documentedOnly({
  summary,
  description,
  querystring: querySchema(FILESPIN_QUERY),
  response,
});

export const filespinPathSchema = documentedOnly({
  summary,
  description,
  params: querySchema({ stat_type: FILESPIN_QUERY.stat_type }),
  querystring: querySchema(optional(FILESPIN_QUERY, 'stat_type')),
  response,
});
