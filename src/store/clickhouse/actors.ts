/**
 * Actors on ClickHouse. An actor is a row of `actors` (explicit fields, latest
 * version wins, read with FINAL) and/or a first-seen time in `actor_seen`
 * (written by ingest). Reads union the two, so an actor known only from events
 * is a `user` with no explicit fields, as on DuckDB.
 */
import type { Actor, ActorPatch } from '../../core/model.js';
import type { HeadcountQuery } from '../port.js';
import type { ChClient, Row } from './client.js';
import { BIG_QUERY } from './ingest.js';
import { lit, quoteList } from './quote.js';
import type { ChTableNames } from './schema.js';
import { toActor } from '../sql/rows.js';
import { num, str } from '../sql/rows.js';

const NULL_I64 = 'CAST(NULL AS Nullable(Int64))';
const NULL_STR = 'CAST(NULL AS Nullable(String))';

/** One row per actor of `orgs` (and `ids`, when given): explicit fields merged with first-seen. */
export function actorsSql(t: ChTableNames, orgs: string[], ids: string[] | null): string {
  const idFilter = (col: string): string => (ids === null ? '' : ` AND ${col} IN (${quoteList(ids)})`);
  return `SELECT org, id,
    if(max(r) = 1, anyIf(kind, r = 1), 'user') AS kind,
    anyIf(created_at, r = 1) AS created_at, anyIf(deleted_at, r = 1) AS deleted_at,
    anyIf(first_name, r = 1) AS first_name, anyIf(last_name, r = 1) AS last_name,
    if(max(r) = 1, anyIf(props, r = 1), '{}') AS props, max(ver) AS ver,
    minIf(seen, r = 0) AS first_seen
  FROM (
    SELECT org, id, toUInt8(1) AS r, kind, created_at, deleted_at, first_name, last_name, props, ver,
      ${NULL_I64} AS seen
    FROM ${t.actors} FINAL WHERE org IN (${quoteList(orgs)})${idFilter('id')}
    UNION ALL
    SELECT org, actor AS id, toUInt8(0) AS r, '' AS kind, ${NULL_I64} AS created_at, ${NULL_I64} AS deleted_at,
      ${NULL_STR} AS first_name, ${NULL_STR} AS last_name, '{}' AS props, toUInt64(0) AS ver,
      CAST(ts AS Nullable(Int64)) AS seen
    FROM ${t.actorSeen} WHERE org IN (${quoteList(orgs)})${idFilter('actor')}
  )
  GROUP BY org, id`;
}

export async function getActors(
  client: ChClient,
  t: ChTableNames,
  org: string,
  ids: string[],
): Promise<Actor[]> {
  if (ids.length === 0) return [];
  const rows = await client.query(`${actorsSql(t, [org], [...new Set(ids)])}\nORDER BY id`, BIG_QUERY);
  return rows.map(toActor);
}

/** Current rows and versions of the actors a set of patches touches. */
export async function currentActors(
  client: ChClient,
  t: ChTableNames,
  patches: ActorPatch[],
): Promise<Map<string, { actor: Actor; ver: number }>> {
  const out = new Map<string, { actor: Actor; ver: number }>();
  const byOrg = new Map<string, string[]>();
  for (const p of patches) byOrg.set(p.org, [...(byOrg.get(p.org) ?? []), p.id]);
  for (const [org, ids] of byOrg) {
    const rows = await client.query(actorsSql(t, [org], [...new Set(ids)]), BIG_QUERY);
    for (const r of rows)
      out.set(JSON.stringify([org, str(r, 'id')]), { actor: toActor(r), ver: num(r, 'ver') });
  }
  return out;
}

/**
 * Headcount of actors alive just before each instant. Each actor adds +1 at its
 * birth and -1 at its deletion (clamped to its birth); each change is filed
 * under the first instant after it (`arrayFirstIndex` over the sorted instants),
 * and a running sum in JS gives the counts. Cost O(actors + instants).
 */
export function headcountSql(t: ChTableNames, q: HeadcountQuery, sorted: number[]): string {
  const instants = `[${sorted.map((x) => `toInt64(${lit(x)})`).join(', ')}]`;
  return `SELECT arrayFirstIndex(x -> x > c.1, ${instants}) AS k, sum(c.2) AS d FROM (
    SELECT assumeNotNull(ifNull(created_at, first_seen)) AS b, deleted_at AS e
    FROM (${actorsSql(t, q.orgs, null)})
    WHERE kind IN (${quoteList(q.kinds)}) AND isNotNull(ifNull(created_at, first_seen))
  ) ARRAY JOIN if(isNull(e), [(b, toInt64(1))], [(b, toInt64(1)), (greatest(assumeNotNull(e), b), toInt64(-1))]) AS c
  GROUP BY k`;
}

export async function actorHeadcount(
  client: ChClient,
  t: ChTableNames,
  q: HeadcountQuery,
): Promise<number[]> {
  if (q.instants.length === 0 || q.orgs.length === 0 || q.kinds.length === 0) return q.instants.map(() => 0);
  const sorted = [...new Set(q.instants)].sort((x, y) => x - y);
  const rows = await client.query(headcountSql(t, q, sorted), BIG_QUERY);
  const delta = new Map(rows.map((r) => [num(r, 'k'), num(r, 'd')]));
  let running = 0;
  const at = new Map<number, number>();
  sorted.forEach((x, k) => at.set(x, (running += delta.get(k + 1) ?? 0)));
  return q.instants.map((x) => at.get(x)!);
}

/** The new row of each merged patch: its fields over the current actor's, at a version above it. */
export function actorRows(
  merged: ActorPatch[],
  current: Map<string, { actor: Actor; ver: number }>,
  stamp: number,
): Row[] {
  return merged.map((p) => {
    const cur = current.get(JSON.stringify([p.org, p.id]));
    const base = cur?.actor;
    const pick = <K extends keyof ActorPatch>(k: K, fallback: ActorPatch[K]): ActorPatch[K] =>
      p[k] !== undefined ? p[k] : fallback;
    return {
      org: p.org,
      id: p.id,
      kind: pick('kind', base?.kind ?? 'user'),
      created_at: pick('created_at', base?.created_at ?? null),
      deleted_at: pick('deleted_at', base?.deleted_at ?? null),
      first_name: pick('first_name', base?.first_name ?? null),
      last_name: pick('last_name', base?.last_name ?? null),
      props: JSON.stringify(pick('props', base?.props ?? {})),
      ver: Math.max(stamp, (cur?.ver ?? 0) + 1),
    };
  });
}
