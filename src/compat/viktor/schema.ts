/**
 * VIKTOR's route in the OpenAPI document. Documentation only (documentedOnly):
 * params.ts parses the query so that faults keep DRF's shape.
 */
import { Type } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';

const detail = (description: string): object =>
  jsonResponse(description, Type.Object({ detail: Type.String() }));

export const viktorRouteSchema = documentedOnly({
  summary: 'Environment activity (VIKTOR)',
  description: 'Users, developers or workspaces per day, week and month. See docs/compat/viktor.md.',
  querystring: Type.Object({
    stats_type: Type.Union([Type.Literal('users'), Type.Literal('developers'), Type.Literal('workspaces')]),
    start: Type.String({ description: 'ISO date or date-time; inclusive, by UTC day.' }),
    end: Type.String({ description: 'ISO date or date-time; inclusive, by UTC day.' }),
    org_domain: Type.Optional(
      Type.String({ description: 'Only the org with this domain, and its sub-orgs.' }),
    ),
  }),
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
    403: detail('The key may not read this, or org_domain is outside it.'),
  },
});

export const viktorOtherMethodsSchema = documentedOnly({
  summary: 'Not allowed (VIKTOR)',
  response: { 405: detail('Only GET and HEAD are allowed.') },
});
