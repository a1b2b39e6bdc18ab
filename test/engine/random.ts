/**
 * Seeded random fixtures and plans for the engine-vs-naive comparison: events
 * clustered around DST changes, ISO week 53 and month ends in the test zones.
 */
import type { Actor, EventRecord } from '../../src/core/model.js';
import type {
  Aggregation,
  Bucketing,
  Field,
  FilterLeaf,
  FilterTree,
  Query,
  Window,
} from '../../src/core/query/plan.js';
import type { QueryResult } from '../../src/core/query/result.js';
import type { NaiveResult, NaiveSeries } from './naive.js';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3_600_000;
const D = 86_400_000;

/** Zone and an interesting instant in it (a DST change, ISO week 53, a month end). */
export const SCENES: [string, string][] = [
  ['UTC', '2021-01-01T00:00:00Z'],
  ['UTC', '2024-02-29T12:00:00Z'],
  ['America/New_York', '2024-03-10T07:00:00Z'],
  ['America/New_York', '2024-11-03T06:00:00Z'],
  ['Europe/London', '2024-03-31T01:00:00Z'],
  ['Europe/London', '2024-10-27T01:00:00Z'],
  ['Asia/Kolkata', '2024-01-31T18:30:00Z'],
  ['Asia/Kathmandu', '2020-12-31T18:15:00Z'],
  ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
  ['Australia/Lord_Howe', '2024-10-05T15:30:00Z'],
];

export interface Fixture {
  events: EventRecord[];
  actors: Actor[];
}

