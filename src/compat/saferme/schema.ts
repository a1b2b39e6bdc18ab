/**
 * SaferMe's routes in the OpenAPI document, the query string from its one
 * declaration in params.ts. Documentation only (documentedOnly): params.ts
 * parses the request so that faults keep
 * SaferMe's 422 `{"message": "client error", "param"}`.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { querySchema } from '../query-spec.js';
import { REPORTS, SAFERME_QUERY } from './params.js';

const message = (description: string): object =>
  jsonResponse(description, Type.Object({ message: Type.String() }));

const querystring = querySchema(SAFERME_QUERY);

const response = {
  200: jsonResponse('The report rows.', Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  401: message('No key, or a bad one.'),
  403: message('The channel is outside the key, or the report needs an event type outside its types.'),
  422: jsonResponse(
    'A missing or bad parameter.',
    Type.Object({ message: Type.Literal('client error'), param: Type.String() }),
  ),
};

export const safermeReportSchema = documentedOnly({
  summary: 'Reports analytics (SaferMe)',
  description: 'See docs/compat/saferme.md.',
  params: Type.Object({ report: Type.Union(REPORTS.map((r) => Type.Literal(r))) }),
  querystring,
  response,
});

export const safermeNoReportSchema = documentedOnly({
  summary: 'Reports analytics without a report (SaferMe)',
  description: 'Always 422 with param "report".',
  querystring,
  response,
});
