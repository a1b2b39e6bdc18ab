/**
 * The neutral query plan: what every surface (native /v1/query and the five
 * compatibility APIs) turns a request into, and what every store executes.
 * A plan is already resolved: orgs expanded to subtrees and checked against the
 * key, the range in epoch ms, the timezone chosen. `normaliseQuery` (validate.ts)
 * checks the combinations; `runQuery` (run.ts) executes it through a store's rows.
 */

/** A field of an event that can be filtered, grouped or counted distinct. */
export type Field =
  | { kind: 'actor' }
  | { kind: 'dim'; key: string }
  | { kind: 'org' }
  | { kind: 'type' }
  /** The actor's kind from the actors table; actors known only from events are 'user'; no actor = null. */
  | { kind: 'actor_kind' };

export interface Filter {
  field: Field;
  /**
   * `eq` takes one value; `in`/`not_in` a list; `prefix`, `contains` (substring), `icontains`
   * (substring, case-insensitive) and `regex` (RE2, unanchored) match when any value matches,
   * and a missing field never does (nulls not allowed).
   */
  op: 'eq' | 'in' | 'not_in' | 'prefix' | 'contains' | 'icontains' | 'regex';
  /** `null` stands for "missing" (no such dim, or no actor): `in ['standard', null]` keeps both. */
  values: (string | null)[];
}

/** The event's `value`: a field only numeric comparisons read. */
export interface ValueField {
  kind: 'value';
}

/**
 * A numeric comparison `field op bound`, on the event's `value` or on a dim whose text is a
 * JSON number (`42`, `-1.5`, `2e3`); a dim that is missing or not a number never matches.
 */
export interface CompareFilter {
  field: Field | ValueField;
  op: 'gt' | 'gte' | 'lt' | 'lte';
  values: [number];
}

export type FilterLeaf = Filter | CompareFilter;

/** A filter tree: leaves combined with `and`, `or` and `not` (two-valued: a missing field is just no match). */
export type FilterTree = FilterLeaf | { and: FilterTree[] } | { or: FilterTree[] } | { not: FilterTree };

/** The leaves of a list of trees, depth first. */
export function filterLeaves(trees: readonly FilterTree[]): FilterLeaf[] {
  const out: FilterLeaf[] = [];
  const walk = (t: FilterTree): void => {
    if ('and' in t) t.and.forEach(walk);
    else if ('or' in t) t.or.forEach(walk);
    else if ('not' in t) walk(t.not);
    else out.push(t);
  };
  trees.forEach(walk);
  return out;
}

/** Whether a leaf is a numeric comparison. */
export function isCompare(leaf: FilterLeaf): leaf is CompareFilter {
  return leaf.op === 'gt' || leaf.op === 'gte' || leaf.op === 'lt' || leaf.op === 'lte';
}

/**
 * The text of a dim that counts as a number for comparisons: JSON's number grammar, which is
 * what an event's numeric dim is stored as. Both dialects test this same pattern (it is valid
 * in JS, RE2 and ClickHouse) before they cast.
 */
export const NUMERIC_TEXT = '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$';

export type Aggregation =
  /** Number of events. */
  | { fn: 'count' }
  /** Over the events' `value`. min/max/avg of an empty bucket are null. */
  | { fn: 'sum' | 'min' | 'max' | 'avg' }
  /**
   * Exact percentile of `value` by nearest rank: the value at rank ceil(q * n) of the bucket's n
   * values sorted ascending; null for an empty bucket. `q` is in (0, 1) with at most 6 decimals.
   */
  | { fn: 'quantile'; q: number }
  /** Exact distinct count of the tuple of `of`; a row where any member is missing does not count. */
  | { fn: 'unique'; of: Field[] }
  /**
   * Gauge: per distinct `per` tuple (within each group) the value of the last event, carried
   * forward across empty buckets and seeded with the last value before the range; the point is
   * the sum over those tuples. Ties on `ts` go to the larger event id.
   */
  | { fn: 'latest'; per: Field[] }
  /**
   * Time-weighted sum: per gauge (as `latest`), each reading holds from its time until the
   * gauge's next reading; a bucket is the sum over gauges of value x held time inside the bucket
   * (and the range, and before now), in `unit`s. Gauges are seeded from the last reading before
   * the range.
   */
  | { fn: 'integral'; per: Field[]; unit: IntegralUnit };

