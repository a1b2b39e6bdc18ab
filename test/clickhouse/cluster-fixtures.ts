/**
 * Fixtures of the cluster test (cluster.test.ts): seeded events of every kind the
 * APIs read, actors, and the native and compatibility requests whose answers are
 * compared with one DuckDB store's.
 */
import { ADMIN } from '../helpers.js';

export const DAY = 86_400_000;
/** Whole UTC days, so that every range below is in the past and stable while the test runs. */
export const TODAY = Math.floor(Date.now() / DAY) * DAY;
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
export const date = (ms: number): string => iso(ms).slice(0, 10);
export const FROM = TODAY - 20 * DAY;
export const TO = TODAY - DAY;

/** A seeded generator, so that a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeEvents(
  n: number,
  seed = 42,
  orgs = ['acme', 'acme-eu', 'beta', '12345'],
  prefix = 'e',
): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const org = pick(orgs);
    const time = iso(FROM + Math.floor(r() * (TO - FROM)));
    const actor = `u${Math.floor(r() * 12)}`;
    const base = { id: `${prefix}${k}`, org, time };
    const app = pick(['app1', 'app2']);
    switch (pick(['activity', 'activity', 'api', 'bandwidth', 'storage', 'report', 'misc'])) {
      case 'activity':
        out.push({
          ...base,
          type: 'activity',
          actor,
          dims: {
            workspace: pick(['w1', 'w2']),
            workspace_type: pick(['standard', 'development']),
            app,
            version: pick(['1.0', '1.1', '2.0']),
          },
        });
        break;
      case 'api':
        out.push({
          ...base,
          type: 'api.request',
          actor,
          dims: { endpoint: pick(['/a', '/b']), service: pick(['svc', 'core']), command: 'cmd.x' },
        });
        break;
      case 'bandwidth':
        out.push({ ...base, type: 'bandwidth', value: Math.floor(r() * 1e6), dims: { app } });
        break;
      case 'storage':
        out.push({
          ...base,
          type: 'storage',
          value: Math.floor(r() * 1e9),
          dims: { app, kind: pick(['ASSET', 'THUMB']) },
        });
        break;
      case 'report':
        out.push({
          ...base,
          type: 'report.created',
          actor,
          dims: { report: `r${k}`, state: '1', state_name: 'Open' },
        });
        break;
      default:
        out.push({
          ...base,
          type: pick(['transcode', 'addon.run', 'alert.sent']),
          actor,
          dims: { addon: 'REMOVE_BACKGROUND', alert: `a${k % 7}`, report: `r${k % 5}` },
        });
    }
  }
  return out;
}

export const ACTORS = Array.from({ length: 12 }, (_, k) =>
  ['acme', 'acme-eu', 'beta', '12345'].map((org) => ({
    org,
    id: `u${k}`,
    kind: ['user', 'developer', 'device'][k % 3],
    first_name: `F${k}`,
    last_name: `L${k}`,
    ...(k % 4 === 0 ? { created_at: iso(FROM - 3 * DAY) } : {}),
  })),
).flat();

/** Native and compatibility requests, compared status and body. Absent surfaces give 404 on both sides. */
export function requests(): { method: 'GET' | 'POST'; url: string; body?: unknown }[] {
  const f = iso(FROM);
  const t = iso(TO);
  const q = (params: string) => ({ method: 'GET' as const, url: `/v1/query?from=${f}&to=${t}&${params}` });
  const s = Math.floor(FROM / 1000);
  const e = Math.floor(TO / 1000);
  return [
    q('bucket=day'),
    q('bucket=week&group_by=type&org=acme&subtree=true'),
    q('agg=unique&of=actor&window=rolling&window_size=7&type=activity'),
    q('agg=unique&of=actor,dims.app&window=cumulative&since=all&bucket=week'),
    q('agg=latest&per=dims.kind&type=storage&group_by=org'),
    q('agg=sum&type=bandwidth&group_by=dims.app&share=1&timezone=America/New_York'),
    q('bucket=hour_of_day&group_by=actor_kind&fill=sparse'),
    q('bucket=month&agg=avg&type=bandwidth&top=1&other=true&group_by=org'),
    q(
      `filters=${encodeURIComponent(JSON.stringify([['in', 'dims.workspace_type', ['standard', null]]]))}&agg=unique&bucket=none`,
    ),
    { method: 'GET', url: `/api/statistics/?stats_type=users&start=${date(FROM)}&end=${date(TO)}` },
    { method: 'GET', url: `/api/statistics/?stats_type=developers&start=${date(FROM)}&end=${date(TO)}` },
    { method: 'GET', url: `/api/statistics/?stats_type=workspaces&start=${date(FROM)}&end=${date(TO)}` },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/api?stat_type=api&start_time=${s}&end_time=${e}&usergroup_id=acme`,
    },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/storage?stat_type=storage&start_time=${s}&end_time=${e}&usergroup_id=12345`,
    },
    {
      method: 'GET',
      url: `/api/v1/stats/timeseries/cdn?stat_type=cdn&start_time=${s}&end_time=${e}&usergroup_id=beta`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/reports_over_time?channel_id=12345&start_date=${f}&end_date=${t}`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/reports_per_user?channel_id=12345&start_date=${f}&end_date=${t}`,
    },
    {
      method: 'GET',
      url: `/api/v4/analytics/user_awareness?channel_id=12345&start_date=${f}&end_date=${t}&fields=total_alerts,unique_alerts`,
    },
    { method: 'GET', url: `/statistics/app/app1/?from=${date(FROM)}&to=${date(TO)}` },
    { method: 'GET', url: `/statistics/org/acme/?from=${date(FROM)}&to=${date(TO)}&breakdown=true` },
    { method: 'GET', url: `/statistics/user/?from=${date(FROM)}&to=${date(TO)}&noAccumulate=true` },
    { method: 'GET', url: `/statistics/app/app2/bundle_usage?from=${date(FROM)}&to=${date(TO)}` },
    {
      method: 'POST',
      url: '/api',
      body: {
        auth: { command: 'api.authenticate', params: { appToken: ADMIN } },
        h: { command: 'usage.api.history', params: { start: f, end: t, series: 'day', showAll: true } },
      },
    },
  ];
}

/** Everything but what legitimately differs between two servers: read times and session ids. */
export function comparable(body: string): unknown {
  try {
    return JSON.parse(body, (k, v: unknown) => (k === 'read_at' || k === 'sessionId' ? undefined : v));
  } catch {
    return body;
  }
}
