/**
 * TR50 sessions in the DuckDB store (the SessionStore role): writes on the
 * write connection (the store runs them on its lane), reads on a pooled one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SessionRecord } from '../../core/model.js';
import { all, run } from './db.js';
import { toSession } from '../sql/rows.js';

export function createSession(conn: DuckDBConnection, x: SessionRecord): Promise<void> {
  return run(conn, 'INSERT INTO sessions VALUES (?, ?, ?, ?, ?)', [
    x.hash,
    x.keyId,
    x.org,
    x.created_at,
    x.last_used,
  ]);
}

export async function getSession(conn: DuckDBConnection, hash: string): Promise<SessionRecord | null> {
  const r = (await all(conn, 'SELECT * FROM sessions WHERE hash = ?', [hash]))[0];
  return r ? toSession(r) : null;
}

export function touchSession(conn: DuckDBConnection, hash: string, at: number): Promise<void> {
  return run(conn, 'UPDATE sessions SET last_used = GREATEST(last_used, ?) WHERE hash = ?', [at, hash]);
}

export function deleteSessions(conn: DuckDBConnection, idleBefore: number): Promise<void> {
  return run(conn, 'DELETE FROM sessions WHERE last_used < ?', [idleBefore]);
}
