/**
 * The app the ecosystem tests run: every surface (the five vendor APIs and
 * CloudEvents) on a fresh in-memory DuckDB, the fixed clock and admin key of
 * test/helpers.ts, plus the options those tests need (logger, metrics key,
 * onRoute). Requests go through inject, or a real port with `listen`.
 */
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify';
import { surfaces } from '../../src/compat/index.js';
import { createApp, type AppOptions } from '../../src/http/app.js';
import { cloudEventsSurface } from '../../src/http/cloudevents/index.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { ADMIN, NOW } from '../helpers.js';

export { ADMIN, NOW };

export interface EcoApp {
  app: FastifyInstance;
  store: DuckDbStore;
  routes: RouteOptions[];
  call(
    method: string,
    url: string,
    o?: { key?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<LightMyRequestResponse>;
  /** Listen on a free port; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function ecoApp(
  opts: Pick<AppOptions, 'logger' | 'metricsKey' | 'corsOrigins'> & { clock?: () => number } = {},
): Promise<EcoApp> {
  const clock = opts.clock ?? (() => NOW);
  const store = await DuckDbStore.open({ path: ':memory:', clock });
  await store.init();
  const routes: RouteOptions[] = [];
  const app = await createApp({ store, clock, adminKey: ADMIN, onRoute: (r) => routes.push(r), ...opts }, [
    ...surfaces,
    cloudEventsSurface,
  ]);
  return {
    app,
    store,
    routes,
    call(method, url, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const key = o.key === undefined ? ADMIN : o.key;
      if (key !== null) headers['authorization'] ??= `Bearer ${key}`;
      if (o.body !== undefined) headers['content-type'] ??= 'application/json';
      const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      return app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
    },
    listen: () => app.listen({ port: 0, host: '127.0.0.1' }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}
