/**
 * Deletions on ClickHouse (docs/lifecycle.md). ClickHouse 18.16 deletes rows
 * only through asynchronous mutations, so figures are made right at once
 * another way: every deleted event copy (org, id, ver) is first recorded in
 * `event_losers`, which every read already leaves out (it is how racing
 * duplicates are dropped; see ingest.ts), and which ingest ignores when it
 * looks for stored ids, so a deleted id is free again. A mutation then
 * removes the rows for good. Actors, first-seen times and orgs have no such
 * read-time filter; their mutations are small and waited for (bounded).
 * Retention (retention.ts) needs no immediacy: it only issues its mutation.
 *
 * No transactions here: the audit entry is written after the deletion, and a
 * failure in between leaves a deletion without its entry (the caller sees the
 * error and may retry: a retry deletes nothing more and writes the entry).
 */
import type { Role } from '../../core/model.js';
import type { AuditEntry, AuditInput, DeleteEventsResult, EventRef } from '../port.js';
import { NO_COUNTS, type AuditIds } from '../audit.js';
import { keyChanges } from '../erase.js';
import { actorsSql } from './actors.js';
import { writeAudit } from './audit.js';
import { type ChClient, type Row, SYNC_INSERT } from './client.js';
import { liveCopiesSql } from './event-ids.js';
import { BIG_QUERY, seenVersion } from './ingest.js';
import { chunks, type Mutations } from './mutations.js';
import { lit, quote, quoteList } from './quote.js';
import type { ChTableNames } from './schema.js';
import type { ShardRouter } from './shards.js';
import type { Stamper } from './stamp.js';
import { num, numOrNull, str, strArray } from '../sql/rows.js';

/** What the deletions (here and retention.ts) need from the store. */
export interface ChLife {
  client: ChClient;
  t: ChTableNames;
  m: Mutations;
  stamp: Stamper;
  clock: () => number;
  /** The store's audit entry ids. */
  auditIds: AuditIds;
  /** Longest wait for the small-table mutations (ms). */
  waitMs: number;
  /** Writes an org's rows to its shard (shards.ts). */
  router: ShardRouter;
}

const key = (org: unknown, id: unknown): string => JSON.stringify([String(org), String(id)]);

/** Event copies not recorded as lost or deleted; `orgs` narrows the subquery (null: all). */
export function live(t: ChTableNames, orgs: string[] | null): string {
  const where = orgs === null ? '' : ` WHERE org IN (${quoteList(orgs)})`;
  return `(org, id, ver) NOT IN (SELECT org, id, ver FROM ${t.losersLocal}${where})`;
}

/** The mutation that removes recorded copies for good (losers of races go with them: no read counts them). */
function lostSql(t: ChTableNames, orgList: string): string {
  return `org IN (${orgList}) AND (org, id, ver) IN (SELECT org, id, ver FROM ${t.losersLocal} WHERE org IN (${orgList}))`;
}

async function count(x: ChLife, sql: string): Promise<number> {
  return Number((await x.client.query(`SELECT count() AS n FROM (${sql})`, BIG_QUERY))[0]?.['n'] ?? 0);
}

/** Record these live copies as deleted (reads and ingest ignore them from now on), server side. */
async function tombstone(x: ChLife, where: string, orgs: string[] | null, now: number): Promise<void> {
  // On each shard from its own events into its own losers: an org's rows never leave its shard.
  await x.router.eachShard((client) =>
    client.command(
      `INSERT INTO ${x.t.losersLocal} (org, id, ver, noted)
     SELECT org, id, ver, toInt64(${lit(now)}) FROM ${x.t.eventsLocal} WHERE ${where} AND ${live(x.t, orgs)}`,
      { ...BIG_QUERY, ...SYNC_INSERT },
    ),
  );
}

/**
 * first_seen of these actors, recomputed from their remaining events: the old
 * rows go by mutation, and the new minimum is inserted after it was issued,
 * so the mutation never touches it. Reads see the old rows until it is done.
 */
