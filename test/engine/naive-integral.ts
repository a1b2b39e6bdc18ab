/**
 * The naive integral: for one span, every gauge on its own, every reading's held stretch
 * intersected with the span by plain arithmetic. No sweep, no steps, nothing shared with
 * core/query/integral.ts.
 */
import type { Actor, EventRecord } from '../../src/core/model.js';
import type { Field } from '../../src/core/query/plan.js';

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export type FieldValue = (f: Field, e: EventRecord, actors: Map<string, Actor>) => string | null;

/** Readings of one gauge: one per distinct time, the larger id winning, in time order. */
function readingsOf(evs: EventRecord[]): { ts: number; value: number }[] {
  const byTs = new Map<number, EventRecord>();
  for (const e of evs) {
    const cur = byTs.get(e.ts);
    if (!cur || e.id > cur.id) byTs.set(e.ts, e);
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts).map((e) => ({ ts: e.ts, value: e.value }));
}

/**
 * Σ over gauges (org + `per`) of value x the time each reading held inside [lo, hi), in `unit`s.
 * `evs` are every matching event of the group (before the range too).
 */
export function naiveIntegral(
  evs: EventRecord[],
  per: Field[],
  unit: keyof typeof UNIT_MS,
  lo: number,
  hi: number,
  fieldValue: FieldValue,
  actors: Map<string, Actor>,
): number {
  if (hi <= lo) return 0;
  const gauges = new Map<string, EventRecord[]>();
  for (const e of evs) {
    const key = JSON.stringify([
      e.org,
      ...per.filter((f) => f.kind !== 'org').map((f) => fieldValue(f, e, actors)),
    ]);
    gauges.set(key, [...(gauges.get(key) ?? []), e]);
  }
  let acc = 0;
  for (const list of gauges.values()) {
    const rs = readingsOf(list);
    rs.forEach((r, k) => {
      const until = rs[k + 1]?.ts ?? Infinity;
      const overlap = Math.min(until, hi) - Math.max(r.ts, lo);
      if (overlap > 0) acc += r.value * overlap;
    });
  }
  return acc / UNIT_MS[unit];
}
