/**
 * Test fixtures shared by the DuckDB and ClickHouse dialect tests: one scan and the time
 * indexes both engines must translate, so the two dialects are held to the same inputs.
 * Not part of the build (tsconfig.build.json leaves out *.fixtures.ts).
 */
import type { Filter, FilterTree } from '../../core/query/plan.js';
import type { RowRequest, Scan, TimeIndex } from '../../core/query/requests.js';

/** Org `acme`, type `activity`, 2024-01-01T00:00Z to 2024-01-02T00:00Z. */
export const scan: Scan = {
  orgs: ['acme'],
  types: ['activity'],
  filters: [],
  from: 1704067200000,
  to: 1704153600000,
};

/** UTC days: one segment, day 19723 since the epoch is 2024-01-01. */
export const utcDay: TimeIndex = {
  kind: 'day',
  weekStart: 1,
  segments: [{ from: 1704067200000, offsetMs: 0, add: -19723 }],
  clampBefore: null,
};

/** New York hours across the 2024-11-03 fall-back: EDT (-4 h) until 06:00Z, EST (-5 h) after. */
export const nyFallBackHours: TimeIndex = {
  kind: 'hour',
  weekStart: 1,
  segments: [
    { from: 1730606400000, offsetMs: -14_400_000, add: -480720 },
    { from: 1730613600000, offsetMs: -18_000_000, add: -480719 },
  ],
  clampBefore: null,
};

/** One filter of each form: `in` with a missing value, `not_in` on actors, `prefix`, and an actor kind. */
export const everyFilterForm: Filter[] = [
  { field: { kind: 'dim', key: 'wt' }, op: 'in', values: ['standard', null] },
  { field: { kind: 'actor' }, op: 'not_in', values: ['bot'] },
  { field: { kind: 'dim', key: 'v' }, op: 'prefix', values: ['1.'] },
  { field: { kind: 'actor_kind' }, op: 'eq', values: ['user'] },
];

/** Plain event counts over `scan` narrowed by every filter form, with no time index. */
export const everyFilterStats: RowRequest = {
  kind: 'stats',
  scan: { ...scan, filters: everyFilterForm },
  groupBy: [],
  index: { ...utcDay, kind: 'none' },
  unique: null,
};

/** Distinct actors over a rolling 30-unit window, orgs `a` and `b`, per UTC day. */
export const rollingDistinct30: RowRequest = {
  kind: 'intervals',
  scan: { ...scan, orgs: ['a', 'b'] },
  groupBy: [],
  unique: [{ kind: 'actor' }],
  index: utcDay,
  size: 30,
};

/** Distinct actors cumulative since all time: no lower bound, rows before the range clamped. */
export const cumulativeSinceAll: RowRequest = {
  kind: 'intervals',
  scan: { ...scan, from: null },
  groupBy: [],
  unique: [{ kind: 'actor' }],
  index: { ...utcDay, clampBefore: 1704067200000 },
  size: null,
};

/** Distinct actors per org and UTC day, with each org's range total. */
export const distinctPerOrgTotals: RowRequest = {
  kind: 'stats',
  scan,
  groupBy: [{ kind: 'org' }],
  index: utcDay,
  unique: [{ kind: 'actor' }],
  totals: true,
};

/** The latest value per org and per `kind` dimension, per UTC day. */
export const latestPerKind: RowRequest = {
  kind: 'latest',
  scan,
  groupBy: [{ kind: 'org' }],
  per: [{ kind: 'dim', key: 'kind' }],
  index: utcDay,
};

/** SQL with every run of white space folded to one space, to compare against one-line expectations. */
export const squash = (s: string): string => s.replace(/\s+/g, ' ');

/** A pattern that would break out of a string literal, and a tree of the new ops around it. */
export const evilPattern = "^a'); DROP TABLE events; --";

/** `or` of a regex and `not` of a numeric comparison on a dim, with the 0.9 percentile. */
export const treeQuantileStats: RowRequest = {
  kind: 'stats',
  scan: {
    ...scan,
    filters: [
      {
        or: [
          { field: { kind: 'dim', key: 'path' }, op: 'regex', values: [evilPattern] },
          { not: { field: { kind: 'dim', key: 'size' }, op: 'gt', values: [2.5] } },
        ],
      } satisfies FilterTree,
    ],
  },
  groupBy: [],
  index: { ...utcDay, kind: 'none' },
  unique: null,
  quantile: 900_000,
};
