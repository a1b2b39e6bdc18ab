/**
 * `metrics` against the naive engine: random plans with two or three random metrics, each metric
 * answered by the naive engine on its own plan, merged here by hand (a group a metric lacks reads
 * its figure over no events), and compared with the engine's merged answer.
 */
import { expect, test } from 'vitest';
import type { Metric } from '../../src/core/query/metrics.js';
import { runMetrics } from '../../src/core/query/metrics.js';
import type { FilterTree, Query } from '../../src/core/query/plan.js';
import type { MakeEngine } from './fixture.js';
import { cmpTuple, naiveQuery, type NaiveSeries } from './naive.js';
import { bucketsOf, naiveComparedRange } from './naive-compare.js';
import { randomFixture, randomQuery, rng, SCENES } from './random.js';

const PER_SCENE = Number(process.env['TALLY_RANDOM_QUERIES'] ?? 60) / 4;

type Val = string | null;
const round = (v: number | null | undefined): number | null =>
  typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : null;

/** Random metrics that fit the base plan's window (no window for gauges and percentiles). */
function randomMetrics(r: () => number, base: Query, tz: string, center: number): Metric[] {
  const n = 2 + Math.floor(r() * 2);
  const out: Metric[] = [];
  while (out.length < n) {
    const other = randomQuery(r, tz, center);
    const fn = other.aggregation.fn;
    const gauge = fn === 'latest' || fn === 'integral';
    if (base.window.kind !== 'none' && (gauge || fn === 'quantile')) continue;
    if (gauge && !['hour', 'day', 'week', 'month', 'none'].includes(base.bucket)) continue;
    const filters: FilterTree[] = r() < 0.4 ? other.filters : [];
    out.push({
      name: `m${out.length}`,
      types: r() < 0.5 ? other.types : null,
      aggregation: other.aggregation,
      filters,
    });
  }
  return out;
}

interface Row {
  group: Val[];
  total: Record<string, number | null>;
  points: { start: number; slot?: number; values: Record<string, number | null> }[];
  compare?: { total: Record<string, number | null>; points: { start: number | null; values: Figures }[] };
}
type Figures = Record<string, number | null>;

const empty = (m: Metric): number | null =>
  ['count', 'sum', 'unique', 'integral'].includes(m.aggregation.fn) ? 0 : null;

/**
 * Each merged series' compared figures: every metric run on its own over the compared range
 * (every group, every bucket), read at the axis index of each merged point.
 */
function naiveCompared(base: Query, metrics: Metric[], rows: Row[], before: NaiveSeries[][]): Row[] {
  if (!base.compare) return rows;
  const range = naiveComparedRange(base.range, base.timezone, base.compare);
  const mainBuckets = bucketsOf(base);
  const earlier = bucketsOf({ ...base, range });
  return rows.map((row) => {
    const mine = before.map((a) => a.find((s) => JSON.stringify(s.group) === JSON.stringify(row.group)));
    const total: Figures = {};
    metrics.forEach((m, k) => (total[m.name] = mine[k] ? round(mine[k].total) : empty(m)));
    const points = row.points.map((p) => {
      const b = mainBuckets.findIndex((x) => x.start === p.start && x.slot === p.slot);
      const e = earlier[b];
      const values: Figures = {};
      metrics.forEach(
        (m, k) => (values[m.name] = e ? (mine[k] ? round(mine[k].points[b]!.value) : empty(m)) : null),
      );
      return { start: e ? e.start : null, values };
    });
    return { ...row, compare: { total, points } };
  });
}

/** The naive answers of each metric, merged as docs/query.md says. */
function naiveMerged(base: Query, metrics: Metric[], answers: NaiveSeries[][]): Row[] {
  const groups = new Map<string, Val[]>();
  for (const a of answers) for (const s of a) groups.set(JSON.stringify(s.group), s.group);
  return [...groups.values()].sort(cmpTuple).map((group) => {
    const total: Record<string, number | null> = {};
    const points = new Map<string, Row['points'][number]>();
    metrics.forEach((m, k) => {
      const s = answers[k]!.find((x) => JSON.stringify(x.group) === JSON.stringify(group));
      total[m.name] = s ? round(s.total) : empty(m);
      for (const p of s?.points ?? []) {
        const key = `${p.start}|${p.slot ?? ''}`;
        const at = points.get(key) ?? {
          start: p.start,
          ...(p.slot === undefined ? {} : { slot: p.slot }),
          values: {},
        };
        at.values[m.name] = round(p.value);
        points.set(key, at);
      }
    });
    const list = [...points.values()].sort((a, b) => a.start - b.start || (a.slot ?? 0) - (b.slot ?? 0));
    for (const p of list) for (const m of metrics) if (!(m.name in p.values)) p.values[m.name] = empty(m);
    return { group, total, points: list };
  });
}

/** A figures object with each value rounded, as the naive side rounds. */
function figures(values: Figures | undefined): Figures {
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, v]) => [name, round(v)]));
}

export function runMetricsCases(make: MakeEngine): void {
  SCENES.slice(0, 6).forEach(([tz, at], k) => {
    test(`metrics agree with the naive engine metric by metric: ${tz} around ${at}`, async () => {
      const r = rng(5000 + k);
      const center = Date.parse(at);
      const fx = randomFixture(r, center, 20 * 86_400_000, 400);
      const db = await make();
      try {
        await db.ingest(fx.events);
        await db.upsertActors(fx.actors.map(({ org, id, kind }) => ({ org, id, kind })));
        for (let n = 0; n < PER_SCENE; n++) {
          const base: Query = { ...randomQuery(r, tz, center), share: null, top: null };
          const metrics = randomMetrics(r, base, tz, center);
          const got = await runMetrics(base, metrics, (q) => db.query(q, center));
          const plans = metrics.map((m) => ({
            ...base,
            compare: null,
            types: m.types ?? base.types,
            aggregation: m.aggregation,
            filters: [...base.filters, ...m.filters],
          }));
          const answers = plans.map((p) => naiveQuery(p, fx.events, fx.actors, center).series);
          const range = base.compare ? naiveComparedRange(base.range, base.timezone, base.compare) : null;
          const before = plans.map((p) =>
            range ? naiveQuery({ ...p, range, fill: 'zero' }, fx.events, fx.actors, center).series : [],
          );
          const view: Row[] = got.series.map((s) => ({
            group: Object.values(s.group),
            total: Object.fromEntries(Object.entries(s.totals ?? {}).map(([name, v]) => [name, round(v)])),
            points: s.points.map((p) => ({
              start: p.start,
              ...(p.slot === undefined ? {} : { slot: p.slot }),
              values: figures(p.values),
            })),
            ...(s.compare
              ? {
                  compare: {
                    total: figures(s.compare.totals),
                    points: s.compare.points.map((p) => ({ start: p.start, values: figures(p.values) })),
                  },
                }
              : {}),
          }));
          const want = naiveCompared(base, metrics, naiveMerged(base, metrics, answers), before);
          expect(view, JSON.stringify({ base, metrics })).toEqual(want);
        }
      } finally {
        await db.close();
      }
    });
  });
}
