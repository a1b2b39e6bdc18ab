/**
 * API keys in the DuckDB store (the RegistryStore role's key half): writes on
 * the write connection (the store runs them on its lane), reads on a pooled one.
 * Only the key's hash is stored (core/keys.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { KeyRecord } from '../../core/model.js';
import { all, run } from './db.js';
import { toKey } from '../sql/rows.js';

export function createKey(conn: DuckDBConnection, key: KeyRecord): Promise<void> {
  return run(
    conn,
    `INSERT INTO api_keys (id, name, role, orgs, hash, created_at, revoked_at, expires_at, types)
     VALUES (?, ?, ?, ?::VARCHAR[], ?, ?, ?, ?, ?::VARCHAR[])`,
    [
      key.id,
      key.name,
      key.role,
      JSON.stringify(key.orgs),
      key.hash,
      key.created_at,
      key.revoked_at,
      key.expires_at,
      key.types === null ? null : JSON.stringify(key.types),
    ],
  );
}

export async function getKey(conn: DuckDBConnection, id: string): Promise<KeyRecord | null> {
  const rows = await all(conn, 'SELECT * FROM api_keys WHERE id = ?', [id]);
  return rows[0] ? toKey(rows[0]) : null;
}

export async function listKeys(conn: DuckDBConnection): Promise<KeyRecord[]> {
  return (await all(conn, 'SELECT * FROM api_keys ORDER BY created_at, id')).map(toKey);
}

/** True when the key existed and was live; revoking twice keeps the first time. */
export async function revokeKey(conn: DuckDBConnection, id: string, at: number): Promise<boolean> {
  const rows = await all(
    conn,
    'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id',
    [at, id],
  );
  return rows.length > 0;
}
