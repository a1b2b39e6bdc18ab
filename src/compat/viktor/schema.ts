/**
 * VIKTOR's route in the OpenAPI document, the query string from its one
 * declaration in params.ts. Documentation only (documentedOnly): params.ts
 * parses the query so that faults keep DRF's shape.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { querySchema } from '../query-spec.js';
import { VIKTOR_QUERY } from './params.js';

const detail = (description: string): object =>
  jsonResponse(description, Type.Object({ detail: Type.String() }));

export const viktorRouteSchema = documentedOnly({
  summary: 'Environment activity (VIKTOR)',
  description: 'Users, developers or workspaces per day, week and month. See docs/compat/viktor.md.',
  querystring: querySchema(VIKTOR_QUERY),
  response: {
    200: jsonResponse(
      'Only the asked scope: {"users": {...}}, {"developers": {...}} or {"workspaces": {...}}.',
      Type.Record(Type.String(), Type.Unknown()),
    ),
    400: jsonResponse(
      'Django REST framework: {"<param>": ["message"]}.',
      Type.Record(Type.String(), Type.Array(Type.String())),
    ),
    401: detail('No key, or a bad one.'),
    403: detail('The key may not read this (its role or types), or org_domain is outside it.'),
  },
});

export const viktorOtherMethodsSchema = documentedOnly({
  summary: 'Not allowed (VIKTOR)',
  response: { 405: detail('Only GET and HEAD are allowed.') },
});
