/**
 * `runMetrics` against a stub runner that answers each plan by hand: every metric's plans (and
 * each compared range) are in flight together, the merged figures are still each metric's own,
 * and the outcome is read in the metrics' order (the first metric's fault wins, whichever
 * settles first). The figures through real engines are test/http/query-metrics.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { METRICS_AT_ONCE, runMetrics, type Metric } from './metrics.js';
import { makeQuery, type Query } from './plan.js';
import { resultOf } from './result.fixtures.js';
import type { QueryResult } from './result.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2024, 0, 1);
const PLAN = makeQuery({
  orgs: ['acme'],
  range: { from: FROM, to: FROM + 2 * DAY },
  timezone: 'UTC',
  bucket: 'day',
  compare: 'previous_period',
});
function metricsOf(n: number): Metric[] {
  return Array.from({ length: n }, (_, k) => ({
    name: `m${k}`,
    types: [`t${k}`],
    aggregation: { fn: 'count' },
    filters: [],
  }));
}
const METRICS = metricsOf(3);

/** Metric k's answer over a plan's two days: 100k + 10 x day + 1 for the compared range. */
function answer(q: Query): QueryResult {
  const k = Number(q.types[0]!.slice(1));
  const earlier = q.range.from < FROM ? 1 : 0;
  const points = [0, 1].map((d) => ({
    start: q.range.from + d * DAY,
    end: q.range.from + (d + 1) * DAY,
    value: 100 * k + 10 * d + earlier,
  }));
  return resultOf([{ group: {}, points, total: 100 * k + earlier }], {
    bucket: 'day',
    to: q.range.to,
    buckets: 2,
  });
}

/** A runner whose plans all wait until `release`; it records how many were in flight at most. */
function gatedRunner(): { run: (q: Query) => Promise<QueryResult>; release: () => void; peak: () => number } {
  let open = 0;
  let peak = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    run: async (q) => {
      peak = Math.max(peak, ++open);
      await gate;
      open--;
      return answer(q);
    },
    release: () => {
      release();
    },
    peak: () => peak,
  };
}

describe('runMetrics', () => {
  it('starts every plan at once and merges each metric own figures', async () => {
    const runner = gatedRunner();
    const pending = runMetrics(PLAN, METRICS, runner.run);
    // Every plan is started before any answers: 3 metrics x (asked + compared range).
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runner.peak()).toBe(6);
    runner.release();
    const [s] = (await pending).series;
    expect(s!.points.map((p) => p.values)).toEqual([
      { m0: 0, m1: 100, m2: 200 },
      { m0: 10, m1: 110, m2: 210 },
    ]);
    expect(s!.totals).toEqual({ m0: 0, m1: 100, m2: 200 });
    expect(s!.compare!.points.map((p) => [p.start, p.values])).toEqual([
      [FROM - 2 * DAY, { m0: 1, m1: 101, m2: 201 }],
      [FROM - DAY, { m0: 11, m1: 111, m2: 211 }],
    ]);
    expect(s!.compare!.totals).toEqual({ m0: 1, m1: 101, m2: 201 });
  });

  it('runs at most METRICS_AT_ONCE metrics at a time, the others as those finish', async () => {
    expect(METRICS_AT_ONCE).toBe(3);
    const runner = gatedRunner();
    const pending = runMetrics(PLAN, metricsOf(5), runner.run);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // 3 metrics x 2 ranges wait at the gate; metrics 3 and 4 have not started.
    expect(runner.peak()).toBe(6);
    runner.release();
    const [s] = (await pending).series;
    expect(s!.points.map((p) => p.values)).toEqual([
      { m0: 0, m1: 100, m2: 200, m3: 300, m4: 400 },
      { m0: 10, m1: 110, m2: 210, m3: 310, m4: 410 },
    ]);
  });

  it('reports the first metric fault in the request order, not the first to settle', async () => {
    let fail = (): void => undefined;
    const late = new Promise<void>((resolve) => (fail = resolve));
    const run = async (q: Query): Promise<QueryResult> => {
      if (q.types[0] === 't2') {
        // Metric 2 fails at once, and only then lets metric 1 fail.
        setTimeout(fail, 5);
        throw ValidationError.param('agg', 'metric 2');
      }
      if (q.types[0] === 't1') {
        await late;
        throw ValidationError.param('q', 'metric 1');
      }
      return answer(q);
    };
    const e = await runMetrics(PLAN, METRICS, run).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).details).toEqual([{ path: 'metrics/1/q', message: 'metric 1' }]);
  });
});
