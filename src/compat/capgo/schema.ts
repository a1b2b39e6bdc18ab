/**
 * Capgo's routes in the OpenAPI document, the query strings from their one
 * declaration in params.ts. Documentation only (documentedOnly): params.ts
 * parses the query so that faults keep Capgo's `{"status", "error"}`.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { documentedOnly, jsonResponse } from '../../http/doc-schemas.js';
import { querySchema, type QuerySpec } from '../query-spec.js';
import { CAPGO_QUERY } from './params.js';

const { from, to, noAccumulate, breakdown } = CAPGO_QUERY;
const dates = { from, to };
const Row = Type.Object({
  date: Type.String(),
  mau: Type.Number(),
  storage: Type.Number(),
  bandwidth: Type.Number(),
});
const error = (description: string): object =>
  jsonResponse(description, Type.Object({ status: Type.String(), error: Type.String() }));
const errors = {
  400: error('Invalid body: a missing or bad parameter.'),
  401: error('No key, a bad one (unknown, revoked or expired), or an app or org out of reach (or unknown).'),
  403: error("The figures need an event type outside the key's types (docs/keys.md)."),
  500: error('Cannot get ... statistics.'),
};

type RouteDocs = ReturnType<typeof documentedOnly>;

function route(summary: string, query: QuerySpec, ok: object, params?: TSchema): RouteDocs {
  return documentedOnly({
    summary,
    description: 'See docs/compat/capgo.md.',
    ...(params ? { params } : {}),
    querystring: querySchema(query),
    response: { 200: ok, ...errors },
  });
}

const rows = jsonResponse('One row per UTC day.', Type.Array(Row));

/** Route options (documentation only) for the four routes. */
export const capgoSchemas = {
  app: route(
    'App statistics (Capgo)',
    { ...dates, noAccumulate },
    rows,
    Type.Object({ app_id: Type.String() }),
  ),
  org: route(
    'Org statistics (Capgo)',
    { ...dates, noAccumulate, breakdown },
    jsonResponse(
      'Rows per day; with breakdown=true, {"global": rows, "byApp": rows with app_id}.',
      Type.Union([
        Type.Array(Row),
        Type.Object({
          global: Type.Array(Row),
          byApp: Type.Array(Type.Record(Type.String(), Type.Unknown())),
        }),
      ]),
    ),
    Type.Object({ org_id: Type.String() }),
  ),
  user: route('Statistics of every org of the key (Capgo)', { ...dates, noAccumulate }, rows),
  bundle: route(
    'Bundle usage shares per day (Capgo)',
    dates,
    jsonResponse(
      'Percent of activity per version and day.',
      Type.Object({
        labels: Type.Array(Type.String()),
        datasets: Type.Array(Type.Object({ label: Type.String(), data: Type.Array(Type.Number()) })),
      }),
    ),
    Type.Object({ app_id: Type.String() }),
  ),
};
