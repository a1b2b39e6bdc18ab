/**
 * Deletions on DuckDB (docs/lifecycle.md): correction by (org, id), actor and
 * org-subtree erasure. Each runs on the write connection as ONE transaction
 * that also writes its audit entry, so a deletion and its record commit
 * together. The caller (the store) runs them on its serial lane and then tells
 * its committer (ingest.ts) what they return: the actors whose first_seen changed.
 * The actor rollup (rollup.ts) changes in the same transaction.
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import type { KeyRecord } from '../../core/model.js';
import type { AuditEntry, AuditInput, EventRef } from '../port.js';
import { NO_COUNTS, type AuditIds } from '../audit.js';
import { keyChanges } from '../erase.js';
import { writeAudit } from './audit.js';
import { all, changed, run, transaction } from './db.js';
import { numOrNull, str } from '../sql/rows.js';
import { ERASE_ACTOR_CELLS, ERASE_ORG_CELLS, NOTE_REF_CELLS, refreshCells } from './rollup.js';

/** A first_seen the ingest state must now hold: a time, null (no events left), or undefined (the actor is gone). */
export interface ActorSeen {
  org: string;
  id: string;
  firstSeen: number | null | undefined;
}

async function stagePairs(
  conn: DuckDBConnection,
  table: 'lifecycle_refs' | 'lifecycle_actors',
  pairs: EventRef[],
): Promise<void> {
  await run(conn, `DROP TABLE IF EXISTS temp.${table}; CREATE TEMP TABLE ${table} (org VARCHAR, id VARCHAR)`);
  try {
    const app = await conn.createAppender(table, 'main', 'temp');
    for (const p of pairs) {
      app.appendVarchar(p.org);
      app.appendVarchar(p.id);
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
  } catch (err) {
    throw new StoreError('The store could not stage a deletion.', err);
  }
}

/** first_seen of the staged actors, recomputed from the events they still have (NULL when none). */
const RECOMPUTE_FIRST_SEEN = `UPDATE actors SET first_seen = s.m FROM (
    SELECT a.org, a.id, min(e.ts) AS m FROM lifecycle_actors a
    LEFT JOIN events e ON e.org = a.org AND e.actor = a.id GROUP BY a.org, a.id
  ) s WHERE actors.org = s.org AND actors.id = s.id
  RETURNING actors.org, actors.id, actors.first_seen`;

/** Correction: delete events by (org, id), recompute first_seen of their actors. */
export async function deleteEvents(
  conn: DuckDBConnection,
  refs: EventRef[],
  audit: AuditInput,
  now: number,
  ids: AuditIds,
): Promise<{ entry: AuditEntry; missing: EventRef[]; seen: ActorSeen[] }> {
  const unique = [...new Map(refs.map((r) => [JSON.stringify([r.org, r.id]), r])).values()];
  await stagePairs(conn, 'lifecycle_refs', unique);
  return transaction(conn, async () => {
    await run(conn, NOTE_REF_CELLS);
    const deleted = await all(
      conn,
      `DELETE FROM events USING lifecycle_refs r WHERE events.org = r.org AND events.id = r.id
       RETURNING events.org, events.id, events.actor`,
    );
    const gone = new Set(deleted.map((d) => JSON.stringify([str(d, 'org'), str(d, 'id')])));
    const actors = new Map<string, EventRef>();
    for (const d of deleted)
      if (d['actor'] !== null)
        actors.set(JSON.stringify([d['org'], d['actor']]), { org: str(d, 'org'), id: d['actor'] as string });
    await refreshCells(conn);
    let seen: ActorSeen[] = [];
    if (actors.size > 0) {
      await stagePairs(conn, 'lifecycle_actors', [...actors.values()]);
      seen = (await all(conn, RECOMPUTE_FIRST_SEEN)).map((r) => ({
        org: str(r, 'org'),
        id: str(r, 'id'),
        firstSeen: numOrNull(r, 'first_seen'),
      }));
    }
    const entry = await writeAudit(conn, ids, audit, now, { ...NO_COUNTS, events: deleted.length });
    const missing = unique.filter((r) => !gone.has(JSON.stringify([r.org, r.id])));
    return { entry, missing, seen };
  });
}

/** Erase one actor in each of `orgs`: its events and its profile. */
export async function eraseActor(
  conn: DuckDBConnection,
  orgs: string[],
  actor: string,
  audit: AuditInput,
  now: number,
  ids: AuditIds,
): Promise<{ entry: AuditEntry; seen: ActorSeen[] }> {
  // No org in reach (an empty store): nothing to delete, and DuckDB cannot type an empty list parameter.
  if (orgs.length === 0) return { entry: await writeAudit(conn, ids, audit, now, NO_COUNTS), seen: [] };
  const list = listValue(orgs);
  return transaction(conn, async () => {
    const events = await changed(conn, 'DELETE FROM events WHERE actor = $1 AND list_contains($2, org)', [
      actor,
      list,
    ]);
    const actors = await changed(conn, 'DELETE FROM actors WHERE id = $1 AND list_contains($2, org)', [
      actor,
      list,
    ]);
    await run(conn, ERASE_ACTOR_CELLS, [actor, list]);
    const entry = await writeAudit(conn, ids, audit, now, { ...NO_COUNTS, events, actors });
    return { entry, seen: orgs.map((org) => ({ org, id: actor, firstSeen: undefined })) };
  });
}

/** Erase orgs wholesale (a subtree): events, actors, sessions, retention, the orgs; keys narrowed or revoked. */
export async function eraseOrgs(
  conn: DuckDBConnection,
  orgs: string[],
  keys: KeyRecord[],
  audit: AuditInput,
  now: number,
  ids: AuditIds,
): Promise<AuditEntry> {
  const list = listValue(orgs);
  const { revoke, narrow } = keyChanges(keys, new Set(orgs));
  return transaction(conn, async () => {
    const events = await changed(conn, 'DELETE FROM events WHERE list_contains($1, org)', [list]);
    const actors = await changed(conn, 'DELETE FROM actors WHERE list_contains($1, org)', [list]);
    await run(conn, ERASE_ORG_CELLS, [list]);
    await run(conn, 'DELETE FROM sessions WHERE list_contains($1, org)', [list]);
    await run(conn, 'DELETE FROM retention WHERE list_contains($1, org)', [list]);
    const gone = await changed(conn, 'DELETE FROM orgs WHERE list_contains($1, id)', [list]);
    for (const k of revoke)
      await run(conn, 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        now,
        k.id,
      ]);
    for (const { key, orgs: kept } of narrow)
      await run(conn, 'UPDATE api_keys SET orgs = $1 WHERE id = $2', [listValue(kept), key.id]);
    const counts = { events, actors, orgs: gone, keys: revoke.length + narrow.length };
    return writeAudit(conn, ids, audit, now, counts);
  });
}
