/**
 * `tally serve`: open the store, start HTTP, and on SIGTERM/SIGINT finish the
 * requests in flight, flush the store, and exit 0.
 */
import { createApp } from '../http/app.js';
import { issueKey } from '../http/routes/keys.js';
import { createStore } from '../store/index.js';
import { surfaces } from '../compat/index.js';
import type { Config } from './config.js';

export async function serve(config: Config): Promise<void> {
  const store = await createStore(config);
  const app = await createApp(
    {
      store,
      adminKey: config.adminKey,
      logger: {
        level: process.env.LOG_LEVEL ?? 'info',
        redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
      },
    },
    surfaces,
  );
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
  const address = await app.listen({ port: config.port, host: config.host });
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
}
