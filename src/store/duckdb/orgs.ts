/**
 * Orgs in the DuckDB store (the RegistryStore role's org half). Each org gets
 * an integer number on first insert (schema.ts: scans prune by it); an update
 * keeps the number.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Org } from '../../core/model.js';
import { all, run } from './db.js';
import { NEXT_ORG_NO } from './schema.js';
import { num, str, toOrg } from '../sql/rows.js';

/** Every org, sorted by id, with the org-number map the scans use. */
export async function loadOrgs(
  conn: DuckDBConnection,
): Promise<{ orgs: Org[]; numbers: ReadonlyMap<string, number> }> {
  const rows = await all(conn, 'SELECT * FROM orgs ORDER BY id');
  return { orgs: rows.map(toOrg), numbers: new Map(rows.map((r) => [str(r, 'id'), num(r, 'no')])) };
}

export function putOrg(conn: DuckDBConnection, org: Org): Promise<void> {
  return run(
    conn,
    `INSERT INTO orgs (id, name, parent, domain, timezone, created_at, no)
     VALUES (?, ?, ?, ?, ?, ?, ${NEXT_ORG_NO} + 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name,
     parent = excluded.parent, domain = excluded.domain, timezone = excluded.timezone`,
    [org.id, org.name, org.parent, org.domain, org.timezone, org.created_at],
  );
}
