/**
 * The JSON answer of /v1/query as a schema, for the OpenAPI document
 * (resultView in query.ts writes it; docs/query.md explains it).
 */
import { Type } from '@sinclair/typebox';

const Local = Type.String({ description: 'Local ISO time in the answer timezone.' });
const Num = Type.Union([Type.Number(), Type.Null()]);

const Figures = Type.Record(Type.String(), Num, { description: 'With metrics: each figure by name.' });

const Point = Type.Object({
  start: Local,
  end: Local,
  slot: Type.Optional(Type.Integer({ description: 'Hour (0-23) or weekday (0 = Sunday) of a histogram.' })),
  value: Type.Optional(Num),
  values: Type.Optional(Figures),
  share: Type.Optional(Type.Number({ description: 'Percent of the bucket, when `share` was asked.' })),
  window: Type.Optional(Type.Object({ from: Type.Union([Local, Type.Null()]), to: Local })),
});

const Total = Type.Union([Num, Type.Record(Type.String(), Num)], {
  description: 'The range total; with metrics, an object of totals by name.',
});
const Nullable = Type.Union([Local, Type.Null()]);

const Compare = Type.Object(
  {
    range: Type.Object({
      from: Type.String(),
      to: Type.String(),
      from_ms: Type.Integer(),
      to_ms: Type.Integer(),
    }),
    total: Total,
    points: Type.Array(
      Type.Object({
        start: Nullable,
        end: Nullable,
        slot: Type.Optional(Type.Integer()),
        value: Type.Optional(Num),
        values: Type.Optional(Figures),
        share: Type.Optional(Type.Number()),
      }),
      {
        description:
          'One per point of the series, index for index; null times where the compared range has no such bucket.',
      },
    ),
  },
  { description: 'With `compare`: the group over the compared range.' },
);

const Series = Type.Object({
  group: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
  total: Total,
  points: Type.Array(Point),
  compare: Type.Optional(Compare),
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
