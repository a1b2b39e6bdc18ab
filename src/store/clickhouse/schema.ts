/**
 * ClickHouse tables, versioned. Migration k runs once per database, in order;
 * `schema_migrations` records it. Every statement is idempotent (IF NOT EXISTS),
 * because several Tally processes may start at once against one database.
 *
 * Single server: each table is physical. Cluster (`TALLY_CLICKHOUSE_CLUSTER`):
 * each table `x` is `x_local` on every shard (created ON CLUSTER) plus a
 * Distributed `x` over them. Everything of one org (events, locators, losers,
 * actors, first-seen) lives on one shard: the one `org_shards` names, which
 * Tally writes to directly (shards.ts); the `shard` expressions below place
 * only the small tables' rows, and the orgs written before the map existed.
 *
 * events: ReplacingMergeTree(ver) partitioned by month, ordered (org, type, ts, id)
 * for per-org time scans. `ver` is larger for the earlier stored copy, so a merge
 * of identical keys keeps the first stored. Dedupe on (org, id) does not rely on
 * merges: the rare duplicates that land (two processes racing on one id) are
 * recorded in `event_losers` and every read leaves them out (see ingest.ts).
 *
 * event_ids (migration 3): where each stored copy is, ordered (org, id), so that
 * ingest's dedupe lookups read a few granules whatever the org's size (events'
 * own key narrows `id IN` only to the org). See event-ids.ts.
 */
import { ALERT_TABLE_DEFS } from './alerts.js';
import { ident, quote } from './quote.js';

export interface ChLayout {
  database: string;
  cluster: string | null;
  /**
   * TALLY_CLICKHOUSE_REPLICATED: on a cluster, the local tables are Replicated*MergeTree,
   * at /clickhouse/tables/{shard}/<database>/<table> with replica {replica} (the nodes' macros).
   */
  replicated?: boolean;
}

interface TableDef {
  name: string;
  columns: string;
  engine: string;
  /** Sharding expression of the Distributed table on a cluster. */
  shard: string;
}

const TABLES_V1: TableDef[] = [
  {
    name: 'events',
    columns: `org String, type String, ts Int64, id String, actor Nullable(String), value Float64,
      dim_keys Array(String), dim_values Array(String), received Int64, ver UInt64`,
    engine:
      'ReplacingMergeTree(ver) PARTITION BY toYYYYMM(toDateTime(intDiv(ts, 1000))) ORDER BY (org, type, ts, id)',
    shard: 'cityHash64(org)',
  },
  {
    name: 'event_losers',
    columns: 'org String, id String, ver UInt64, noted Int64',
    engine: 'ReplacingMergeTree ORDER BY (org, id, ver)',
    shard: 'cityHash64(org)',
  },
  {
    name: 'orgs',
    columns: `id String, name Nullable(String), parent Nullable(String), domain Nullable(String),
      timezone String, created_at Int64, ver UInt64`,
    engine: 'ReplacingMergeTree(ver) ORDER BY id',
    shard: 'cityHash64(id)',
  },
  {
    name: 'api_keys',
    columns: `id String, name String, role String, orgs Array(String), hash String, created_at Int64,
      revoked_at Nullable(Int64), ver UInt64`,
    engine: 'ReplacingMergeTree(ver) ORDER BY id',
    shard: 'cityHash64(id)',
  },
  {
    name: 'actors',
    columns: `org String, id String, kind String, created_at Nullable(Int64), deleted_at Nullable(Int64),
      first_name Nullable(String), last_name Nullable(String), props String, ver UInt64`,
    engine: 'ReplacingMergeTree(ver) ORDER BY (org, id)',
    shard: 'cityHash64(org)',
  },
  {
    // The earliest event per actor; ver = 2^52 - ts keeps the minimum on merge, reads take min(ts).
    name: 'actor_seen',
    columns: 'org String, actor String, ts Int64, ver UInt64',
    engine: 'ReplacingMergeTree(ver) ORDER BY (org, actor)',
    shard: 'cityHash64(org)',
  },
  {
    name: 'sessions',
    columns: 'hash String, key_id String, org String, created_at Int64, last_used UInt64',
    engine: 'ReplacingMergeTree(last_used) ORDER BY hash',
    shard: 'cityHash64(hash)',
  },
];

