/**
 * Actor upserts for DuckDB: patches are merged in JS (later patches for the
 * same actor win field by field), staged, and merged into `actors` in one
 * statement so that a field a patch leaves out keeps its stored value.
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Actor, ActorPatch } from '../../core/model.js';
import type { HeadcountQuery } from '../port.js';
import { StoreError } from '../../core/errors.js';
import { all, run } from './db.js';
import { insertMissingOrgsSql } from './schema.js';
import { toActor } from '../sql/rows.js';
import { num, str } from '../sql/rows.js';

const FIELDS = ['kind', 'created_at', 'deleted_at', 'first_name', 'last_name', 'props'] as const;

/** Dropped and created per load: rows deleted from a temp table are never reclaimed (see ingest.ts). */
const STAGING_DDL = `DROP TABLE IF EXISTS temp.actor_staging; CREATE TEMP TABLE actor_staging (
  org VARCHAR, id VARCHAR,
  kind VARCHAR, has_kind BOOLEAN, created_at BIGINT, has_created_at BOOLEAN,
  deleted_at BIGINT, has_deleted_at BOOLEAN, first_name VARCHAR, has_first_name BOOLEAN,
  last_name VARCHAR, has_last_name BOOLEAN, props VARCHAR, has_props BOOLEAN)`;

const pick = (f: string, fallback: string): string => `CASE WHEN s.has_${f} THEN s.${f} ELSE ${fallback} END`;

export const MERGE_ACTORS_SQL = `INSERT INTO actors (org, id, kind, created_at, deleted_at, first_name, last_name, props, first_seen)
  SELECT s.org, s.id, ${pick('kind', "COALESCE(a.kind, 'user')")}, ${pick('created_at', 'a.created_at')},
    ${pick('deleted_at', 'a.deleted_at')}, ${pick('first_name', 'a.first_name')}, ${pick('last_name', 'a.last_name')},
    ${pick('props', "COALESCE(a.props, '{}')")}, a.first_seen
  FROM actor_staging s LEFT JOIN actors a ON a.org = s.org AND a.id = s.id
  ON CONFLICT (org, id) DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at,
    deleted_at = excluded.deleted_at, first_name = excluded.first_name, last_name = excluded.last_name,
    props = excluded.props`;

/** Fold patches for the same (org, id) into one, later fields winning. */
export function mergePatches(patches: ActorPatch[]): ActorPatch[] {
  const byKey = new Map<string, ActorPatch>();
  for (const p of patches) {
    const k = JSON.stringify([p.org, p.id]);
    byKey.set(k, { ...byKey.get(k), ...stripUndefined(p) });
  }
  return [...byKey.values()];
}

function stripUndefined(p: ActorPatch): ActorPatch {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as ActorPatch;
}

/** Merge patches into `actors` in one transaction; orgs not yet known are created as roots. Returns the orgs created. */
export async function upsertActors(
  conn: DuckDBConnection,
  patches: ActorPatch[],
  now: number,
): Promise<string[]> {
  const merged = mergePatches(patches);
  if (merged.length === 0) return [];
  await run(conn, STAGING_DDL);
  try {
    const app = await conn.createAppender('actor_staging', 'main', 'temp');
    for (const p of merged) {
      app.appendVarchar(p.org);
      app.appendVarchar(p.id);
      for (const f of FIELDS) {
        const v = f === 'props' ? (p.props === undefined ? undefined : JSON.stringify(p.props)) : p[f];
        if (v === undefined || v === null) app.appendNull();
        else if (typeof v === 'number') app.appendBigInt(BigInt(v));
        else app.appendVarchar(v);
        app.appendBoolean(p[f] !== undefined);
      }
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
  } catch (err) {
    throw new StoreError('The store could not stage actors.', err);
  }
  await run(conn, 'BEGIN TRANSACTION');
  try {
    const created = await all(conn, insertMissingOrgsSql('actor_staging'), [now]);
    await run(conn, MERGE_ACTORS_SQL);
    await run(conn, 'COMMIT');
    return created.map((r) => str(r, 'id'));
  } catch (err) {
    await run(conn, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export async function getActor(conn: DuckDBConnection, org: string, id: string): Promise<Actor | null> {
  const rows = await all(conn, 'SELECT * FROM actors WHERE org = ? AND id = ?', [org, id]);
  return rows[0] ? toActor(rows[0]) : null;
}

/**
 * How many actors of the given kinds exist just before each instant (sorted
 * ascending): born (created_at, else first event) before it, and not deleted
 * before it (see HeadcountQuery). Each actor adds +1 at its birth and -1 at its deletion
 * (clamped to its birth, so one deleted before it was born never counts);
 * an ASOF join files each change under the first instant after it, and a
 * running sum in JS gives the headcount. Cost O(actors + instants).
 */
export const HEADCOUNT_SQL = (kindCount: number): string => `
  WITH a AS (
    SELECT COALESCE(created_at, first_seen) AS b, deleted_at AS e FROM actors
    WHERE org IN (SELECT unnest($2::VARCHAR[])) AND kind IN (${placeholders(kindCount, 3)})
      AND COALESCE(created_at, first_seen) IS NOT NULL
  ), changes AS (
    SELECT b AS v, 1 AS d FROM a
    UNION ALL SELECT GREATEST(e, b) AS v, -1 AS d FROM a WHERE e IS NOT NULL
  ), inst AS (SELECT unnest($1::BIGINT[]) AS t)
  SELECT inst.t AS t, sum(d) AS d FROM changes ASOF JOIN inst ON inst.t > changes.v GROUP BY inst.t`;

/** `$start, $start+1, ...` n times. */
export function placeholders(n: number, start: number): string {
  return Array.from({ length: n }, (_, i) => `$${start + i}`).join(', ');
}

export async function actorHeadcount(conn: DuckDBConnection, q: HeadcountQuery): Promise<number[]> {
  if (q.instants.length === 0 || q.orgs.length === 0 || q.kinds.length === 0) return q.instants.map(() => 0);
  const sorted = [...q.instants].sort((x, y) => x - y);
  // The orgs as one bound list: any number of them (an all-orgs read of 100,000 orgs).
  const rows = await all(conn, HEADCOUNT_SQL(q.kinds.length), [
    listValue(sorted.map((t) => BigInt(t))),
    listValue([...q.orgs]),
    ...q.kinds,
  ]);
  const delta = new Map(rows.map((r) => [num(r, 't'), num(r, 'd')]));
  let running = 0;
  const at = new Map<number, number>();
  for (const t of sorted) at.set(t, (running += delta.get(t) ?? 0));
  return q.instants.map((t) => at.get(t)!);
}

export async function getActors(conn: DuckDBConnection, org: string, ids: string[]): Promise<Actor[]> {
  if (ids.length === 0) return [];
  const rows = await all(conn, 'SELECT * FROM actors WHERE org = $1 AND list_contains($2, id) ORDER BY id', [
    org,
    listValue(ids),
  ]);
  return rows.map(toActor);
}
