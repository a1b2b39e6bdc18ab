/**
 * FileSpin's routes in the OpenAPI document. Documentation only
 * (documentedOnly): params.ts parses the query so that faults keep
 * FileSpin's `{"error": "..."}`.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { STAT_TYPES } from './params.js';

const StatType = Type.Union(STAT_TYPES.map((t) => Type.Literal(t)));
const error = (description: string): object =>
  jsonResponse(description, Type.Object({ error: Type.String() }));

const query = {
  stat_subtype: Type.Optional(
    Type.String({ description: 'Endpoint, addon, storage kind, or traffic|request.' }),
  ),
  start_time: Type.String({ description: 'Unix seconds; at most 364 days ago.' }),
  end_time: Type.String({ description: 'Unix seconds; not after now.' }),
  user_id: Type.Optional(Type.String()),
  usergroup_id: Type.Optional(
    Type.String({ description: 'The org; required when the key reaches several.' }),
  ),
};

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
  403: error('The usergroup is outside the key.'),
};

const summary = 'Time-series stats (FileSpin)';
const description = 'See docs/compat/filespin.md.';

export const filespinQuerySchema = documentedOnly({
  summary,
  description,
  querystring: Type.Object({ stat_type: StatType, ...query }),
  response,
});

export const filespinPathSchema = documentedOnly({
  summary,
  description,
  params: Type.Object({ stat_type: StatType }),
  querystring: Type.Object({ stat_type: Type.Optional(StatType), ...query }),
  response,
});