/** The time unit of an integral: a day is 24 hours, whatever the calendar. */
export type IntegralUnit = 'second' | 'minute' | 'hour' | 'day';

export const INTEGRAL_UNIT_MS: Record<IntegralUnit, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/**
 * The earlier range each series is compared with: `previous_period` is the range of the same
 * calendar length just before, `previous_year` the same local dates a year earlier (compare.ts).
 */
export type Comparison = 'previous_period' | 'previous_year';

export type TimeUnit = 'hour' | 'day' | 'week' | 'month';

/** Time buckets, one total (`none`), or histograms by local hour (0-23) and weekday (0 = Sunday). */
export type Bucketing = 'none' | TimeUnit | 'hour_of_day' | 'day_of_week';

export type Window =
  | { kind: 'none' }
  /**
   * Running value at each bucket: running sum (count/sum), running min/max/avg, running
   * distinct (unique). `since: 'range'` starts at `range.from`, `'all'` at the beginning of time.
   */
  | { kind: 'cumulative'; since: 'range' | 'all' }
  /**
   * The `size` units of `unit` ending with each bucket's last unit, e.g. 30 days of unique
   * actors at each day. `unit` must nest in the bucket (hour in anything, day in day/week/month,
   * week in week, month in month). The window may reach before `range.from`.
   */
  | { kind: 'rolling'; size: number; unit: TimeUnit };

export interface Query {
  /** The org ids the query covers, already expanded to subtrees and checked against the key. */
  orgs: string[];
  /** Event types (OR); empty means every type. */
  types: string[];
  /** Half-open [from, to), Unix epoch ms. */
  range: { from: number; to: number };
  /** IANA name; buckets and histograms follow its local calendar. */
  timezone: string;
  /** 0 = Sunday ... 6 = Saturday; ISO weeks start on 1 (Monday). */
  weekStart: number;
  bucket: Bucketing;
  aggregation: Aggregation;
  /** AND of filter trees (a plain list of leaves is the common case). */
  filters: FilterTree[];
  groupBy: Field[];
  window: Window;
  /** `zero`: every bucket of every group; `sparse`: only buckets holding matching events. */
  fill: 'zero' | 'sparse';
  /** Percent share of each group within each bucket, floored to `precision` decimals, largest remainder. */
  share?: { precision: number } | null;
  /** Keep the `n` groups with the largest totals; with `other`, fold the rest into one series. */
  top?: { n: number; other: boolean } | null;
  /** Each series also answers the same figures over an earlier range (compare.ts). */
  compare?: Comparison | null;
}

/** The plan defaults: every type, UTC, ISO weeks, day buckets, count, no filters, group-by or window, zero fill. */
const DEFAULTS: Omit<Query, 'orgs' | 'range'> = {
  types: [],
  timezone: 'UTC',
  weekStart: 1,
  bucket: 'day',
  aggregation: { fn: 'count' },
  filters: [],
  groupBy: [],
  window: { kind: 'none' },
  fill: 'zero',
  share: null,
  top: null,
  compare: null,
};

/**
 * A plan from the defaults above; callers name only what differs.
 *
 * @example
 * makeQuery({ orgs: ['acme'], range, types: ['activity'], bucket: 'month', aggregation: { fn: 'unique', of: [{ kind: 'actor' }] } })
 */
export function makeQuery(q: Pick<Query, 'orgs' | 'range'> & Partial<Query>): Query {
  return { ...DEFAULTS, ...q };
}

/** The label a field has in answers: `actor`, `dims.<key>`, `org`, `type`, `actor_kind`. */
export function fieldLabel(field: Field): string {
  return field.kind === 'dim' ? `dims.${field.key}` : field.kind;
}

/** The inverse of `fieldLabel`, or null for an unknown label. */
export function parseField(label: string): Field | null {
  if (label.startsWith('dims.') && label.length > 5) return { kind: 'dim', key: label.slice(5) };
  if (label === 'actor' || label === 'org' || label === 'type' || label === 'actor_kind')
    return { kind: label };
  return null;
}
