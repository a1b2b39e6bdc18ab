/** What the composition root needs of an engine as a whole: its name, start, stop and upkeep figures. */

/** What an engine's own background upkeep has done since start (DuckDB: compaction, checkpoints). */
export interface UpkeepStats {
  compactions: number;
  compactedRows: number;
  lastCompaction: { rows: number; periods: number; merged: number; ms: number } | null;
  checkpoints: number;
  /** The last failure of background upkeep, cleared by the next success (it is retried). */
  lastError: string | null;
  /**
   * The longest time one upkeep step (a compaction transaction, a CHECKPOINT) held the write lane
   * since start, in ms: the longest an ingest commit can have waited behind upkeep.
   */
  longestHoldMs: number;
}

export interface StoreEngine {
  readonly engine: 'duckdb' | 'clickhouse';
  /** Background upkeep figures, for /metrics; engines without upkeep leave it out. */
  readonly upkeepStats?: UpkeepStats | null;
  /** TALLY_QUERY_TIMEOUT_MS: the deadline the query runner sets on a query's row requests; null for none. */
  readonly queryTimeoutMs?: number | null;
  /** Create or migrate tables; idempotent. */
  init(): Promise<void>;
  /** Finish pending writes and release the engine. */
  close(): Promise<void>;
}
