/**
 * Group commit for DuckDB. Concurrent `submit` calls queue up; one flush takes
 * every waiting batch, appends them to a temp staging table through the
 * Appender (the fast bulk path), then in ONE transaction dedupes on (org, id)
 * against the batch itself and the stored events, inserts what is new, and
 * records first-seen actors and unknown orgs. Every caller is answered only
 * after COMMIT, which DuckDB makes durable (the WAL is synced on commit).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventRecord, IngestResult } from '../../core/model.js';
import { StoreError } from '../../core/errors.js';
import { all, run, type SerialLane } from './db.js';
import { insertMissingOrgsSql } from './schema.js';

interface Pending {
  events: EventRecord[];
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/** Upper bound of events in one flush; larger backlogs take several commits. */
const MAX_EVENTS_PER_COMMIT = 200_000;

const STAGING_DDL = `CREATE TEMP TABLE IF NOT EXISTS staging (
  batch INTEGER, seq INTEGER, org VARCHAR, type VARCHAR, ts BIGINT, id VARCHAR,
  actor VARCHAR, value DOUBLE, dims VARCHAR, received BIGINT)`;

/** Statements of one commit, in order. Pure strings: every value comes from the staging table. */
export const COMMIT_SQL = {
  newOrgs: insertMissingOrgsSql('staging'),
  fresh: `CREATE OR REPLACE TEMP TABLE fresh AS
    SELECT s.* FROM (SELECT * FROM staging QUALIFY row_number() OVER (PARTITION BY org, id ORDER BY seq) = 1) s
    ANTI JOIN events e ON e.org = s.org AND e.id = s.id`,
  insertEvents: `INSERT INTO events
    SELECT org, type, ts, id, actor, value, CAST(dims::JSON AS MAP(VARCHAR, VARCHAR)), received
    FROM fresh ORDER BY org, type, ts`,
  actorsSeen: `INSERT INTO actors (org, id, kind, props, first_seen)
    SELECT org, actor, 'user', '{}', min(ts) FROM fresh WHERE actor IS NOT NULL GROUP BY org, actor
    ON CONFLICT (org, id) DO UPDATE
    SET first_seen = LEAST(COALESCE(actors.first_seen, excluded.first_seen), excluded.first_seen)`,
  perBatch: `SELECT batch, count(*) AS n FROM fresh GROUP BY batch`,
} as const;

export class GroupCommitter {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Commits made so far; with group commit this grows slower than the number of submits. */
  commits = 0;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly lane: SerialLane,
    private readonly clock: () => number,
    private readonly onNewOrgs: (ids: string[]) => void,
  ) {}

  /** Queue a batch; resolves after the commit that holds it. */
  submit(events: EventRecord[]): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.lane.run(async () => {
      this.scheduled = false;
      const take = this.takeGroup();
      if (this.pending.length > 0) this.schedule();
      await this.flush(take);
    });
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let n = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (group.length > 0 && n + next.events.length > MAX_EVENTS_PER_COMMIT) break;
      group.push(this.pending.shift()!);
      n += next.events.length;
    }
    return group;
  }

  private async flush(group: Pending[]): Promise<void> {
    try {
      const counts = await this.commit(group);
      group.forEach((p, i) => {
        const accepted = counts.get(i) ?? 0;
        p.resolve({ accepted, duplicates: p.events.length - accepted });
      });
    } catch (err) {
      const wrapped =
        err instanceof StoreError ? err : new StoreError('The store could not commit events.', err);
      for (const p of group) p.reject(wrapped);
    }
  }

  private async commit(group: Pending[]): Promise<Map<number, number>> {
    const now = this.clock();
    await run(this.conn, STAGING_DDL);
    await run(this.conn, 'DELETE FROM staging');
    await this.stage(group, now);
    await run(this.conn, 'BEGIN TRANSACTION');
    try {
      const created = await all(this.conn, COMMIT_SQL.newOrgs, [now]);
      await run(this.conn, COMMIT_SQL.fresh);
      await run(this.conn, COMMIT_SQL.insertEvents);
      await run(this.conn, COMMIT_SQL.actorsSeen);
      const rows = await all(this.conn, COMMIT_SQL.perBatch);
      await run(this.conn, 'COMMIT');
      this.commits++;
      if (created.length > 0) this.onNewOrgs(created.map((r) => String(r.id)));
      return new Map(rows.map((r) => [Number(r.batch), Number(r.n)]));
    } catch (err) {
      await run(this.conn, 'ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async stage(group: Pending[], now: number): Promise<void> {
    try {
      const app = await this.conn.createAppender('staging', 'main', 'temp');
      let seq = 0;
      group.forEach((p, batch) => {
        for (const e of p.events) {
          app.appendInteger(batch);
          app.appendInteger(seq++);
          app.appendVarchar(e.org);
          app.appendVarchar(e.type);
          app.appendBigInt(BigInt(e.ts));
          app.appendVarchar(e.id);
          if (e.actor === null) app.appendNull();
          else app.appendVarchar(e.actor);
          app.appendDouble(e.value);
          app.appendVarchar(JSON.stringify(e.dims));
          app.appendBigInt(BigInt(now));
          app.endRow();
        }
      });
      app.flushSync();
      app.closeSync();
    } catch (err) {
      throw new StoreError('The store could not stage events.', err);
    }
  }
}
