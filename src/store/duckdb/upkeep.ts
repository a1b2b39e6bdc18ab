/**
 * The DuckDB store's background upkeep, on the store's write lane between
 * ingest commits:
 * - a CHECKPOINT once writes have paused for a moment (DuckDB's own automatic
 *   checkpoint is moved out of the way, see store.ts, because inside an ingest
 *   commit it stalled that commit for seconds), and after every compaction;
 * - compaction (compaction.ts) when the unsorted tail passes `tailRows`, and,
 *   once writes have paused for `idleMs`, with the merge of closed periods.
 * A background failure is recorded and retried by the next trigger, never thrown.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { UpkeepStats } from '../port.js';
import type { SerialLane } from '../group-commit.js';
import { all, tryCheckpoint } from './db.js';
import { compact, PERIOD_MS, readWatermark, tailRows, type CompactionReport } from './compaction.js';
import { MOVE_CHUNK_ROWS } from './move-chunks.js';
import { STAGE_MIN_CHUNKS } from './move-staged.js';
import { num } from '../sql/rows.js';

export interface UpkeepOptions {
  /** Compact once this many rows are unsorted (default 262,144: two row groups). */
  tailRows: number;
  /** ...or once writes have paused this long with any rows unsorted (default 60 s). */
  idleMs: number;
  /** CHECKPOINT once writes have paused this long (default 1 s). */
  checkpointIdleMs: number;
}

export const DEFAULT_UPKEEP: UpkeepOptions = {
  tailRows: 262_144,
  idleMs: 60_000,
  checkpointIdleMs: 1_000,
};

export class Upkeep {
  readonly stats: UpkeepStats = {
    compactions: 0,
    compactedRows: 0,
    lastCompaction: null,
    checkpoints: 0,
    lastError: null,
    longestHoldMs: 0,
  };
  /** Unsorted rows, writes not yet checkpointed, the last write (wall clock). */
  private tail = 0;
  private dirty = false;
  private lastWrite = 0;
  /** The pass running (concurrent callers share it), and the idle timer. */
  private compacting: Promise<CompactionReport | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The period before which everything was last merged into one run (meta.merged_through). */
  private mergedThrough = 0;
  private closing = false;
  /**
   * The compaction watermark, read after each pass: the actor rollup covers the rows received
   * up to it (rollup.ts). It only rises, and a reader holding an older one reads more of the
   * tail from events, which changes no distinct count.
   */
  watermark = 0;

