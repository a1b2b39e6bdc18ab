/**
 * The DuckDB commit of a group of batches (queued by ../group-commit.ts), as
 * ONE transaction:
 * 1. duplicates inside the group are dropped in JS (the first occurrence wins);
 * 2. the rest go to a temp staging table through the Appender (the fast bulk path);
 * 3. their fingerprints are checked against the dedupe filter (dedupe.ts): a miss
 *    proves an event new; the hits (retries, and the filter's false positives)
 *    are checked exactly against `events`, reading only their orgs' rows;
 * 4. new events, first-seen actors and unknown orgs are written, then COMMIT,
 *    which DuckDB makes durable (the WAL is synced on commit).
 * Each commit stamps its rows' `received` strictly above the last commit's, so
 * compaction (compaction.ts) can tell the rows it has not sorted yet.
 * Every caller is answered only after that COMMIT.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventRecord } from '../../core/model.js';
import { StoreError } from '../../core/errors.js';
import { all, run } from './db.js';
import { appendEventColumns } from './append-event.js';
import { firstOccurrences, type CommitResult } from '../group-commit.js';
import { maxReceived } from './compaction.js';
import { FINGERPRINT_SQL } from './dedupe-filter.js';
import type { Dedupe } from './dedupe.js';
import { insertMissingOrgsSql } from './schema.js';
import { num, str } from '../sql/rows.js';
import type { DimColumns } from './dim-columns.js';

/** Upper bound of events in one commit; larger backlogs take several commits. */
export const MAX_EVENTS_PER_COMMIT = 200_000;

/**
 * Fresh staging tables for each commit. Dropped and created, never emptied with DELETE: DuckDB
 * does not reclaim rows deleted from a temp table, so a DELETE-emptied staging table kept every
 * event ever ingested in memory (the soak's RSS grew ~25 MiB a minute on retries alone).
 */
const STAGING_DDL = `DROP TABLE IF EXISTS temp.staging; DROP TABLE IF EXISTS temp.actor_seen;
  CREATE TEMP TABLE staging (
  seq INTEGER, org VARCHAR, type VARCHAR, ts BIGINT, id VARCHAR,
  actor VARCHAR, value DOUBLE, dims VARCHAR, received BIGINT);
  CREATE TEMP TABLE actor_seen (org VARCHAR, id VARCHAR, ts BIGINT, is_new BOOLEAN)`;

/** Statements of one commit. Pure strings: values come from the staging table or bound lists. */
export const COMMIT_SQL = {
  fingerprints: `SELECT ${FINGERPRINT_SQL} FROM staging ORDER BY seq`,
  /**
   * Which of the suspect staging rows ($1: seq list) are stored already. Joined through the
   * suspects' org numbers, so DuckDB pushes them into the events scan as a dynamic filter and the
   * zone maps of the (org_no, type, ts) layout skip other orgs' row groups: the check reads the
   * suspects' orgs' rows, not the table (docs/benchmarks.md has the cost at the largest org).
   */
  stored: `SELECT s.seq FROM staging s SEMI JOIN (
      SELECT e.org, e.id FROM events e JOIN (
        SELECT DISTINCT o.no FROM staging s JOIN orgs o ON o.id = s.org
        WHERE list_contains(CAST($1 AS INTEGER[]), s.seq)) n ON e.org_no = n.no
    ) e ON e.org = s.org AND e.id = s.id
    WHERE list_contains(CAST($1 AS INTEGER[]), s.seq)`,
  newOrgs: insertMissingOrgsSql('staging'),
  /** Actors staged by `stageActors`: new ones are inserted, known ones get an earlier first_seen. */
  newActors: `INSERT INTO actors (org, id, kind, props, first_seen)
    SELECT org, id, 'user', '{}', ts FROM actor_seen WHERE is_new`,
  earlierActors: `UPDATE actors SET first_seen = s.ts FROM actor_seen s
    WHERE NOT s.is_new AND actors.org = s.org AND actors.id = s.id`,
} as const;

/**
 * The INSERT of a commit's new events. $1: seq list of rows that are duplicates of stored events;
 * $2..: the keys of `dimCols`, whose columns take the key's value from the cast map (dim-columns.ts).
 * Measured per event with the twelve default keys (scratch, 100k events, in-process): the lookups
 * cost almost nothing, writing the twelve columns ~1.8 us; staging the values from JS through the
 * appender instead cost 4 us more. The org number is looked up, not joined: an org missing from
 * `orgs` gives NULL, which events.org_no refuses, so the commit fails (and nothing is
 * acknowledged) instead of dropping the event.
 */
