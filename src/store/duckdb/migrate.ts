/**
 * Bring a DuckDB file's schema up to date (schema.ts): each migration not yet
 * applied runs once, in order, in its own transaction with the bump of
 * `meta.schema_version`, so a crash leaves the file at one version or the next.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, run } from './db.js';
import { MIGRATIONS } from './schema.js';
import { num } from '../sql/rows.js';

export async function migrate(conn: DuckDBConnection): Promise<void> {
  await run(conn, 'CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)');
  const rows = await all(conn, "SELECT v FROM meta WHERE k = 'schema_version'");
  const version = rows[0] ? num(rows[0], 'v') : 0;
  for (let i = version; i < MIGRATIONS.length; i++) {
    await run(conn, 'BEGIN TRANSACTION');
    await run(conn, MIGRATIONS[i]!);
    await run(conn, "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [String(i + 1)]);
    await run(conn, 'COMMIT');
  }
}