/** Retention and audit (retention.ts, audit.ts): retention settings (versioned; null days = inherit) and the audit log. */
const TABLES_V2: TableDef[] = [
  {
    name: 'retention',
    columns: 'org String, days Nullable(Int32), ver UInt64',
    engine: 'ReplacingMergeTree(ver) ORDER BY org',
    shard: 'cityHash64(org)',
  },
  {
    name: 'audit_log',
    columns: `id String, done_at Int64, key_id Nullable(String), op String, params String, scope String,
      events UInt64, actors UInt64, orgs UInt64, keys UInt64`,
    engine: 'MergeTree ORDER BY id',
    shard: 'cityHash64(id)',
  },
];

/** Dedupe locators (event-ids.ts): one row per stored copy, written before the copy. */
const EVENT_IDS: TableDef = {
  name: 'event_ids',
  columns: 'org String, id String, type String, ts Int64, ver UInt64',
  engine: 'ReplacingMergeTree ORDER BY (org, id, ver)',
  shard: 'cityHash64(org)',
};

/**
 * Org -> shard (shards.ts): the first row of an org (least `placed`) is its shard.
 * Plain MergeTree: collapsing rows could keep a later `placed` and change the answer.
 */
const ORG_SHARDS: TableDef = {
  name: 'org_shards',
  columns: 'org String, shard UInt32, placed Int64',
  engine: 'MergeTree ORDER BY (org, placed)',
  shard: 'cityHash64(org)',
};

const MIGRATIONS_TABLE: TableDef = {
  name: 'schema_migrations',
  columns: 'version UInt32, applied_at Int64',
  engine: 'ReplacingMergeTree ORDER BY version',
  shard: 'version',
};

/** Table names as statements use them. */
export interface ChTableNames {
  events: string;
  eventsLocal: string;
  losers: string;
  losersLocal: string;
  eventIds: string;
  eventIdsLocal: string;
  orgs: string;
  keys: string;
  actors: string;
  actorSeen: string;
  sessions: string;
  migrations: string;
}

export function tableNames(layout: ChLayout): ChTableNames {
  const db = ident(layout.database);
  const local = (n: string): string => `${db}.${n}${layout.cluster ? '_local' : ''}`;
  return {
    events: `${db}.events`,
    eventsLocal: local('events'),
    losers: `${db}.event_losers`,
    losersLocal: local('event_losers'),
    eventIds: `${db}.event_ids`,
    eventIdsLocal: local('event_ids'),
    orgs: `${db}.orgs`,
    keys: `${db}.api_keys`,
    actors: `${db}.actors`,
    actorSeen: `${db}.actor_seen`,
    sessions: `${db}.sessions`,
    migrations: `${db}.schema_migrations`,
  };
}

/**
 * The replicated form of a *MergeTree engine: its ZooKeeper path and replica name first,
 * then its own arguments.
 *
 * @example
 * replicatedEngine('ReplacingMergeTree(ver) ORDER BY id', '/clickhouse/tables/{shard}/tally/orgs_local')
 * // "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/tally/orgs_local', '{replica}', ver) ORDER BY id"
 */
export function replicatedEngine(engine: string, path: string): string {
  const m = /^(\w*MergeTree)(?:\(([^)]*)\))?(.*)$/s.exec(engine);
  if (!m) throw new Error(`not a MergeTree engine: ${engine}`);
  const args = [quote(path), quote('{replica}'), ...(m[2] ? [m[2]] : [])];
  return `Replicated${m[1]}(${args.join(', ')})${m[3]}`;
}

