/**
 * The data of the key-limit cases (key-limits-cases.ts): eight events of org '42' on one
 * day, shaped for every surface, and one request per surface.
 */
import { NOW } from '../helpers.js';

/** 2026-11-20T13:00:00Z: the expiry of the keys that expire, one hour after NOW. */
export const T = NOW + 3_600_000;
export const DAY = '2026-11-19';
export const at = (hhmm: string): string => `${DAY}T${hhmm}:00Z`;
/** One org, '42' (SaferMe's channel ids are numbers), on 2026-11-19. */
export const EVENTS = [
  ...['10:00', '10:30', '11:00'].map((t, i) => ({
    type: 'api.request',
    dims: { service: 'thing' },
    time: at(t),
    id: `a${i}`,
  })),
  ...['u1', 'u2'].map((actor, i) => ({
    type: 'activity',
    actor,
    dims: { workspace: 'w1', app: 'app1', version: '1.0' },
    time: at(`09:${i}0`),
    id: `v${i}`,
  })),
  {
    type: 'report.created',
    actor: 'u1',
    dims: { report: 'r1', state: '1', state_name: 'Open' },
    time: at('12:00'),
    id: 'r',
  },
  { type: 'bandwidth', value: 100, dims: { app: 'app1' }, time: at('13:00'), id: 'b' },
  { type: 'storage', value: 500, dims: { app: 'app1' }, time: at('14:00'), id: 's' },
].map((e) => ({ org: '42', ...e }));

const unix = (iso: string): number => Date.parse(iso) / 1000;
export const ON_DAY = `from=${DAY}&to=2026-11-20`;
export const TR50_DAY = {
  get: {
    command: 'usage.api.history',
    params: { start: at('00:00'), end: '2026-11-20T00:00:00Z', series: 'day' },
  },
};

/** One request per surface, each asking for figures of one or more types. */
export const SURFACE_CALLS = {
  native: { method: 'GET', url: `/v1/query?org=42&bucket=none&type=api.request&${ON_DAY}` },
  viktor: { method: 'GET', url: `/api/statistics/?stats_type=users&start=${DAY}&end=${DAY}` },
  filespin: {
    method: 'GET',
    url: `/api/v1/stats/timeseries/api?usergroup_id=42&start_time=${unix(at('00:00'))}&end_time=${unix('2026-11-20T00:00:00Z')}`,
  },
  saferme: {
    method: 'GET',
    url: `/api/v4/analytics/reports_over_time?channel_id=42&start_date=${at('00:00')}&end_date=2026-11-20T00:00:00Z`,
  },
  capgo: { method: 'GET', url: `/statistics/app/app1/?${ON_DAY}` },
  tr50: { method: 'POST', url: '/api', body: TR50_DAY },
} as const;
