/**
 * Dim columns: copies of chosen `dims` keys as plain VARCHAR columns of `events`.
 *
 * `dims` is a MAP, and DuckDB decodes every scanned row's whole map to read one key of it: over the
 * largest org's API calls of 180 days at 10M events, `count(*)` took 8 ms and `count(dims['endpoint'])`
 * 44-60 ms, and issue 23's filter tree took 3x less on plain columns (bench/RESULTS.md). A plain
 * column is dictionary-compressed and read alone, so filters and groups on the keys queries use often
 * read a few bytes a row instead of the map.
 *
 * The column of key k holds exactly `dims[k]` (NULL where the event has no k), so a query may read
 * either (dialect-expr.ts `fieldSql`); `dims` stays the whole record. The table `dim_columns` maps
 * each key to its column, named `dim_<n>` by the store (never by the key's text). Every write of
 * `events` fills the columns: ingest computes them from the map it inserts (ingest.ts), and
 * compaction moves whole rows. A key added to the configuration is backfilled at start-up; a key
 * taken out loses its column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ValidationError } from '../../core/errors.js';
import { all, run, transaction } from './db.js';
import { str } from '../sql/rows.js';

/**
 * The default keys: those the compatibility APIs filter or group on (CONTRACT.md): Capgo's app and
 * version, TR50's service and command, FileSpin's subtypes (endpoint, addon, kind), VIKTOR's
 * workspace and workspace_type, SaferMe's report, field and alert.
 */
export const DEFAULT_DIM_COLUMNS: readonly string[] = [
  'app',
  'version',
  'service',
  'command',
  'endpoint',
  'addon',
  'kind',
  'workspace',
  'workspace_type',
  'report',
  'field',
  'alert',
];

/** The most keys kept as columns: each one costs every ingested event a column write. */
export const MAX_DIM_COLUMNS = 32;

/** A dims key as events carry it (CONTRACT.md: 1-64 characters). */
const KEY = /^.{1,64}$/su;

/** Key -> column name, in the order the columns were added. */
export type DimColumns = ReadonlyMap<string, string>;

/**
 * TALLY_DIM_COLUMNS: comma-separated keys, `none` for no columns, unset for the defaults. Throws a
 * ValidationError naming the variable on a bad list.
 */
export function parseDimColumns(raw: string | undefined): readonly string[] {
  const text = (raw ?? '').trim();
  if (text === '') return DEFAULT_DIM_COLUMNS;
  if (text.toLowerCase() === 'none') return [];
  const keys = text.split(',').map((k) => k.trim());
  if (keys.some((k) => !KEY.test(k)))
    throw ValidationError.param(
      'TALLY_DIM_COLUMNS',
      'must list dims keys of 1-64 characters, comma-separated, or none',
    );
  if (new Set(keys).size !== keys.length)
    throw ValidationError.param('TALLY_DIM_COLUMNS', 'lists a key twice');
  if (keys.length > MAX_DIM_COLUMNS)
    throw ValidationError.param('TALLY_DIM_COLUMNS', `may list at most ${MAX_DIM_COLUMNS} keys`);
  return keys;
}

const SQL = {
  /** Not a migration: the table and the columns follow the configuration at every start. */
  create: 'CREATE TABLE IF NOT EXISTS dim_columns (key VARCHAR PRIMARY KEY, col VARCHAR NOT NULL UNIQUE)',
  list: 'SELECT key, col FROM dim_columns ORDER BY col',
  insert: 'INSERT INTO dim_columns VALUES ($1, $2)',
  remove: 'DELETE FROM dim_columns WHERE key = $1',
} as const;

/**
 * The dim columns a store opens with: a list of keys, or `keep` for those the file has (commands
 * other than `serve` open the file without reshaping it).
 */
export type DimColumnsWanted = readonly string[] | 'keep';

/**
 * Make events' dim columns those of `keys` (on the write lane, at start-up, before any ingest):
 * drop the columns of keys no longer listed, add and backfill the new ones, each key in its own
 * transaction (DuckDB's DDL is transactional: a crash leaves a key with its column or without).
 * Returns the map queries and ingest use.
 */
export async function syncDimColumns(conn: DuckDBConnection, keys: DimColumnsWanted): Promise<DimColumns> {
  await run(conn, SQL.create);
  // Names are checked once here: ingest and the dialect splice them into statements.
  const have = new Map((await all(conn, SQL.list)).map((r) => [str(r, 'key'), column(str(r, 'col'))]));
  if (keys === 'keep') return have;
  for (const [key, col] of have) {
    if (keys.includes(key)) continue;
    await transaction(conn, async () => {
      await run(conn, `ALTER TABLE events DROP COLUMN ${col}`);
      await run(conn, SQL.remove, [key]);
    });
    have.delete(key);
  }
  for (const key of keys) {
    if (have.has(key)) continue;
    const col = freeName(new Set(have.values()));
    await transaction(conn, async () => {
      await run(conn, `ALTER TABLE events ADD COLUMN ${col} VARCHAR`);
      await run(conn, `UPDATE events SET ${col} = dims[$1]`, [key]);
      await run(conn, SQL.insert, [key, col]);
    });
    have.set(key, col);
  }
  return have;
}

/** The lowest `dim_<n>` not in use. */
function freeName(used: ReadonlySet<string>): string {
  let n = 0;
  while (used.has(`dim_${n}`)) n++;
  return `dim_${n}`;
}

/** A column name read back from `dim_columns`, checked to be one the store made before it is spliced. */
function column(name: string): string {
  if (!/^dim_\d+$/.test(name)) throw new Error(`Not a dim column: ${name}`);
  return name;
}
