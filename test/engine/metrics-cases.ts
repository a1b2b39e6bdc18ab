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
    if (base.window.kind !== 'none' && (fn === 'latest' || fn === 'quantile')) continue;
    if (fn === 'latest' && !['hour', 'day', 'week', 'month', 'none'].includes(base.bucket)) continue;
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
}

/** The naive answers of each metric, merged as docs/query.md says. */
function naiveMerged(base: Query, metrics: Metric[], answers: NaiveSeries[][]): Row[] {
  const empty = (m: Metric): number | null =>
    ['count', 'sum', 'unique'].includes(m.aggregation.fn) ? 0 : null;
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
          const answers = metrics.map(
            (m) =>
              naiveQuery(
                {
                  ...base,
                  types: m.types ?? base.types,
                  aggregation: m.aggregation,
                  filters: [...base.filters, ...m.filters],
                },
                fx.events,
                fx.actors,
              ).series,
          );
          const view: Row[] = got.series.map((s) => ({
            group: Object.values(s.group),
            total: Object.fromEntries(Object.entries(s.totals ?? {}).map(([name, v]) => [name, round(v)])),
            points: s.points.map((p) => ({
              start: p.start,
              ...(p.slot === undefined ? {} : { slot: p.slot }),
              values: Object.fromEntries(Object.entries(p.values ?? {}).map(([name, v]) => [name, round(v)])),
            })),
          }));
          expect(view, JSON.stringify({ base, metrics })).toEqual(naiveMerged(base, metrics, answers));
        }
      } finally {
        await db.close();
      }
    });
  });
}
