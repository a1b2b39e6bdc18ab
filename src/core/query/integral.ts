/**
 * The time-weighted sum (`agg: "integral"`, docs/query.md): per gauge, each reading holds from
 * its time until the gauge's next reading, and a bucket's value is the sum over gauges of value x
 * held time inside the bucket, the range and before now, in the plan's unit. The engine returns
 * every reading of the range (the `latest` request with `readings`) and each gauge's seed, the last
 * reading before the range; the sweep happens here, so neither dialect needs window functions
 * (ClickHouse 18.16 has none) and both answer the same figures.
 *
 * The sum of the gauges' integrals is the integral of their sum: per group, the readings become
 * steps of one function (each reading adds its change over the gauge's previous value), and one
 * sweep over the sorted steps and the buckets gives every bucket: O(readings log readings + buckets).
 */
import { assertCells } from './bounds.js';
import { fetchBounded, Groups, NO_INDEX, num, scan, tupleOf, type Ctx, type GroupValues } from './context.js';
import { INTEGRAL_UNIT_MS, type Field } from './plan.js';

/** One change of a group's summed gauge: at `t`, the sum moves by `delta`. */
interface Step {
  t: number;
  delta: number;
}

interface GroupSteps {
  /** Each gauge's current value while its readings are read in time order. */
  gauges: Map<string, number>;
  steps: Step[];
}

function byTime(a: Step, b: Step): number {
  return a.t - b.t;
}

/**
 * Values of every group of an integral plan: a bucket's value is Σ value x held ms / unit ms,
 * summed in value x ms first so that whole-second readings of modest values add up exactly.
 */
export async function fromIntegral(ctx: Ctx): Promise<GroupValues[]> {
  const { q, axis } = ctx;
  if (q.aggregation.fn !== 'integral') return [];
  const unitMs = INTEGRAL_UNIT_MS[q.aggregation.unit];
  // A gauge belongs to one org, as for latest.
  const own = q.aggregation.per;
  const per: Field[] = own.some((f) => f.kind === 'org') ? own : [{ kind: 'org' }, ...own];
  const k = q.groupBy.length;
  const { from, to } = q.range;
  const [seeds, readings] = await Promise.all([
    fetchBounded(ctx, {
      kind: 'latest',
      scan: scan(ctx, null, from),
      groupBy: q.groupBy,
      per,
      index: NO_INDEX,
    }),
    fetchBounded(ctx, {
      kind: 'latest',
      scan: scan(ctx, from, to),
      groupBy: q.groupBy,
      per,
      index: NO_INDEX,
      readings: true,
    }),
  ]);
  const groups = new Groups<GroupSteps>(() => ({ gauges: new Map(), steps: [] }));
  // A seed holds from the range's start: a step there.
  for (const row of seeds) {
    const g = groups.get(tupleOf(row, 'g', k));
    const v = num(row['v']);
    g.gauges.set(JSON.stringify(tupleOf(row, 'p', per.length)), v);
    g.steps.push({ t: from, delta: v });
    await ctx.pacer.tick(1);
  }
  // Each gauge's readings in time order, so that each step is the change over the one before.
  const ordered = readings.map((row) => ({ row, t: num(row['t']) })).sort((a, b) => a.t - b.t);
  for (const { row, t } of ordered) {
    const g = groups.get(tupleOf(row, 'g', k));
    const gauge = JSON.stringify(tupleOf(row, 'p', per.length));
    const v = num(row['v']);
    g.steps.push({ t, delta: v - (g.gauges.get(gauge) ?? 0) });
    g.gauges.set(gauge, v);
    await ctx.pacer.tick(1);
  }
  assertCells(q, axis, groups.map.size);
  // Time after now does not count: the stretch from now on is not known yet.
  const end = Math.min(to, ctx.nowMs);
  const out: GroupValues[] = [];
  for (const { tuple, data } of groups.map.values()) {
    await ctx.pacer.tick(axis.buckets.length + data.steps.length);
    const steps = data.steps.sort(byTime);
    const firstHeld = steps[0]?.t ?? Infinity;
    const values: number[] = [];
    const present: boolean[] = [];
    let next = 0;
    let level = 0;
    let whole = 0;
    for (const b of axis.buckets) {
      const lo = Math.max(b.start, from);
      const hi = Math.min(b.end, end);
      let acc = 0;
      if (hi > lo) {
        while (next < steps.length && steps[next]!.t <= lo) level += steps[next++]!.delta;
        let at = lo;
        while (next < steps.length && steps[next]!.t < hi) {
          const step = steps[next++]!;
          acc += level * (step.t - at);
          at = step.t;
          level += step.delta;
        }
        acc += level * (hi - at);
      }
      whole += acc;
      values.push(acc / unitMs);
      // A bucket holds data when some gauge held a reading during it.
      present.push(hi > lo && firstHeld < hi);
    }
    out.push({ tuple, values, present, total: whole / unitMs });
  }
  return out;
}
