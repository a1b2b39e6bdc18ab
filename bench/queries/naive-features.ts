/**
 * Naive JS for issue 23's pair (features.ts), over the generated events: plain filters, a sort
 * per day for the percentile, and per app every reading's held stretch cut by each day for the
 * integral. No SQL, no Tally code.
 */
import type { EventRecord } from '../../src/core/model.js';
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import { gbHours } from './features.js';

const SPAN = 90 * DAY_MS;

function perDay<T>(from: number, f: (lo: number, hi: number) => T): T[] {
  return Array.from({ length: SPAN / DAY_MS }, (_, k) => f(from + k * DAY_MS, from + (k + 1) * DAY_MS));
}

/** The three figures of F1 over the 90 days from `from`. */
function figures(all: EventRecord[], org: string, from: number): (number | null)[][] {
  const to = from + SPAN;
  const mine = all.filter((e) => e.org === org && e.ts < to);
  const at = (type: string, lo: number, hi: number): EventRecord[] =>
    mine.filter((e) => e.type === type && e.ts >= lo && e.ts < hi);
  const calls = perDay(
    from,
    (lo, hi) =>
      at('api.request', lo, hi).filter((e) => {
        const endpoint = e.dims['endpoint'] ?? '';
        const tree = endpoint.startsWith('/api/v1/assets/') || endpoint.includes('search');
        return tree && e.dims['service'] !== 'transcode';
      }).length,
  );
  const p95 = perDay(from, (lo, hi) => {
    const xs = at('bandwidth', lo, hi)
      .map((e) => e.value)
      .filter((v) => v > 1000)
      .sort((a, b) => a - b);
    return xs.length === 0 ? null : xs[Math.ceil((95 * xs.length) / 100) - 1]!;
  });
  const apps = new Map<string, EventRecord[]>();
  for (const e of mine.filter((x) => x.type === 'storage'))
    apps.set(e.dims['app']!, [...(apps.get(e.dims['app']!) ?? []), e]);
  const held: { s: number; e: number; v: number }[] = [];
  for (const list of apps.values()) {
    const byTs = new Map<number, EventRecord>();
    for (const e of list) if (!byTs.has(e.ts) || e.id > byTs.get(e.ts)!.id) byTs.set(e.ts, e);
    const rs = [...byTs.values()].sort((a, b) => a.ts - b.ts);
    rs.forEach((r, k) => held.push({ s: r.ts, e: rs[k + 1]?.ts ?? to, v: r.value }));
  }
  const integral = perDay(from, (lo, hi) =>
    gbHours(
      held.reduce((acc, h) => acc + h.v * Math.max(0, Math.min(h.e, hi) - Math.max(h.s, lo)), 0) / HOUR_MS,
    ),
  );
  return [calls, p95, integral];
}

/** The naive answer of F0 or F1 (features.ts), or undefined for another id. */
export function naiveFeatures(id: string, all: EventRecord[], org: string, end: number): unknown {
  if (id === 'F1') return { now: figures(all, org, end - SPAN), before: figures(all, org, end - 2 * SPAN) };
  if (id !== 'F0') return undefined;
  const types = ['api.request', 'bandwidth', 'storage'];
  return perDay(
    end - SPAN,
    (lo, hi) => all.filter((e) => e.org === org && types.includes(e.type) && e.ts >= lo && e.ts < hi).length,
  );
}
