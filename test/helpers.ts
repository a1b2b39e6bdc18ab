/**
 * Test helpers: an in-process app on a fresh DuckDB store, with a fixed clock
 * and an admin key, driven through Fastify's inject (no port).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApp, type AppOptions, type Surface } from '../src/http/app.js';
import { DuckDbStore } from '../src/store/duckdb/store.js';
import type { Store } from '../src/store/port.js';

export const ADMIN = 'test-admin-secret-0123456789';
/** 2026-11-20T12:00:00Z: every test's "now". */
export const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  /** The DuckDB store, for tests that look inside it; throws when the suite runs on ClickHouse. */
  duckdb(): DuckDbStore;
  close(): Promise<void>;
  call(
    method: string,
    url: string,
    opts?: { key?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<LightMyRequestResponse>;
  newKey(role: 'admin' | 'ingest' | 'read', orgs: string[]): Promise<string>;
}

export async function makeApp(
  opts: {
    surfaces?: Surface[];
    clock?: () => number;
    path?: string;
    engine?: 'duckdb' | 'clickhouse';
    /** An open store to use instead of a fresh one (a restart on the same store). */
    store?: Store;
    webhooks?: AppOptions['webhooks'];
  } = {},
): Promise<TestApp> {
  const clock = opts.clock ?? (() => NOW);
  const store = opts.store ?? (await openTestStore(clock, opts.path, opts.engine));
  const webhooks = opts.webhooks === undefined ? {} : { webhooks: opts.webhooks };
  const app = await createApp({ store, clock, adminKey: ADMIN, ...webhooks }, opts.surfaces ?? []);
  const call: TestApp['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? ADMIN : o.key;
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
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
    duckdb() {
      if (!(store instanceof DuckDbStore))
        throw new Error('This test looks inside DuckDB; it runs on DuckDB only.');
      return store;
    },
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

/**
 * The store under test: a fresh in-memory DuckDB, or with TALLY_TEST_STORE=clickhouse a fresh
 * ClickHouse database (dropped on close), so the HTTP and compatibility suites run on either engine.
 * Tests that reach into DuckDB internals (`read`) run on DuckDB only. `engine` picks one whatever
 * the environment says, for suites that run on both engines in one file.
 */
async function openTestStore(clock: () => number, path?: string, engine?: string): Promise<Store> {
  if ((engine ?? process.env['TALLY_TEST_STORE']) === 'clickhouse') {
    const { freshStore } = await import('./clickhouse/env.js');
    return freshStore({ clock });
  }
  const store = await DuckDbStore.open({ path: path ?? ':memory:', clock });
  await store.init();
  return store;
}