export function insertEventsSql(dimCols: DimColumns): string {
  const cols = [...dimCols.values()];
  return `INSERT INTO events (org, type, ts, id, actor, value, dims, received, org_no${cols.map((c) => `, ${c}`).join('')})
    SELECT org, type, ts, id, actor, value, m, received, org_no${cols.map((_, k) => `, m[$${k + 2}]`).join('')}
    FROM (SELECT org, type, ts, id, actor, value, CAST(dims::JSON AS MAP(VARCHAR, VARCHAR)) AS m, received,
        (SELECT o.no FROM orgs o WHERE o.id = s.org) AS org_no, seq
      FROM staging s)
    WHERE NOT list_contains(CAST($1 AS INTEGER[]), seq) ORDER BY org_no, type, ts`;
}

/** A list of integers as the text DuckDB casts to INTEGER[] (an empty JS list cannot carry a type). */
function intList(xs: number[]): string {
  return `[${xs.join(',')}]`;
}

/**
 * The DuckDB half of group commit: one group of batches -> one transaction.
 * It owns the ingest state (the dedupe filter, first-seen actors, known orgs,
 * the last `received`); the store tells it about changes made outside ingest, and
 * reads what each commit did from its result.
 */
export class DuckDbCommitter {
  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly clock: () => number,
    /** The greatest `received` stored: the next commit stamps above it. */
    private lastReceived: number,
    readonly dedupe: Dedupe,
    /** First-seen time of every actor in the store, keyed `org NUL id`; see loadFirstSeen. */
    private readonly firstSeen: Map<string, number>,
    /** Org ids known to exist (never a false positive: the store reports erasures); a commit creates the others. */
    private readonly knownOrgs: Set<string>,
    /** The statement inserting new events, and its key parameters (insertEventsSql). */
    private readonly insert: { sql: string; keys: string[] },
  ) {}

  /**
   * The committer of what `conn`'s database holds: its ingest state loaded from the tables (at
   * start). Stamps continue above the filter's mark too: were the newest events deleted, a stamp
   * at or below the mark would be one a saved filter claims to hold without holding it.
   */
  static async load(
    conn: DuckDBConnection,
    clock: () => number,
    dedupe: Dedupe,
    dimCols: DimColumns,
  ): Promise<DuckDbCommitter> {
    const orgs = new Set((await all(conn, 'SELECT id FROM orgs')).map((r) => str(r, 'id')));
    const firstSeen = await loadFirstSeen(conn);
    const last = Math.max(await maxReceived(conn), dedupe.mark);
    const insert = { sql: insertEventsSql(dimCols), keys: [...dimCols.keys()] };
    return new DuckDbCommitter(conn, clock, last, dedupe, firstSeen, orgs, insert);
  }

  /** The greatest `received` committed (read on the write lane: the dedupe filter's save mark). */
  get lastStamp(): number {
    return this.lastReceived;
  }

  /** Record orgs created outside ingestion (PUT /v1/orgs, the actors API). */
  noteOrgs(ids: string[]): void {
    for (const id of ids) this.knownOrgs.add(id);
  }

  /** Record actors created outside ingestion (the actors API): known, but never seen in an event. */
  noteActors(keys: { org: string; id: string }[]): void {
    for (const k of keys) {
      const key = `${k.org}\u0000${k.id}`;
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, Infinity);
    }
  }

  /**
   * After a deletion (erase.ts): actors whose first_seen is now `firstSeen`
   * (null: no events left), or who are gone (undefined).
   */
  resetActors(seen: { org: string; id: string; firstSeen: number | null | undefined }[]): void {
    for (const s of seen) {
      const key = `${s.org}\u0000${s.id}`;
      if (s.firstSeen === undefined) this.firstSeen.delete(key);
      else this.firstSeen.set(key, s.firstSeen ?? Infinity);
    }
  }

  /** After an org erasure: forget the orgs and their actors, so new events create them again. */
  forgetOrgs(orgs: string[]): void {
    const prefixes = orgs.map((o) => `${o}\u0000`);
    for (const key of this.firstSeen.keys())
      if (prefixes.some((p) => key.startsWith(p))) this.firstSeen.delete(key);
    for (const o of orgs) this.knownOrgs.delete(o);
  }

  /** Commit a group of batches in one transaction; returns how many events of each batch were new, and the orgs created. */
  async commit(group: EventRecord[][]): Promise<CommitResult> {
    const now = this.clock();
    const received = Math.max(now, this.lastReceived + 1);
    // 1. Drop duplicates within the group: the first occurrence stands.
    const unique = firstOccurrences(group);
    // 2-3. Stage, then find which staged rows are stored already.
    await run(this.conn, STAGING_DDL);
    await this.stage(
      unique.map((u) => u.event),
      received,
    );
    const prints = await this.readFingerprints();
    const suspects = prints.flatMap(([hi, lo], seq) => (this.dedupe.isSuspect(hi, lo) ? [seq] : []));
    const stored =
      suspects.length === 0
        ? []
        : (await all(this.conn, COMMIT_SQL.stored, [intList(suspects)])).map((r) => num(r, 'seq'));
    const storedSet = new Set(stored);
    const dupList = intList(stored);
    const newOrgs = [...new Set(unique.map((u) => u.event.org))].filter((o) => !this.knownOrgs.has(o));
    const actorChanges = this.actorChanges(
      unique.filter((_, seq) => !storedSet.has(seq)).map((u) => u.event),
    );
    if (actorChanges.size > 0) await this.stageActors(actorChanges);
    // 4. One transaction for everything.
    await run(this.conn, 'BEGIN TRANSACTION');
    let created: string[] = [];
    try {
      if (newOrgs.length > 0)
        created = (await all(this.conn, COMMIT_SQL.newOrgs, [now])).map((r) => str(r, 'id'));
      await run(this.conn, this.insert.sql, [dupList, ...this.insert.keys]);
      if ([...actorChanges.values()].some((c) => c.isNew)) await run(this.conn, COMMIT_SQL.newActors);
      if ([...actorChanges.values()].some((c) => !c.isNew)) await run(this.conn, COMMIT_SQL.earlierActors);
      await run(this.conn, 'COMMIT');
    } catch (err) {
      await run(this.conn, 'ROLLBACK').catch(() => undefined);
      throw err;
    }
    this.lastReceived = received;
    this.dedupe.noteStored(prints.filter((_, seq) => !storedSet.has(seq)));
    for (const o of newOrgs) this.knownOrgs.add(o);
    for (const [key, c] of actorChanges) this.firstSeen.set(key, c.ts);
    const accepted = group.map(() => 0);
    unique.forEach((u, seq) => {
      if (!storedSet.has(seq)) accepted[u.batch]!++;
    });
    return { accepted, stored: unique.length - stored.length, newOrgs: created };
  }

  /** Actors these events introduce, or move to an earlier first_seen; keyed like `firstSeen`. */
  private actorChanges(
    events: EventRecord[],
  ): Map<string, { org: string; id: string; ts: number; isNew: boolean }> {
    const out = new Map<string, { org: string; id: string; ts: number; isNew: boolean }>();
    for (const e of events) {
      if (e.actor === null) continue;
      const key = `${e.org}\u0000${e.actor}`;
      const known = this.firstSeen.get(key);
      const pending = out.get(key);
      const best = Math.min(e.ts, pending?.ts ?? Infinity);
      if (known === undefined) out.set(key, { org: e.org, id: e.actor, ts: best, isNew: true });
      else if (best < known) out.set(key, { org: e.org, id: e.actor, ts: best, isNew: false });
    }
    return out;
  }

  private async stageActors(
    changes: Map<string, { org: string; id: string; ts: number; isNew: boolean }>,
  ): Promise<void> {
    try {
      const app = await this.conn.createAppender('actor_seen', 'main', 'temp');
      for (const c of changes.values()) {
        app.appendVarchar(c.org);
        app.appendVarchar(c.id);
        app.appendBigInt(BigInt(c.ts));
        app.appendBoolean(c.isNew);
        app.endRow();
      }
      app.flushSync();
      app.closeSync();
    } catch (err) {
      throw new StoreError('The store could not stage actors.', err);
    }
  }

  private async readFingerprints(): Promise<[number, number][]> {
    const reader = await this.conn.runAndReadAll(COMMIT_SQL.fingerprints).catch((err: unknown) => {
      throw new StoreError('The store could not read fingerprints.', err);
    });
    const [his, los] = reader.getColumnsJS() as [number[], number[]];
    return his.map((hi, i) => [hi, los[i]!]);
  }

  private async stage(events: EventRecord[], received: number): Promise<void> {
    try {
      const app = await this.conn.createAppender('staging', 'main', 'temp');
      events.forEach((e, seq) => {
        app.appendInteger(seq);
        appendEventColumns(app, e);
        app.appendBigInt(BigInt(received));
        app.endRow();
      });
      app.flushSync();
      app.closeSync();
    } catch (err) {
      throw new StoreError('The store could not stage events.', err);
    }
  }
}

/**
 * First-seen times of every actor, keyed `org NUL id`. An actor row with a null
 * first_seen (created through the actors API, never in an event) maps to
 * +Infinity, so its first event sets first_seen with an UPDATE.
 */
export async function loadFirstSeen(conn: DuckDBConnection): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const res = await conn.stream('SELECT org, id, first_seen FROM actors');
    for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
      const [orgs, ids, seen] = [0, 1, 2].map((k) => chunk.getColumnValues(k)) as [
        string[],
        string[],
        (bigint | null)[],
      ];
      orgs.forEach((org, i) =>
        out.set(`${org}\u0000${ids[i]!}`, seen[i] === null ? Infinity : Number(seen[i])),
      );
    }
    return out;
  } catch (err) {
    throw new StoreError('The store could not load actors.', err);
  }
}