async function resetSeen(x: ChLife, pairs: EventRef[]): Promise<void> {
  if (pairs.length === 0) return;
  for (const slice of chunks(pairs))
    await x.m.delete(
      'actor_seen',
      `(org, actor) IN (${slice.map((p) => `(${quote(p.org)}, ${quote(p.id)})`).join(', ')})`,
    );
  const wanted = new Set(pairs.map((p) => key(p.org, p.id)));
  const orgs = [...new Set(pairs.map((p) => p.org))];
  const rows = await x.client.query(
    `SELECT org, actor, min(ts) AS m FROM ${x.t.events}
     WHERE org IN (${quoteList(orgs)}) AND actor IN (${quoteList([...new Set(pairs.map((p) => p.id))])})
       AND ${live(x.t, orgs)}
     GROUP BY org, actor`,
    BIG_QUERY,
  );
  await x.router.insert(
    'actor_seen',
    rows
      .filter((r) => wanted.has(key(r['org'], r['actor'])))
      .map((r) => ({ org: r['org'], actor: r['actor'], ts: num(r, 'm'), ver: seenVersion(num(r, 'm')) })),
  );
  await x.m.settle(['actor_seen'], x.waitMs);
}

/** Correction: delete events by (org, id); their ids are free at once. */
export async function deleteEvents(
  x: ChLife,
  refs: EventRef[],
  audit: AuditInput,
): Promise<DeleteEventsResult> {
  const unique = [...new Map(refs.map((r) => [key(r.org, r.id), r])).values()];
  const now = x.clock();
  const found = new Map<string, Row>();
  for (const slice of chunks(unique, 5000)) {
    const orgs = [...new Set(slice.map((r) => r.org))];
    const wanted = new Set(slice.map((r) => key(r.org, r.id)));
    const rows = await x.client.query(
      liveCopiesSql(
        x.t,
        orgs,
        slice.map((r) => r.id),
        'org, id, ver, actor',
      ),
      BIG_QUERY,
    );
    for (const r of rows)
      if (wanted.has(key(r['org'], r['id']))) found.set(`${key(r['org'], r['id'])}${str(r, 'ver')}`, r);
  }
  const copies = [...found.values()];
  await x.router.insert(
    'event_losers',
    copies.map((r) => ({ org: r['org'], id: r['id'], ver: r['ver'], noted: now })),
  );
  const orgs = [...new Set(copies.map((r) => str(r, 'org')))];
  for (const slice of chunks(orgs))
    for (const table of ['events', 'event_ids']) await x.m.delete(table, lostSql(x.t, quoteList(slice)));
  const actors = new Map<string, EventRef>();
  for (const r of copies)
    if (r['actor'] !== null && r['actor'] !== undefined)
      actors.set(key(r['org'], r['actor']), { org: str(r, 'org'), id: r['actor'] as string });
  await resetSeen(x, [...actors.values()]);
  const gone = new Set(copies.map((r) => key(r['org'], r['id'])));
  const entry = await writeAudit(x, audit, now, { ...NO_COUNTS, events: gone.size });
  return { entry, missing: unique.filter((r) => !gone.has(key(r.org, r.id))) };
}

