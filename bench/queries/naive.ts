/**
 * Naive JS answers to every benchmarked query, straight from the generated events
 * (O(days x events) loops, no SQL, no Tally code), in the queries' canonical forms.
 * Test support: hand-sql.test.ts checks the hand-written SQL against these. The
 * actors table is re-derived here from its definition (dataset.ts actorsSql).
 */
import type { EventRecord } from '../../src/core/model.js';
import { DAY_MS, HOUR_MS } from '../gen/model.js';
import { isoWeekOf } from './compat-rich.js';
import type { OrgTarget } from './types.js';
import { naiveFeatures } from './naive-features.js';

const day = (ts: number): number => Math.floor(ts / DAY_MS);
const isoDay = (d: number): string => new Date(d * DAY_MS).toISOString().slice(0, 10);
const byKey = <T>(xs: T[], cmp: (a: T, b: T) => number): T[] => [...xs].sort(cmp);
const str = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function days(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = day(from); d < day(to); d++) out.push(d);
  return out;
}

function counts<K>(keys: K[]): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/** Per (bucket, group) counts as sorted non-zero cells. */
function cells(pairs: [number, string][]): [number, string, number][] {
  const m = counts(pairs.map(([b, g]) => `${b}|${g}`));
  const out = [...m].map(([k, n]): [number, string, number] => {
    const [b, g] = k.split('|');
    return [Number(b), g!, n];
  });
  return byKey(out, (a, b) => a[0] - b[0] || str(a[1], b[1]));
}

function viktor(all: EventRecord[], o: OrgTarget, end: number): unknown {
  const inOrgs = (e: EventRecord): boolean => o.subtree.includes(e.org);
  const firstSeen = new Map<string, number>();
  for (const e of all)
    if (inOrgs(e) && e.actor !== null) {
      const k = `${e.org}|${e.actor}`;
      firstSeen.set(k, Math.min(firstSeen.get(k) ?? Infinity, e.ts));
    }
  const person = (actor: string): boolean => actor.startsWith('u');
  const deletedAt = (actor: string, seen: number): number | null =>
    Number(actor.slice(1)) % 50 === 7 && seen + 120 * DAY_MS < end ? seen + 120 * DAY_MS : null;
  const from = end - 90 * DAY_MS;
  const ds = days(from, end);
  const activity = all.filter(
    (e) =>
      inOrgs(e) && e.type === 'activity' && e.actor !== null && person(e.actor) && e.ts >= from && e.ts < end,
  );
  const ym = (ts: number): number => new Date(ts).getUTCFullYear() * 100 + new Date(ts).getUTCMonth() + 1;
  const perDay = new Map<number, Set<string>>();
  const perMonth = new Map<number, Set<string>>();
  for (const e of activity) {
    const who = `${e.org}|${e.actor}`;
    if (!perMonth.has(ym(e.ts))) perMonth.set(ym(e.ts), new Set());
    perMonth.get(ym(e.ts))!.add(who);
    const wt = e.dims['workspace_type'] ?? 'standard';
    if (wt !== 'standard') continue;
    if (!perDay.has(day(e.ts))) perDay.set(day(e.ts), new Set());
    perDay.get(day(e.ts))!.add(who);
  }
  const ymd = (d: number): { year: number; month: number; day: number } => {
    const t = new Date(d * DAY_MS);
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  };
  const total = ds.map((d) => {
    const t = (d + 1) * DAY_MS;
    let n = 0;
    for (const [k, seen] of firstSeen) {
      const actor = k.split('|')[1]!;
      const del = deletedAt(actor, seen);
      if (person(actor) && seen < t && (del === null || del >= t)) n++;
    }
    return { ...ymd(d), count: n };
  });
  const months = [...new Set(ds.map((d) => ymd(d).year * 100 + ymd(d).month))];
  const weekSums = new Map<string, { year: number; week: number; count: number }>();
  const monthSums = new Map<number, { year: number; month: number; count: number }>();
  for (const d of ds) {
    const c = perDay.get(d)?.size ?? 0;
    const w = isoWeekOf(d);
    const wk = weekSums.get(`${w.year}-${w.week}`) ?? { ...w, count: 0 };
    wk.count += c;
    weekSums.set(`${w.year}-${w.week}`, wk);
    const m = ymd(d).year * 100 + ymd(d).month;
    const mo = monthSums.get(m) ?? { year: ymd(d).year, month: ymd(d).month, count: 0 };
    mo.count += c;
    monthSums.set(m, mo);
  }
  return {
    users: {
      total_users: total,
      monthly_active_users: months.map((m) => ({
        year: Math.floor(m / 100),
        month: m % 100,
        count: perMonth.get(m)?.size ?? 0,
      })),
      daily_active_users: {
        per_day: ds.map((d) => ({ ...ymd(d), count: perDay.get(d)?.size ?? 0 })),
        per_week: [...weekSums.values()],
        per_month: [...monthSums.values()],
      },
    },
  };
}

function capgo(all: EventRecord[], o: OrgTarget, end: number, span: number): unknown {
  const from = end - span * DAY_MS;
  const mine = all.filter((e) => e.org === o.id && e.dims['app'] !== undefined);
  return days(from, end).map((d) => {
    const upTo = (d + 1) * DAY_MS;
    const seen = new Set(
      mine
        .filter((e) => e.type === 'activity' && e.actor !== null && e.ts >= from && e.ts < upTo)
        .map((e) => `${e.dims['app']}|${e.actor}`),
    );
    const bandwidth = mine
      .filter((e) => e.type === 'bandwidth' && e.ts >= from && e.ts < upTo)
      .reduce((a, e) => a + e.value, 0);
    const latest = new Map<string, EventRecord>();
    for (const e of mine.filter((x) => x.type === 'storage' && x.ts < upTo)) {
      const cur = latest.get(e.dims['app']!);
      if (!cur || e.ts > cur.ts || (e.ts === cur.ts && e.id > cur.id)) latest.set(e.dims['app']!, e);
    }
    const storage = [...latest.values()].reduce((a, e) => a + e.value, 0);
    return { date: isoDay(d), mau: seen.size, storage, bandwidth };
  });
}