function createTable(layout: ChLayout, t: TableDef): string[] {
  const db = ident(layout.database);
  if (!layout.cluster)
    return [`CREATE TABLE IF NOT EXISTS ${db}.${t.name} (${t.columns}) ENGINE = ${t.engine}`];
  const c = ident(layout.cluster, 'TALLY_CLICKHOUSE_CLUSTER');
  const engine = layout.replicated
    ? replicatedEngine(t.engine, `/clickhouse/tables/{shard}/${db}/${t.name}_local`)
    : t.engine;
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name}_local ON CLUSTER ${c} (${t.columns}) ENGINE = ${engine}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name} ON CLUSTER ${c} AS ${db}.${t.name}_local
      ENGINE = Distributed(${c}, ${db}, ${t.name}_local, ${t.shard})`,
  ];
}

/** The database and the migrations table: run before reading the schema version. */
export function bootstrapSql(layout: ChLayout): string[] {
  const db = ident(layout.database);
  const onCluster = layout.cluster ? ` ON CLUSTER ${ident(layout.cluster, 'TALLY_CLICKHOUSE_CLUSTER')}` : '';
  return [`CREATE DATABASE IF NOT EXISTS ${db}${onCluster}`, ...createTable(layout, MIGRATIONS_TABLE)];
}

/**
 * A column a migration adds to a table. ClickHouse 18 has no ADD COLUMN IF NOT EXISTS, so
 * the runner (migrate.ts) adds it only where `system.columns` does not list it yet: two
 * processes starting at once both get through. `type` is a fixed ClickHouse type from code.
 */
export interface AddColumn {
  table: string;
  column: string;
  type: string;
}

/** A step of a migration: an idempotent statement, or a column to add. */
export type MigrationStep = string | AddColumn;

/**
 * Where a column goes, and the statement adding it there: the table itself on one server; on a
 * cluster the shards' local tables and the Distributed table over them (ON CLUSTER, both).
 */
export function addColumnSql(layout: ChLayout, c: AddColumn): { table: string; sql: string[] }[] {
  const db = ident(layout.database);
  const col = `${ident(c.column)} ${c.type}`;
  if (!layout.cluster)
    return [{ table: c.table, sql: [`ALTER TABLE ${db}.${ident(c.table)} ADD COLUMN ${col}`] }];
  const on = `ON CLUSTER ${ident(layout.cluster, 'TALLY_CLICKHOUSE_CLUSTER')}`;
  const alter = (t: string): string => `ALTER TABLE ${db}.${ident(t)} ${on} ADD COLUMN ${col}`;
  const def = TABLE_DEFS().find((t) => t.name === c.table);
  // 18.16 refuses an ALTER ON CLUSTER of a table that is not replicated (the Distributed one) when
  // the shards are: there the Distributed table is made again over the altered local one.
  const distributed =
    layout.replicated && def
      ? [`DROP TABLE IF EXISTS ${db}.${ident(c.table)} ${on}`, createTable(layout, def)[1]!]
      : [alter(c.table)];
  return [
    { table: `${c.table}_local`, sql: [alter(`${c.table}_local`)] },
    { table: c.table, sql: distributed },
  ];
}

/** Every table, by its definition (a function: ALERT_TABLE_DEFS comes from another module). */
const TABLE_DEFS = (): TableDef[] => [...TABLES_V1, ...TABLES_V2, EVENT_IDS, ...ALERT_TABLE_DEFS, ORG_SHARDS];

/** Migration k (1-based, index k-1): its steps, in order. */
export const MIGRATIONS: readonly ((layout: ChLayout) => MigrationStep[])[] = [
  (layout) => TABLES_V1.flatMap((t) => createTable(layout, t)),
  (layout) => TABLES_V2.flatMap((t) => createTable(layout, t)),
  // Locators for the events already stored. Run twice (two processes starting
  // at once), the copies' rows are identical and merge away; an extra row is
  // harmless anyway, since a locator is only followed to events.
  (layout) => {
    const db = ident(layout.database);
    return [
      ...createTable(layout, EVENT_IDS),
      `INSERT INTO ${db}.event_ids (org, id, type, ts, ver) SELECT org, id, type, ts, ver FROM ${db}.events`,
    ];
  },
  // Keys for customers (docs/keys.md): an expiry, and the event types a key may read ([]: every
  // type, as ClickHouse has no Nullable(Array)). Rows written before read as NULL and [].
  () => [
    { table: 'api_keys', column: 'expires_at', type: 'Nullable(Int64)' },
    { table: 'api_keys', column: 'types', type: 'Array(String)' },
  ],
  // Usage alerts and their deliveries (alerts.ts, docs/alerts.md).
  (layout) => ALERT_TABLE_DEFS.flatMap((t) => createTable(layout, t)),
  // The org -> shard map (shards.ts); on a cluster the store fills it for existing orgs at start-up.
  (layout) => createTable(layout, ORG_SHARDS),
];
