/**
 * The soak's workload (bench/soak.ts): the orgs it writes to, its event
 * batches (ids cycling through a bounded space, so the data can stop
 * growing), and its read rotation over the native API and the five
 * compatibility APIs.
 */

/** The soak's orgs: digits, so SaferMe can name them as channels. */
export const ORGS = Array.from({ length: 10 }, (_, i) => String(9001 + i));
const DAY = 86_400_000;

/** The read rotation: one request per surface, over the data being written. */
export function queries(now: number, readKey: string, admin: string): { url: string; init: RequestInit }[] {
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const s = (ms: number): number => Math.floor(ms / 1000);
  const auth = { authorization: `Bearer ${admin}` };
  const org = ORGS[Math.floor(Math.random() * ORGS.length)]!;
  return [
    { url: `/v1/query?org=${org}&last=7d&agg=unique`, init: { headers: auth } },
    { url: `/v1/query?type=api.request&last=24h&bucket=hour&group_by=org`, init: { headers: auth } },
    {
      url: `/api/statistics/?stats_type=users&start=${day(now - 7 * DAY)}&end=${day(now)}`,
      init: { headers: auth },
    },
    {
      url: `/api/v1/stats/timeseries/api?start_time=${s(now - 7 * DAY)}&end_time=${s(now)}&usergroup_id=${org}`,
      init: { headers: auth },
    },
    {
      url: `/api/v4/analytics/reports_per_day_hour?channel_id=${org}&start_date=${day(now - 7 * DAY)}&end_date=${day(now + DAY)}`,
      init: { headers: auth },
    },
    {
      url: `/statistics/org/${org}/?from=${day(now - 7 * DAY)}&to=${day(now + DAY)}`,
      init: { headers: auth },
    },
    {
      url: '/api',
      init: {
        method: 'POST',
        headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ h: { command: 'usage.api.history', params: { last: '24h' } } }),
      },
    },
  ];
}

export function batchOf(seq: number, now: number, size: number, ids: number): unknown[] {
  return Array.from({ length: size }, (_, i) => {
    const k = ids > 0 ? (seq * size + i) % ids : seq * size + i;
    const org = ORGS[k % ORGS.length]!;
    const type = ['api.request', 'activity', 'report.created', 'bandwidth'][k % 4]!;
    return {
      id: `s${k}`,
      type,
      org,
      time: new Date(now - Math.floor(Math.random() * 7 * DAY)).toISOString(),
      actor: `u${k % 1000}`,
      value: type === 'bandwidth' ? 1000 : 1,
      dims: {
        service: 'svc',
        app: `app${k % 5}`,
        version: `1.${k % 3}`,
        report: `r${k}`,
        workspace: `w${k % 7}`,
      },
    };
  });
}
