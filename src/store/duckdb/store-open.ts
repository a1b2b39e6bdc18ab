/**
 * Opening a DuckDB store: its options, the database instance with its write
 * connection and read pool, and the settings resolved from the options (the
 * store itself is store.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import { ReadPool } from './db.js';
import { DEFAULT_FILTER_MB } from './dedupe.js';
import { DEFAULT_DIM_COLUMNS, type DimColumnsWanted } from './dim-columns.js';
import { openFailure } from './open-failure.js';
import type { DuckDbStore } from './store.js';
import { DEFAULT_UPKEEP, type UpkeepOptions } from './upkeep.js';

/** DuckDB's automatic checkpoint threshold; the store checkpoints itself when idle and after compaction. */
const WAL_AUTOCHECKPOINT = '256MB';

export interface DuckDbOptions {
  /** File path, or ':memory:'. */
  path: string;
  clock?: () => number;
  readers?: number;
  /** DuckDB's memory_limit (TALLY_DUCKDB_MEMORY), e.g. '1GB'; DuckDB's own default (80% of RAM) when unset. */
  memoryLimit?: string;
  /** Background upkeep; false turns it off (then only compact() and close() checkpoint or sort). */
  upkeep?: Partial<UpkeepOptions> | false;
  /** Told when background upkeep fails (the failure is also kept in upkeepStats.lastError). */
  onUpkeepError?: (err: unknown, store: DuckDbStore) => void;
  /** TALLY_QUERY_TIMEOUT_MS: a query running longer is interrupted (503 query_timeout); none when unset. */
  queryTimeoutMs?: number | null;
  /** TALLY_DEDUPE_FILTER_MB: the dedupe filter's size in bytes (dedupe.ts); 128 MiB when unset. */
  dedupeFilterBytes?: number;
  /** Rows one compaction transaction may move (move-chunks.ts; default MOVE_CHUNK_ROWS): tests use few. */
  moveChunkRows?: number;
  /** A period rewrite of more chunks than this reads them through a sorted copy (move-staged.ts; default STAGE_MIN_CHUNKS). */
  compactStageChunks?: number;
  /** TALLY_ROLLUP: false reads events only (the actor rollup is kept up to date either way; rollup.ts). */
  rollup?: boolean;
  /** TALLY_DIM_COLUMNS: the dims keys events also hold as plain columns (dim-columns.ts; default DEFAULT_DIM_COLUMNS). */
  dimColumns?: DimColumnsWanted;
}

/** The file opened: the instance, the connection every write goes through, and the readers. */
export async function openFiles(
  opts: DuckDbOptions,
): Promise<{ instance: DuckDBInstance; writer: DuckDBConnection; readers: ReadPool }> {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(opts.path, {
      wal_autocheckpoint: WAL_AUTOCHECKPOINT,
      ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}),
    });
  } catch (err) {
    throw new StoreError('The DuckDB file could not be opened.', err, openFailure(opts.path, err));
  }
  const writer = await instance.connect();
  const readers = await ReadPool.open(instance, opts.readers ?? 4);
  return { instance, writer, readers };
}

/** The options with their defaults. */
export interface Settings {
  clock: () => number;
  /** Background upkeep; null when off. */
  upkeep: UpkeepOptions | null;
  /** The dedupe filter's file (null in memory) and size. */
  dedupe: { dbPath: string | null; bytes: number };
  queryTimeoutMs: number | null;
  rollup: boolean;
  dimKeys: DimColumnsWanted;
}

export function settingsOf(opts: DuckDbOptions): Settings {
  return {
    clock: opts.clock ?? Date.now,
    upkeep: opts.upkeep === false ? null : { ...DEFAULT_UPKEEP, ...opts.upkeep },
    dedupe: {
      dbPath: opts.path === ':memory:' ? null : opts.path,
      bytes: opts.dedupeFilterBytes ?? DEFAULT_FILTER_MB * 2 ** 20,
    },
    queryTimeoutMs: opts.queryTimeoutMs ?? null,
    rollup: opts.rollup ?? true,
    dimKeys: opts.dimColumns ?? DEFAULT_DIM_COLUMNS,
  };
}
