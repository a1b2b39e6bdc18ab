/**
 * Test helpers: an in-process app on a fresh DuckDB store, with a fixed clock
 * and an admin key, driven through Fastify's inject (no port).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApp, type Surface } from '../src/http/app.js';
import { DuckDbStore } from '../src/store/duckdb/store.js';

export const ADMIN = 'test-admin-secret';
/** 2026-11-20T12:00:00Z: every test's "now". */
export const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

export interface TestApp {
  app: FastifyInstance;
  store: DuckDbStore;
  close(): Promise<void>;
  call(
    method: string,
    url: string,
    opts?: { key?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<LightMyRequestResponse>;
  newKey(role: 'admin' | 'ingest' | 'read', orgs: string[]): Promise<string>;
}

export async function makeApp(
  opts: { surfaces?: Surface[]; clock?: () => number; path?: string } = {},
): Promise<TestApp> {
  const clock = opts.clock ?? (() => NOW);
  const store = await DuckDbStore.open({ path: opts.path ?? ':memory:', clock });
  await store.init();
  const app = await createApp({ store, clock, adminKey: ADMIN }, opts.surfaces ?? []);
  const call: TestApp['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? ADMIN : o.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    return app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(o.raw !== undefined
        ? { payload: o.raw }
        : o.body !== undefined
          ? { payload: JSON.stringify(o.body), headers: { 'content-type': 'application/json', ...headers } }
          : {}),
    });
  };
  return {
    app,
    store,
    call,
    async close() {
      await app.close();
      await store.close();
    },
    async newKey(role, orgs) {
      const res = await call('POST', '/v1/keys', { body: { name: `${role} key`, role, orgs } });
      if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.body}`);
      return res.json<{ key: string }>().key;
    },
  };
}

/** An event with sensible defaults; `time` is RFC 3339 or Unix seconds. */
export function ev(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `e${Math.random().toString(36).slice(2)}`,
    type: 'activity',
    time: '2026-11-19T10:00:00Z',
    org: 'acme',
    ...over,
  };
}