export function randomFixture(r: () => number, center: number, spreadMs: number, n: number): Fixture {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const events: EventRecord[] = [];
  for (let k = 0; k < n; k++) {
    const dims: Record<string, string> = {};
    if (r() < 0.8) dims['app'] = pick(['x', 'y', 'z', 'xy']);
    if (r() < 0.6) dims['ver'] = pick(['1.0', '1.1', '2.0']);
    // Whole-second times, some exactly on hour marks, where off-by-one bugs live.
    const raw = center + Math.floor((r() * 2 - 1) * spreadMs);
    const ts = r() < 0.2 ? Math.round(raw / (30 * 60_000)) * 30 * 60_000 : Math.floor(raw / 1000) * 1000;
    events.push({
      org: pick(['o1', 'o1', 'o2']),
      type: pick(['activity', 'activity', 'bandwidth']),
      id: `e${k}`,
      ts,
      actor: r() < 0.85 ? pick(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']) : null,
      value: Math.floor(r() * 40) / 2,
      dims,
    });
  }
  const actors: Actor[] = ['a1', 'a4'].map((id) => ({
    org: 'o1',
    id,
    kind: 'device',
    created_at: null,
    deleted_at: null,
    first_name: null,
    last_name: null,
    props: {},
    first_seen: null,
  }));
  return { events, actors };
}

const FIELDS: Field[] = [
  { kind: 'actor' },
  { kind: 'dim', key: 'app' },
  { kind: 'dim', key: 'ver' },
  { kind: 'org' },
  { kind: 'actor_kind' },
];

const APP: Field = { kind: 'dim', key: 'app' };
const VER: Field = { kind: 'dim', key: 'ver' };

/** A leaf of each new op, on dims (ver is numeric text), the value, actors and actor kinds. */
function randomLeaf(r: () => number): FilterLeaf {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cmp = pick(['gt', 'gte', 'lt', 'lte'] as const);
  return pick<FilterLeaf>([
    { field: APP, op: 'contains', values: [pick(['x', 'y'])] },
    { field: APP, op: 'icontains', values: ['X', 'Z'] },
    { field: APP, op: 'regex', values: [pick(['^x', 'y$', '^(x|z)$', 'x{2}|^y'])] },
    { field: { kind: 'value' }, op: cmp, values: [pick([0, 5, 9.5, 12])] },
    { field: VER, op: cmp, values: [pick([1, 1.05, 2])] },
    { field: APP, op: cmp, values: [1] },
    { field: { kind: 'actor' }, op: 'in', values: ['a1', 'a2', null] },
    {
      field: { kind: 'actor_kind' },
      op: pick(['regex', 'icontains', 'contains'] as const),
      values: [pick(['^dev', 'SE', 'ice'])],
    },
    { field: VER, op: 'not_in', values: ['1.0'] },
  ]);
}

/** A tree of at most `depth` more levels. */
function randomTree(r: () => number, depth: number): FilterTree {
  if (depth === 0 || r() < 0.35) return randomLeaf(r);
  const kind = Math.floor(r() * 3);
  if (kind === 2) return { not: randomTree(r, depth - 1) };
  const children = Array.from({ length: 1 + Math.floor(r() * 3) }, () => randomTree(r, depth - 1));
  return kind === 0 ? { and: children } : { or: children };
}

export function randomQuery(r: () => number, tz: string, center: number): Query {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let bucket = pick<Bucketing>(['hour', 'day', 'day', 'week', 'month', 'none', 'hour_of_day', 'day_of_week']);
  const span = bucket === 'hour' ? 3 * D : bucket === 'month' ? 80 * D : bucket === 'week' ? 30 * D : 12 * D;
  const from = center - Math.floor(r() * span * 0.6) - (r() < 0.5 ? 0 : Math.floor(r() * H));
  const to = from + Math.max(H, Math.floor(r() * span));
  const agg = pick<Aggregation>([
    { fn: 'count' },
    { fn: 'sum' },
    { fn: 'min' },
    { fn: 'max' },
    { fn: 'avg' },
    { fn: 'unique', of: [{ kind: 'actor' }] },
    { fn: 'unique', of: [{ kind: 'actor' }, { kind: 'dim', key: 'app' }] },
    { fn: 'unique', of: [{ kind: 'dim', key: 'ver' }] },
    { fn: 'quantile', q: 0.5 },
    { fn: 'quantile', q: 0.9 },
    { fn: 'quantile', q: 0.3 },
    { fn: 'latest', per: [] },
    { fn: 'latest', per: [{ kind: 'dim', key: 'app' }] },
    { fn: 'integral', per: [], unit: 'hour' },
    {
      fn: 'integral',
      per: [{ kind: 'dim', key: 'app' }],
      unit: pick(['second', 'minute', 'hour', 'day'] as const),
    },
  ]);
  const gauge = agg.fn === 'latest' || agg.fn === 'integral';
  if (gauge && (bucket === 'hour_of_day' || bucket === 'day_of_week')) bucket = 'day';
  const timeBucket = bucket === 'hour' || bucket === 'day' || bucket === 'week' || bucket === 'month';
  let window: Window = { kind: 'none' };
  if (!gauge && agg.fn !== 'quantile' && r() < 0.45) {
    if (timeBucket && r() < 0.6) {
      const unit =
        bucket === 'hour'
          ? 'hour'
          : bucket === 'week'
            ? pick(['day', 'week'] as const)
            : bucket === 'month'
              ? pick(['day', 'month'] as const)
              : pick(['hour', 'day'] as const);
      window = { kind: 'rolling', unit, size: 1 + Math.floor(r() * (unit === 'hour' ? 30 : 8)) };
    } else if (timeBucket || bucket === 'none')
      window = { kind: 'cumulative', since: pick(['range', 'all'] as const) };
  }
  const groupBy = r() < 0.5 ? [] : r() < 0.7 ? [pick(FIELDS)] : [FIELDS[1]!, FIELDS[3]!];
  const filters: FilterTree[] = [];
  if (r() < 0.35) filters.push(randomTree(r, 3));
  if (r() < 0.3)
    filters.push({
      field: { kind: 'dim', key: 'app' },
      op: pick(['in', 'not_in'] as const),
      values: pick([['x'], ['x', null], [null], ['y', 'z']]),
    });
  if (r() < 0.2) filters.push({ field: { kind: 'dim', key: 'app' }, op: 'prefix', values: ['x'] });
  if (r() < 0.2)
    filters.push({ field: { kind: 'actor_kind' }, op: 'eq', values: [pick(['user', 'device'])] });
  const top = groupBy.length > 0 && r() < 0.3 ? { n: 1 + Math.floor(r() * 3), other: r() < 0.7 } : null;
  const share =
    // The naive share works on halves: an integral's hours are not.
    agg.fn !== 'min' &&
    agg.fn !== 'max' &&
    agg.fn !== 'avg' &&
    agg.fn !== 'quantile' &&
    agg.fn !== 'integral' &&
    r() < 0.3
      ? { precision: Math.floor(r() * 3) }
      : null;
  return {
    orgs: r() < 0.7 ? ['o1'] : ['o1', 'o2'],
    types: r() < 0.6 ? ['activity'] : [],
    range: { from, to },
    timezone: tz,
    weekStart: r() < 0.6 ? 1 : Math.floor(r() * 7),
    bucket,
    aggregation: agg,
    filters,
    groupBy,
    window,
    fill: window.kind === 'rolling' || r() < 0.5 ? 'zero' : 'sparse',
    share,
    top,
    compare: r() < 0.35 ? pick(['previous_period', 'previous_year'] as const) : null,
  };
}

const round = (v: number | null | undefined): number | null | undefined =>
  typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v;

function plain(s: NaiveSeries): NaiveSeries {
  const out: NaiveSeries = {
    group: s.group,
    total: round(s.total) ?? null,
    points: s.points.map((p) => ({ ...p, value: round(p.value) ?? null })),
  };
  if (s.compare)
    out.compare = {
      range: s.compare.range,
      total: round(s.compare.total) ?? null,
      points: s.compare.points.map((p) => ({ ...p, value: round(p.value) ?? null })),
    };
  return out;
}

/** The engine's answer in the naive shape, values rounded for float sums. */
export function comparable(q: Query, res: QueryResult): NaiveResult {
  const toNaive = (group: Val[], s: QueryResult['series'][number]): NaiveSeries =>
    plain({
      group,
      total: s.total,
      points: s.points.map((p) => ({ ...p })),
      ...(s.compare ? { compare: { ...s.compare, points: s.compare.points.map((p) => ({ ...p })) } } : {}),
    });
  return {
    series: res.series.map((s) => toNaive(Object.values(s.group), s)),
    other: res.other ? toNaive([], res.other) : null,
    total_groups: res.total_groups,
  };
}

type Val = string | null;

export function comparableNaive(n: NaiveResult): NaiveResult {
  return {
    series: n.series.map(plain),
    other: n.other ? plain(n.other) : null,
    total_groups: n.total_groups,
  };
}
