/**
 * `tally keys create` straight on the store, without a server: the way back in
 * for an operator who lost the only admin key. It opens the store the server
 * would open (TALLY_STORE, TALLY_DB or --db, TALLY_CLICKHOUSE_URL); an embedded
 * DuckDB file must not be in use by a running server, which holds its lock.
 */
import { existsSync } from 'node:fs';
import type { Role } from '../core/model.js';
import { parseEventTime } from '../core/events.js';
import { ValidationError } from '../core/errors.js';
import { grantLimits, type KeyLimits } from '../core/key-scope.js';
import { issueKey, keyView } from '../http/routes/keys.js';
import { limitsNote } from './admin.js';
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
    // The server's TALLY_DIM_COLUMNS may differ from this shell's: a key command leaves them as they are.
    return await createStore({ ...config, dimColumns: 'keep' });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(
      `Cannot open ${storeName(config)} directly: ${why}\nIf a Tally server holds it, stop the server first, or create the key through it with --url and an admin --key.`,
    );
  }
}

/** --expires-at and --types as the key's limits, checked as POST /v1/keys checks them for TALLY_ADMIN_KEY. */
function limitsOf(input: { expiresAt?: string; types?: string[] }, now: number): KeyLimits {
  const ms = input.expiresAt === undefined ? undefined : parseEventTime(input.expiresAt);
  if (typeof ms === 'string') throw new CliError(`--expires-at ${ms}`);
  try {
    return grantLimits({ expires_at: null, types: null }, { expires_at: ms, types: input.types }, now);
  } catch (err) {
    if (err instanceof ValidationError)
      throw new CliError(`--expires-at ${err.details[0]?.message ?? err.message}`);
    throw err;
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
  input: { name: string; role: Role; orgs: string[]; expiresAt?: string; types?: string[]; json?: boolean },
): Promise<string> {
  const limits = limitsOf(input, Date.now());
  const store = await openStore(config);
  try {
    const { record, secret } = await issueKey(
      { registry: store, clock: Date.now },
      { name: input.name, role: input.role, orgs: input.orgs, ...limits },
    );
    const view: Record<string, unknown> = { ...keyView(record), key: secret };
    delete view['revoked_at'];
    const note = limitsNote({ expires_at: view['expires_at'] as string | null, types: record.types });
    if (input.json) return `${JSON.stringify(view, null, 2)}\n`;
    return [
      `Created key ${record.id} (${record.role} over ${record.orgs.join(', ')}${note}) directly in ${storeName(config)}. Its secret is shown only now:`,
      `  ${secret}`,
      '',
    ].join('\n');
  } finally {
    await store.close();
  }
}
