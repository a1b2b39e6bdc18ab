/**
 * The lifecycle tests' app: every surface on a DuckDB store (in memory, or a
 * file for backups), the fixed clock and admin key of test/helpers.ts, and a
 * server retention default when asked. Also the shared data set, and the
 * battery of reads (native queries and compatibility answers) that two apps
 * are compared with: one after a deletion, one never given what was deleted.
 */
import type { LightMyRequestResponse } from 'fastify';
import { surfaces } from '../../src/compat/index.js';
import { createApp } from '../../src/http/app.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN, NOW } from '../helpers.js';

export { ADMIN, NOW };

export interface LifeApp {
  store: Store;
  call(
    method: string,
    url: string,
    o?: { key?: string | null; body?: unknown; raw?: string; type?: string },
  ): Promise<LightMyRequestResponse>;
  newKey(role: 'admin' | 'ingest' | 'read', orgs: string[]): Promise<{ key: string; id: string }>;
  /** Listen on a free loopback port; resolves with the base URL (for the CLI). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function lifeApp(
  opts: { path?: string; retentionDays?: number | null; store?: Store } = {},
): Promise<LifeApp> {
  const clock = (): number => NOW;
  let store = opts.store;
  if (!store) {
    const s = await DuckDbStore.open({ path: opts.path ?? ':memory:', clock });
    await s.init();
    store = s;
  }
  const app = await createApp(
    { store, clock, adminKey: ADMIN, retentionDays: opts.retentionDays ?? null },
    surfaces,
  );
  const call: LifeApp['call'] = (method, url, o = {}) => {
    const key = o.key === undefined ? ADMIN : o.key;
    const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
    if (o.raw !== undefined) headers['content-type'] = o.type ?? 'application/x-ndjson';
    else if (o.body !== undefined) headers['content-type'] = 'application/json';
    const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    return app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  };
  return {
    store,
    call,
    async newKey(role, orgs) {
      const res = await call('POST', '/v1/keys', { body: { name: `${role} key`, role, orgs } });
      if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.body}`);
      return res.json<{ key: string; id: string }>();
    },
    listen: () => app.listen({ port: 0, host: '127.0.0.1' }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

const act = (id: string, org: string, actor: string, time: string, ws: string, wsType = 'standard') => ({
  id,
  org,
  actor,
  time,
  type: 'activity',
  dims: { workspace: ws, workspace_type: wsType },
});
const api = (id: string, org: string, actor: string, time: string) => ({
  id,
  org,
  actor,
  time,
  type: 'api.request',
  dims: { endpoint: '/api/v1/assets' },
});

/**
 * Orgs: acme (acme.com) > acme-eu; beta. Profiles: acme u1 (user), d1 (developer),
 * acme-eu u1, beta u1. u2 and u3 are known from events only.
 */
export const ORGS: [string, Record<string, unknown>][] = [
  ['acme', { domain: 'acme.com' }],
  ['acme-eu', { parent: 'acme' }],
  ['beta', {}],
];
export const PROFILES = [
  { org: 'acme', id: 'u1', kind: 'user', created_at: '2026-10-01T00:00:00Z', first_name: 'Ann' },
  { org: 'acme', id: 'd1', kind: 'developer', created_at: '2026-11-02T00:00:00Z' },
  { org: 'acme-eu', id: 'u1', kind: 'user', created_at: '2026-10-15T00:00:00Z' },
  { org: 'beta', id: 'u1', kind: 'user' },
];
export const EVENTS: Record<string, unknown>[] = [
  act('e1', 'acme', 'u1', '2026-11-03T09:00:00Z', 'w1'),
  act('e2', 'acme', 'u1', '2026-11-05T09:00:00Z', 'w1'),
  act('e3', 'acme', 'd1', '2026-11-05T10:00:00Z', 'w2', 'development'),
  act('e4', 'acme', 'u2', '2026-11-06T10:00:00Z', 'w1'),
  api('e5', 'acme', 'u1', '2026-11-03T11:00:00Z'),
  api('e6', 'acme', 'u1', '2026-11-03T12:00:00Z'),
  {
    id: 'e7',
    org: 'acme',
    type: 'storage',
    time: '2026-11-04T00:00:00Z',
    value: 500,
    dims: { kind: 'ASSET' },
  },
  act('e1', 'acme-eu', 'u1', '2026-11-04T08:00:00Z', 'w3'),
  api('e9', 'acme-eu', 'u1', '2026-11-07T08:00:00Z'),
  act('b1', 'beta', 'u1', '2026-11-03T08:00:00Z', 'w9'),
  act('b2', 'beta', 'u3', '2026-11-08T08:00:00Z', 'w9'),
];

type Profile = (typeof PROFILES)[number];

/** Orgs, profiles and events, each filtered (default: all); throws when the app refuses any. */
export async function loadWorld(
  t: LifeApp,
  keep: {
    events?: (e: Record<string, unknown>) => boolean;
    profiles?: (p: Profile) => boolean;
    orgs?: (id: string) => boolean;
  } = {},
): Promise<void> {
  for (const [id, body] of ORGS.filter(([id]) => keep.orgs?.(id) ?? true)) {
    const r = await t.call('PUT', `/v1/orgs/${id}`, { body });
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  const actors = PROFILES.filter((p) => keep.profiles?.(p) ?? true);
  if (actors.length > 0) {
    const r = await t.call('POST', '/v1/actors', { body: actors });
    if (r.statusCode >= 300) throw new Error(r.body);
  }
  const r = await t.call('POST', '/v1/events', { body: EVENTS.filter((e) => keep.events?.(e) ?? true) });
  if (r.statusCode !== 200) throw new Error(r.body);
}

const RANGE = 'from=2026-11-01&to=2026-11-15';
const SECONDS = `start_time=${Date.UTC(2026, 10, 1) / 1000}&end_time=${Date.UTC(2026, 10, 15) / 1000}`;

/** The reads two apps are compared with: native queries and three compatibility APIs. */
export const BATTERY = [
  `/v1/query?org=acme&subtree=true&${RANGE}`,
  `/v1/query?org=acme&subtree=true&${RANGE}&agg=unique&group_by=org&bucket=week`,
  `/v1/query?${RANGE}&type=api.request&agg=sum&bucket=none&group_by=org`,
  `/v1/query?${RANGE}&agg=unique&group_by=actor_kind&window=cumulative&since=all`,
  `/v1/query?org=beta&${RANGE}&agg=unique`,
  `/v1/query?org=acme&${RANGE}&type=storage&agg=latest&per=dims.kind`,
  '/api/statistics/?stats_type=users&start=2026-11-01&end=2026-11-14',
  '/api/statistics/?stats_type=developers&start=2026-11-01&end=2026-11-14',
  '/api/statistics/?stats_type=workspaces&start=2026-11-01&end=2026-11-14',
  `/api/v1/stats/timeseries/api?${SECONDS}&usergroup_id=acme`,
  `/api/v1/stats/timeseries/api?${SECONDS}&usergroup_id=acme-eu&user_id=u1`,
];

/** Every battery answer: status and body. */
export async function battery(t: LifeApp): Promise<{ url: string; status: number; body: unknown }[]> {
  const out = [];
  for (const url of BATTERY) {
    const r = await t.call('GET', url);
    out.push({ url, status: r.statusCode, body: r.json<unknown>() });
  }
  return out;
}
