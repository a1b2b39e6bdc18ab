/**
 * DuckDB tables, versioned. Each migration runs once, in order, inside a
 * transaction, and bumps `meta.schema_version`.
 *
 * events is deliberately index-free: DuckDB's ART indexes slow bulk appends
 * and must fit in memory. Dedupe on (org, id) is a fixed-size filter whose hits
 * are checked against the table at commit time (dedupe.ts, ingest.ts), and
 * compaction.ts keeps the table clustered by
 * (org_no, type, ts) so zone maps skip other orgs' row groups. Beside the
 * columns below, events holds one `dim_<n>` column per configured dims key
 * (dim-columns.ts), which every insert must fill: ingest.ts computes them.
 */
import { ALERT_TABLES } from './alerts.js';
import { CREATE_ROLLUP } from './rollup.js';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE orgs (
     id VARCHAR PRIMARY KEY,
     name VARCHAR,
     parent VARCHAR,
     domain VARCHAR,
     timezone VARCHAR NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE api_keys (
     id VARCHAR PRIMARY KEY,
     name VARCHAR NOT NULL,
     role VARCHAR NOT NULL,
     orgs VARCHAR[] NOT NULL,
     hash VARCHAR NOT NULL,
     created_at BIGINT NOT NULL,
     revoked_at BIGINT
   );
   CREATE TABLE actors (
     org VARCHAR NOT NULL,
     id VARCHAR NOT NULL,
     kind VARCHAR NOT NULL,
     created_at BIGINT,
     deleted_at BIGINT,
     first_name VARCHAR,
     last_name VARCHAR,
     props VARCHAR NOT NULL DEFAULT '{}',
     first_seen BIGINT,
     PRIMARY KEY (org, id)
   );
   CREATE TABLE events (
     org VARCHAR NOT NULL,
     type VARCHAR NOT NULL,
     ts BIGINT NOT NULL,
     id VARCHAR NOT NULL,
     actor VARCHAR,
     value DOUBLE NOT NULL,
     dims MAP(VARCHAR, VARCHAR) NOT NULL,
     received BIGINT NOT NULL
   );`,
  `CREATE TABLE sessions (
     hash VARCHAR PRIMARY KEY,
     key_id VARCHAR NOT NULL,
     org VARCHAR NOT NULL,
     created_at BIGINT NOT NULL,
     last_used BIGINT NOT NULL
   );`,
  // Retention and audit (retention.ts, audit.ts): per-org retention (days; 0 = forever) and the deletion audit log.
  `CREATE TABLE retention (
     org VARCHAR PRIMARY KEY,
     days INTEGER NOT NULL
   );
   CREATE TABLE audit_log (
     id VARCHAR PRIMARY KEY,
     done_at BIGINT NOT NULL,
     key_id VARCHAR,
     op VARCHAR NOT NULL,
     params VARCHAR NOT NULL,
     scope VARCHAR NOT NULL,
     events BIGINT NOT NULL,
     actors BIGINT NOT NULL,
     orgs BIGINT NOT NULL,
     keys BIGINT NOT NULL
   );`,
  // Compaction (compaction.ts): sorted runs per period of ts; the watermark is meta.compacted_through.
  `CREATE TABLE compaction (
     period BIGINT PRIMARY KEY,
     runs INTEGER NOT NULL
   );`,
  // Org numbers: events are clustered by (org_no, type, ts) and scans filter on org_no too. DuckDB
  // keeps 8-byte prefixes as a VARCHAR column's zone map and compares them by the constant's
  // length, so org = '1' could not skip row groups of orgs '10'..'199'; integers have no prefixes.
  `ALTER TABLE orgs ADD COLUMN no INTEGER;
   UPDATE orgs SET no = r.n FROM (SELECT id, CAST(row_number() OVER (ORDER BY created_at, id) AS INTEGER) AS n FROM orgs) r
     WHERE orgs.id = r.id;
   ALTER TABLE events ADD COLUMN org_no INTEGER;
   UPDATE events SET org_no = o.no FROM orgs o WHERE o.id = events.org;`,
  // Its own transaction: DuckDB refuses the constraints while the UPDATEs above are outstanding.
  // Every insert into orgs and events must now give the org number.
  `ALTER TABLE orgs ALTER COLUMN no SET NOT NULL;
   ALTER TABLE events ALTER COLUMN org_no SET NOT NULL;`,
  // Keys for customers (docs/keys.md): an expiry (epoch ms) and the event types a key may read;
  // NULL for both on the keys written before, which keep working as they did.
  `ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
   ALTER TABLE api_keys ADD COLUMN types VARCHAR[];`,
  // Usage alerts and their deliveries (alerts.ts, docs/alerts.md).
  ALERT_TABLES,
  // The actor rollup (rollup.ts), built from the events the compaction watermark covers.
  CREATE_ROLLUP,
];

/** The next org number (param-free; run on the write lane, so no two writers race for it). */
export const NEXT_ORG_NO = '(SELECT coalesce(max(no), 0) FROM orgs)';

/**
 * Create, as root orgs in UTC with the next org numbers, the orgs named in a
 * staging table that do not exist yet; RETURNING lists the new ids. `table` is
 * one of this module's fixed staging tables, never request text. Param 1:
 * created_at (epoch ms).
 */
export function insertMissingOrgsSql(table: 'staging' | 'actor_staging'): string {
  return `INSERT INTO orgs (id, name, parent, domain, timezone, created_at, no)
    SELECT org, NULL, NULL, NULL, 'UTC', CAST(? AS BIGINT),
      CAST(${NEXT_ORG_NO} + row_number() OVER (ORDER BY org) AS INTEGER)
    FROM (SELECT DISTINCT org FROM ${table} WHERE org NOT IN (SELECT id FROM orgs))
    ON CONFLICT DO NOTHING RETURNING id`;
}
