/**
 * `tally serve`: open the store, start HTTP, and on SIGTERM/SIGINT finish the
 * requests in flight, flush the store, and exit 0.
 */
import { createApp } from '../http/app.js';
import { issueKey } from '../http/routes/keys.js';
import { createStore } from '../store/index.js';
import { surfaces } from '../compat/index.js';
import type { Config } from './config.js';
import { cloudEventsSurface } from '../http/cloudevents/index.js';
import { loggerOptions } from '../http/logging.js';
import { TALLY_VERSION } from './version.js';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/port.js';
import { RetentionJob } from '../use-cases/retention-job.js';

/** Steps other commands add around serving (e.g. `demo` loads data first). */
export interface ServeHooks {
  /** Runs once the store is open, before the server listens. */
  beforeListen?: (store: Store) => Promise<void>;
  /** Runs after the "listening" line is printed, with the app and its address. */
  afterListen?: (app: FastifyInstance, address: string) => Promise<void>;
}

export async function serve(config: Config, hooks: ServeHooks = {}): Promise<void> {
  const retentionDays = config.retentionDays;
  const store = await createStore(config);
  const app = await createApp(
    {
      store,
      adminKey: config.adminKey,
      rateLimit: config.rateLimit,
      logger: loggerOptions(config.logLevel),
      metricsKey: config.metricsKey,
      version: TALLY_VERSION,
      retentionDays,
    },
    [...surfaces, cloudEventsSurface],
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
  const address = await app.listen({ port: config.port, host: config.host });
  retention.start();
  if (!config.adminKey && (await store.listKeys()).length === 0) {
    // A fresh store with no way in: issue one admin key and show it once, like a first-run password.
    const { secret } = await issueKey(app.ctx, { name: 'bootstrap admin', role: 'admin', orgs: ['*'] });
    console.log(
      `No keys existed, so an admin key over all orgs was created. It is shown only now:\n  ${secret}`,
    );
  }
  console.log(
    `Tally is listening on ${address} (store: ${config.store}${config.store === 'duckdb' ? `, ${config.duckdbPath}` : ''}; pid ${process.pid})`,
  );
  await hooks.afterListen?.(app, address);
}
