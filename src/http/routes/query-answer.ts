/**
 * The JSON answer of /v1/query as a schema, for the OpenAPI document
 * (resultView in query.ts writes it; docs/query.md explains it).
 */
import { Type } from '@sinclair/typebox';

const Local = Type.String({ description: 'Local ISO time in the answer timezone.' });
const Num = Type.Union([Type.Number(), Type.Null()]);

const Point = Type.Object({
  start: Local,
  end: Local,
  slot: Type.Optional(Type.Integer({ description: 'Hour (0-23) or weekday (0 = Sunday) of a histogram.' })),
  value: Type.Optional(Num),
  values: Type.Optional(
    Type.Record(Type.String(), Num, { description: 'With metrics: each figure by name.' }),
  ),
  share: Type.Optional(Type.Number({ description: 'Percent of the bucket, when `share` was asked.' })),
  window: Type.Optional(Type.Object({ from: Type.Union([Local, Type.Null()]), to: Local })),
});

const Series = Type.Object({
  group: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
  total: Type.Union([Num, Type.Record(Type.String(), Num)], {
    description: 'The range total; with metrics, an object of totals by name.',
  }),
  points: Type.Array(Point),
});

export const QueryAnswer = Type.Object({
  range: Type.Object({
    from: Type.String(),
    to: Type.String(),
    from_ms: Type.Integer(),
    to_ms: Type.Integer(),
  }),
  timezone: Type.String(),
  bucket: Type.String(),
  week_start: Type.Integer(),
  series: Type.Array(Series),
  other: Type.Union([Series, Type.Null()]),
  total_groups: Type.Integer(),
  meta: Type.Object({
    read_at: Type.String(),
    last_bucket_open: Type.Boolean(),
    buckets: Type.Integer(),
  }),
});
