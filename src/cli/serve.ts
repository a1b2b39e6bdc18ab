/**
 * `tally serve`: open the store, start HTTP, and on SIGTERM/SIGINT finish the
 * requests in flight, flush the store, and exit 0.
 */
import { existsSync, statSync } from 'node:fs';
import { createApp } from '../http/app.js';
import { createStore } from '../store/index.js';
import { surfaces } from '../compat/index.js';
import type { Config } from './config.js';
import { printFirstRunNotes } from './first-run.js';
import { cloudEventsSurface } from '../http/cloudevents/index.js';
import { loggerOptions } from '../http/logging.js';
import { TALLY_VERSION } from './version.js';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/port.js';
import { RetentionJob } from '../use-cases/retention-job.js';

/** Steps other commands add around serving (e.g. `demo` loads data first). */
export interface ServeHooks {
  /** The demo command: an empty store needs no "send a first event" hint. */
  demo?: boolean;
  /** Runs once the store is open, before the server listens. */
  beforeListen?: (store: Store) => Promise<void>;
  /** Runs after the start-up lines are printed, with the app and its address. */
  afterListen?: (app: FastifyInstance, address: string) => Promise<void>;
}

export async function serve(config: Config, hooks: ServeHooks = {}): Promise<void> {
  const retentionDays = config.retentionDays;
  // DuckDB replays a WAL left by a stop that did not checkpoint, and silently drops one that
  // does not belong to the file: say that one was there (issue 26.8), before it is gone.
  const walPath =
    config.store === 'duckdb' && config.duckdbPath !== ':memory:' ? `${config.duckdbPath}.wal` : null;
  const walBytes = walPath !== null && existsSync(walPath) ? statSync(walPath).size : 0;
  const store = await createStore(config);
  const app = await createApp(
    {
      store,
      adminKey: config.adminKey,
      rateLimit: config.rateLimit,
      logger: loggerOptions(config.logLevel),
      metricsKey: config.metricsKey,
      corsOrigins: config.corsOrigins,
      version: TALLY_VERSION,
      retentionDays,
      webhooks: { allowPrivate: config.webhookAllowPrivate },
    },
    [...surfaces, cloudEventsSurface],
  );
  if (walBytes > 0)
    app.log.warn(
      { wal: walPath, bytes: walBytes },
      'found a WAL left next to the DuckDB file by a stop that did not checkpoint: DuckDB replayed it if it belonged to this file and discarded it if not',
    );
  // The hourly retention job (docs/lifecycle.md); stopped before the store closes.
  const retention = new RetentionJob(store, {
    serverDays: retentionDays,
    onRun: (run, err) => {
      if (err !== undefined) app.log.error({ err }, 'retention run failed');
      else if (run && run.entries.length > 0)
        app.log.info(
          { orgs: run.entries.length, events: run.entries.reduce((n, e) => n + e.counts.events, 0) },
          'retention',
        );
    },
  });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    void (async () => {
      // Keep-alive connections that finish a request during close() would otherwise idle until their timeout.
      const reaper = setInterval(() => {
        app.server.closeIdleConnections();
      }, 100);
      try {
        await app.close();
        clearInterval(reaper);
        await retention.stop();
        await store.close();
        process.exit(0);
      } catch (err) {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await hooks.beforeListen?.(store);
  const address = await app.listen({ port: config.port, host: config.host }).catch(async (err: unknown) => {
    await app.close();
    await store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `Port ${config.port} on ${config.host} is already in use by another process. Stop that process, or set PORT (or --port) to a free port.`,
      );
    throw err;
  });
  retention.start();
  console.log(
    `Tally is listening on ${address} (store: ${config.store}${config.store === 'duckdb' ? `, ${config.duckdbPath}` : ''}; pid ${process.pid})`,
  );
  console.log(`Dashboard: ${address}/`);
  await printFirstRunNotes(app, config, address, hooks.demo === true);
  await hooks.afterListen?.(app, address);
}