  /** `cfg` null: nothing runs by itself; compact() and the store's close() still work. */
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly lane: SerialLane,
    /** A pooled read connection, off the lane (compaction counts the rows it will move there). */
    private readonly read: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>,
    private readonly clock: () => number,
    private readonly cfg: UpkeepOptions | null,
    private readonly onError: (err: unknown) => void,
    /** Rows one compaction transaction may move (move-chunks.ts). */
    private readonly chunkRows: number = MOVE_CHUNK_ROWS,
    /** Chunks above which a period rewrite reads through a sorted copy (move-staged.ts). */
    private readonly stageChunks: number = STAGE_MIN_CHUNKS,
  ) {}

  /** At start, on the lane: where compaction stands. */
  async load(): Promise<void> {
    this.tail = await tailRows(this.conn);
    this.watermark = await readWatermark(this.conn);
    const merged = await all(this.conn, "SELECT v FROM meta WHERE k = 'merged_through'");
    this.mergedThrough = merged[0] ? num(merged[0], 'v') : 0;
  }

  /** After load: a stored tail is sorted once writes have been absent for idleMs. */
  start(): void {
    if (this.tail > 0) this.arm(this.cfg?.idleMs ?? 0);
  }

  /** Stop the timer and wait for a pass in progress (it stops between transactions). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    await this.compacting?.catch(() => undefined);
  }

  /** See DuckDbStore.compact. */
  compact(opts: { mergeClosed?: boolean } = {}): Promise<CompactionReport | null> {
    const closedBefore = opts.mergeClosed ? this.closedBefore() : null;
    this.compacting ??= compact(
      {
        conn: this.conn,
        lane: (fn) => this.hold(fn),
        read: this.read,
        stop: () => this.closing,
        chunkRows: this.chunkRows,
        stageChunks: this.stageChunks,
      },
      closedBefore,
    )
      .then(async (report) => {
        [this.tail, this.watermark] = await this.hold(async () => [
          await tailRows(this.conn),
          await readWatermark(this.conn),
        ]);
        if (closedBefore !== null && !this.closing)
          this.mergedThrough = Math.max(this.mergedThrough, closedBefore);
        if (report) {
          this.stats.compactions++;
          this.stats.compactedRows += report.rows + report.mergedRows;
          this.stats.lastCompaction = report;
          this.stats.lastError = null;
          if (report.checkpointed) this.stats.checkpoints++;
          else this.dirty = true;
        }
        return report;
      })
      .finally(() => {
        this.compacting = null;
      });
    return this.compacting;
  }

  /** Inside an ingest commit's lane task: count the new unsorted rows and schedule upkeep. */
  noteWrite(rows: number): void {
    if (rows === 0 || !this.cfg) return;
    this.tail += rows;
    this.dirty = true;
    this.lastWrite = Date.now();
    if (this.tail >= this.cfg.tailRows) this.background(() => this.compact());
    this.arm(this.cfg.checkpointIdleMs);
  }

  /** Periods before this one have closed (ended over a period ago, by the store's clock). */
  private closedBefore(): number {
    return Math.floor(this.clock() / PERIOD_MS) - 1;
  }

  private arm(ms: number): void {
    if (!this.cfg || this.closing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.background(() => this.idle());
    }, ms);
    this.timer.unref();
  }

  /** The idle timer: checkpoint after a short pause, compact and merge after a long one; re-arm for what is left. */
  private async idle(): Promise<void> {
    const cfg = this.cfg;
    if (!cfg || this.closing) return;
    const quiet = Date.now() - this.lastWrite;
    if (this.dirty && quiet >= cfg.checkpointIdleMs) {
      this.dirty = false;
      if (await this.hold(() => tryCheckpoint(this.conn))) {
        this.stats.checkpoints++;
        this.stats.lastError = null;
      } else this.dirty = true;
    }
    // A period closed since the last merge: merge once writes have paused (only writes rearm this).
    const due = (): boolean => this.tail > 0 || this.mergedThrough < this.closedBefore();
    if (due() && quiet >= cfg.idleMs) await this.compact({ mergeClosed: true });
    const wait = Math.min(
      this.dirty ? cfg.checkpointIdleMs : Infinity,
      due() ? Math.max(cfg.checkpointIdleMs, cfg.idleMs - quiet) : Infinity,
    );
    if (wait < Infinity) this.arm(wait);
  }

  /** Run an upkeep step on the write lane, timing how long it holds the lane (stats.longestHoldMs). */
  private hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.lane.run(async () => {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        this.stats.longestHoldMs = Math.max(this.stats.longestHoldMs, performance.now() - started);
      }
    });
  }

  private background(fn: () => Promise<unknown>): void {
    fn().catch((err: unknown) => {
      this.dirty = true;
      this.noteFailure(err);
    });
  }

  /** A background step failed (this one's, or the dedupe filter's save or rebuild): shown in stats. */
  noteFailure(err: unknown): void {
    this.stats.lastError = describe(err);
    this.onError(err);
  }
}

/** An error and its causes in one line (StoreError's own message is generic). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (
    let e = err, depth = 0;
    depth < 4 && e !== undefined;
    e = e instanceof Error ? e.cause : undefined, depth++
  )
    parts.push(e instanceof Error ? e.message : JSON.stringify(e));
  return parts.join(': ');
}