/** Erase an actor in each of `orgs`: its events (tombstoned at once, then mutated away) and its profile. */
export async function eraseActor(
  x: ChLife,
  orgs: string[],
  actor: string,
  audit: AuditInput,
): Promise<AuditEntry> {
  const now = x.clock();
  if (orgs.length === 0) return writeAudit(x, audit, now, NO_COUNTS);
  const where = `actor = ${quote(actor)} AND org IN (${quoteList(orgs)})`;
  const events = await count(x, `SELECT org, id FROM ${x.t.events} WHERE ${where} AND ${live(x.t, orgs)}`);
  if (events > 0) await tombstone(x, where, orgs, now);
  // The orgs where the actor has a profile or a first sighting: usually a few, even when `orgs` is every org.
  const present = (await x.client.query(`SELECT org FROM (${actorsSql(x.t, orgs, [actor])})`, BIG_QUERY)).map(
    (r) => str(r, 'org'),
  );
  // Whatever is recorded with this actor goes; no org list, so the ALTER text stays short. 18.16's
  // mutations delete rows whose condition is NULL, so a Nullable comparison must be made non-null.
  await x.m.delete(
    'events',
    `ifNull(actor = ${quote(actor)}, 0) AND (org, id, ver) IN (SELECT org, id, ver FROM ${x.t.losersLocal})`,
  );
  // Their locators (event-ids.ts) have no actor: those of every recorded copy go, racing losers' too
  // (no read counts a lost copy, so nothing needs to find it).
  if (events > 0)
    await x.m.delete('event_ids', `(org, id, ver) IN (SELECT org, id, ver FROM ${x.t.losersLocal})`);
  await x.m.deleteIn('actors', present, (l) => `id = ${quote(actor)} AND org IN (${l})`);
  await x.m.deleteIn('actor_seen', present, (l) => `actor = ${quote(actor)} AND org IN (${l})`);
  if (present.length > 0) await x.m.settle(['actors', 'actor_seen'], x.waitMs);
  const actors = present.length;
  return writeAudit(x, audit, now, { ...NO_COUNTS, events, actors });
}

/** Erase orgs (a subtree): events, actors, first-seen, sessions, retention, the orgs; keys narrowed or revoked. */
export async function eraseOrgs(x: ChLife, orgs: string[], audit: AuditInput): Promise<AuditEntry> {
  const now = x.clock();
  if (orgs.length === 0) return writeAudit(x, audit, now, NO_COUNTS);
  const list = quoteList(orgs);
  const events = await count(
    x,
    `SELECT org, id FROM ${x.t.events} WHERE org IN (${list}) AND ${live(x.t, orgs)}`,
  );
  if (events > 0) await tombstone(x, `org IN (${list})`, orgs, now);
  const actors = await count(x, actorsSql(x.t, orgs, null));
  const gone = await count(x, `SELECT id FROM ${x.t.orgs} FINAL WHERE id IN (${list})`);
  for (const [table, column] of [
    ['events', 'org'],
    ['event_ids', 'org'],
    ['actors', 'org'],
    ['actor_seen', 'org'],
    ['sessions', 'org'],
    ['orgs', 'id'],
  ] as const)
    await x.m.deleteIn(table, orgs, (l) => `${column} IN (${l})`);
  const settings = await x.client.query(
    `SELECT org FROM ${x.m.table('retention')} FINAL WHERE org IN (${list}) AND isNotNull(days)`,
    BIG_QUERY,
  );
  await x.client.insert(
    x.m.table('retention'),
    settings.map((r) => ({ org: r['org'], days: null, ver: x.stamp() })),
    SYNC_INSERT,
  );
  const keys = await narrowKeys(x, new Set(orgs), now);
  await x.m.settle(['actors', 'actor_seen', 'sessions', 'orgs'], x.waitMs);
  return writeAudit(x, audit, now, { events, actors, orgs: gone, keys });
}

/** New versions of the keys that covered erased orgs: revoked, or without those orgs. */
async function narrowKeys(x: ChLife, erased: Set<string>, now: number): Promise<number> {
  const rows = await x.client.query(`SELECT * FROM ${x.t.keys} FINAL`);
  const keys = rows.map((r) => ({
    row: r,
    id: str(r, 'id'),
    orgs: strArray(r, 'orgs'),
    revoked_at: numOrNull(r, 'revoked_at'),
    role: str(r, 'role') as Role,
  }));
  const { revoke, narrow } = keyChanges(keys, erased);
  const ver = (k: (typeof keys)[number]): number => Math.max(x.stamp(), num(k.row, 'ver') + 1);
  await x.client.insert(
    x.t.keys,
    [
      ...revoke.map((k) => ({ ...k.row, revoked_at: now, ver: ver(k) })),
      ...narrow.map(({ key: k, orgs }) => ({ ...k.row, orgs, ver: ver(k) })),
    ],
    SYNC_INSERT,
  );
  return revoke.length + narrow.length;
}