/**
 * bundle_usage, naively: per label day, each version's events of the app; shares handed out a
 * tenth at a time to the version furthest below its exact share (ties: larger count, then
 * earlier version) once every share is floored; a day without events repeats the last shares.
 */
function bundle(all: EventRecord[], o: OrgTarget, end: number): unknown {
  const from = end - 90 * DAY_MS;
  const mine = all.filter(
    (e) =>
      e.org === o.id &&
      e.type === 'activity' &&
      e.ts >= from &&
      e.ts < end &&
      e.dims['app'] === `com.org${o.id}.app0` &&
      e.dims['version'] !== undefined,
  );
  const versions = [...new Set(mine.map((e) => e.dims['version']!))].sort(str);
  let last = versions.map(() => 0);
  const data: number[][] = versions.map(() => []);
  const labels: string[] = [];
  for (let d = day(from); d <= day(end); d++) {
    labels.push(isoDay(d));
    const n = versions.map((v) => mine.filter((e) => day(e.ts) === d && e.dims['version'] === v).length);
    const total = n.reduce((a, b) => a + b, 0);
    if (total > 0) {
      const t = n.map((c) => Math.floor((c * 1000) / total));
      const gap = n.map((c, k) => c * 1000 - t[k]! * total);
      for (let given = t.reduce((a, b) => a + b, 0); given < 1000; given++) {
        let best = -1;
        for (let k = 0; k < n.length; k++)
          if (best < 0 || gap[k]! > gap[best]! || (gap[k] === gap[best] && n[k]! > n[best]!)) best = k;
        t[best]! += 1;
        gap[best] = -Infinity;
      }
      last = t.map((x) => x / 10);
    }
    versions.forEach((_, k) => data[k]!.push(last[k]!));
  }
  return { labels, datasets: versions.map((label, k) => ({ label, data: data[k] })) };
}

/** The naive canonical answer of query `id` for org `o`, the dataset ending at `end`. */
export function naiveAnswer(id: string, all: EventRecord[], o: OrgTarget, end: number): unknown {
  const of = (type: string, from: number): EventRecord[] =>
    all.filter((e) => e.org === o.id && e.type === type && e.ts >= from && e.ts < end);
  switch (id) {
    case 'Q1': {
      const act = of('activity', end - 394 * DAY_MS).filter((e) => e.actor !== null);
      return days(end - 365 * DAY_MS, end).map(
        (d) => new Set(act.filter((e) => day(e.ts) > d - 30 && day(e.ts) <= d).map((e) => e.actor)).size,
      );
    }
    case 'Q2': {
      const sums = new Map<number, number>();
      for (const e of of('bandwidth', end - 365 * DAY_MS))
        sums.set(day(e.ts), (sums.get(day(e.ts)) ?? 0) + e.value);
      return days(end - 365 * DAY_MS, end).map((d) => sums.get(d) ?? 0);
    }
    case 'Q3': {
      const c = cells(of('activity', end - 90 * DAY_MS).map((e) => [day(e.ts), e.dims['version']!]));
      const perDay = counts(of('activity', end - 90 * DAY_MS).map((e) => day(e.ts)));
      return { cells: c, exact: c.map(([d, v, n]) => [d, v, n / perDay.get(d)!]) };
    }
    case 'Q4':
      return cells(
        of('api.request', end - 7 * DAY_MS).map((e) => [Math.floor(e.ts / HOUR_MS), e.dims['service']!]),
      );
    case 'FileSpin': {
      const c = counts(of('api.request', end - 30 * DAY_MS).map((e) => day(e.ts)));
      return {
        '*': byKey([...c], (a, b) => a[0] - b[0]).map(([d, n]) => ({ timestamp: d * 86_400, value: n })),
      };
    }
    case 'SaferMe': {
      const c = counts(of('report.created', end - 90 * DAY_MS).map((e) => Math.floor((day(e.ts) + 3) / 7)));
      return byKey([...c], (a, b) => a[0] - b[0]).map(([w, n]) => ({
        account_id: Number(o.id),
        datetime_range_start: new Date((w * 7 - 3) * DAY_MS).toISOString(),
        report_count: n,
        datetime_range_width: 'week',
      }));
    }
    case 'TR50':
    case 'TR50Y': {
      const [span, step] = id === 'TR50' ? [7, HOUR_MS] : [365, DAY_MS];
      const from = end - span * DAY_MS;
      const steps = (span * DAY_MS) / step;
      const counters: Record<string, number[]> = {};
      const api = of('api.request', from);
      for (const s of [...new Set(api.map((e) => e.dims['service']!))].sort())
        counters[s] = new Array<number>(steps).fill(0);
      for (const e of api) counters[e.dims['service']!]![Math.floor((e.ts - from) / step)]! += 1;
      const ts = Array.from(
        { length: steps },
        (_, k) => `${new Date(from + k * step).toISOString().slice(0, 19)}+00:00`,
      );
      return { counters, total: api.length, ts };
    }
    case 'VIKTOR':
      return viktor(all, o, end);
    case 'Capgo':
      return capgo(all, o, end, 30);
    case 'CapgoY':
      return capgo(all, o, end, 365);
    case 'CapgoBundle':
      return bundle(all, o, end);
    default: {
      const features = naiveFeatures(id, all, o.id, end);
      if (features === undefined) throw new Error(`no naive answer for ${id}`);
      return features;
    }
  }
}
