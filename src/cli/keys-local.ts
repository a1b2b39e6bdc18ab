/**
 * `tally keys create` straight on the store, without a server: the way back in
 * for an operator who lost the only admin key. It opens the store the server
 * would open (TALLY_STORE, TALLY_DB or --db, TALLY_CLICKHOUSE_URL); an embedded
 * DuckDB file must not be in use by a running server, which holds its lock.
 */
import { existsSync } from 'node:fs';
import type { Role } from '../core/model.js';
import { issueKey } from '../http/routes/keys.js';
import type { Store } from '../store/port.js';
import { CliError } from './client.js';
import type { Config } from './config.js';

/** Where the key went, for the summary line. */
function storeName(config: Config): string {
  return config.store === 'duckdb' ? config.duckdbPath : `ClickHouse ${config.clickhouseUrl ?? ''}`;
}

/** Open the configured store for one command, or say plainly why it cannot be opened. */
async function openStore(config: Config): Promise<Store> {
  if (config.store === 'duckdb' && config.duckdbPath !== ':memory:' && !existsSync(config.duckdbPath))
    // Creating an empty file here would hand out a key to a store nobody serves.
    throw new CliError(
      `No store at ${config.duckdbPath}. Point TALLY_DB (or --db) at the file Tally serves, or create the key through a running server with --url and an admin --key.`,
    );
  const { createStore } = await import('../store/index.js');
  try {
    return await createStore(config);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `Cannot open ${storeName(config)} directly: ${why}\nIf a Tally server holds it, stop the server first, or create the key through it with --url and an admin --key.`,
    );
  }
}

/**
 * Create a key directly in the store; resolves with the text to print (the secret once).
 *
 * @example
 * await createKeyInStore(readConfig({ TALLY_DB: './data/tally.duckdb' }), { name: 'ops', role: 'admin', orgs: ['*'] });
 */
export async function createKeyInStore(
  config: Config,
  input: { name: string; role: Role; orgs: string[]; json?: boolean },
): Promise<string> {
  const store = await openStore(config);
  try {
    const { record, secret } = await issueKey(
      { registry: store, clock: Date.now },
      { name: input.name, role: input.role, orgs: input.orgs },
    );
    if (input.json)
      return `${JSON.stringify({ id: record.id, key: secret, name: record.name, role: record.role, orgs: record.orgs, created_at: new Date(record.created_at).toISOString() }, null, 2)}\n`;
    return [
      `Created key ${record.id} (${record.role} over ${record.orgs.join(', ')}) directly in ${storeName(config)}. Its secret is shown only now:`,
      `  ${secret}`,
      '',
    ].join('\n');
  } finally {
    await store.close();
  }
}
