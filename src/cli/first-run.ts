/**
 * What `tally serve` prints once it listens, so that an operator never has to
 * guess the next step: on an empty store, how to send a first event and how to
 * see the demo (which lives in its own file); on a store without keys, a new
 * admin key, printed last so it is not lost between log lines; on a store with
 * keys, how to make a new admin key if the old one was lost.
 */
import type { FastifyInstance } from 'fastify';
import { everything } from '../demo/load.js';
import { issueKey } from '../http/routes/keys.js';
import type { EventStore, Registry } from '../store/port.js';
import type { Config } from './config.js';
import { DEFAULT_DB, DEMO_DB } from './defaults.js';

/** Whether the store holds no event at all. */
export async function isStoreEmpty(registry: Registry, events: EventStore): Promise<boolean> {
  const orgs = (await registry.listOrgs()).map((o) => o.id);
  if (orgs.length === 0) return true;
  return (await events.listEvents(everything(orgs), 1)).length === 0;
}

/** How to point a command at the same store as this server (nothing for the defaults). */
function storeEnv(config: Config): string {
  if (config.store === 'clickhouse')
    return `TALLY_STORE=clickhouse TALLY_CLICKHOUSE_URL=${config.clickhouseUrl ?? ''} `;
  return config.duckdbPath === DEFAULT_DB ? '' : `TALLY_DB=${config.duckdbPath} `;
}

/** The lines shown on an empty store: a first event to send, and the demo. */
export function emptyStoreHint(address: string, nowMs: number): string {
  const time = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const event = JSON.stringify({ id: 'evt-1', type: 'signup', time, org: 'acme', actor: 'u1' });
  return [
    '',
    'The store is empty. Send a first event with an admin or ingest key ($KEY):',
    `  curl -s ${address}/v1/events -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\`,
    `    -d '${event}'`,
    `To look around with a demo dataset instead (served from its own file, ${DEMO_DB}): npm run demo`,
  ].join('\n');
}

/** The line shown on a store with keys, for an operator who lost the admin key. */
export function lostKeyHint(config: Config): string {
  const stop = config.store === 'duckdb' ? 'stop Tally, then run' : 'run';
  return `\nLost the admin key? ${stop}: ${storeEnv(config)}npx tally keys create --role admin --orgs '*'`;
}

/**
 * Print the first-run notes: the empty-store hint (unless `demo`), then either a
 * new admin key (a store with no key and no TALLY_ADMIN_KEY) or how to recover one.
 */
export async function printFirstRunNotes(
  app: FastifyInstance,
  config: Config,
  address: string,
  demo: boolean,
): Promise<void> {
  const { registry, events } = app.ctx;
  if (!demo && (await isStoreEmpty(registry, events))) console.log(emptyStoreHint(address, Date.now()));
  if (config.adminKey !== null) return;
  if ((await registry.listKeys()).length > 0) {
    console.log(lostKeyHint(config));
    return;
  }
  // A fresh store with no way in: one admin key, shown once, like a first-run password.
  const { secret } = await issueKey(app.ctx, { name: 'first admin', role: 'admin', orgs: ['*'] });
  console.log(
    `\nNo key existed, so this admin key over all orgs was created. Save it now: it is shown only this once.\n  ${secret}`,
  );
}
