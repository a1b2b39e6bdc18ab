/**
 * The first level of (org, id) dedupe for the DuckDB store: the filter
 * (dedupe-filter.ts), how it is loaded at start, rebuilt when it cannot be
 * trusted, and saved (dedupe-file.ts). The second level, the exact check of
 * suspects against `events`, is in ingest.ts.
 *
 * - Start: the saved file, if it checks out, plus the events received after
 *   its mark (a bounded read: a save happens every SAVE_EVERY events and at
 *   close). No usable file (first start, lost, corrupt, stale, resized): the
 *   filter starts empty and NOT ready, and a background scan of the table on
 *   its own connection fills it; until it is done every event of a commit is
 *   a suspect, so dedupe stays exact, only slower.
 * - Commits add the fingerprints of the events they store, ready or not, so a
 *   scan that began before a commit and the commit's own additions together
 *   cover everything.
 * - Save: the mark is taken on the write lane between commits (every stored
 *   event up to it is in the filter then), the file written off the lane,
 *   then the token recorded in `meta` on the lane.
 */
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import { all, run } from './db.js';
import { DedupeFilter, FINGERPRINT_SQL, filterBytes } from './dedupe-filter.js';
import { filterPathOf, readFilterFile, writeFilterFile } from './dedupe-file.js';

/** TALLY_DEDUPE_FILTER_MB when unset: false positives ~1e-5 up to 30M stored events (docs/benchmarks.md). */
export const DEFAULT_FILTER_MB = 128;
/** Events stored between two saves: what a start after a crash reads at most (~0.5 s per million). */
export const SAVE_EVERY = 1_000_000;

const SQL = {
  token: "SELECT v FROM meta WHERE k = 'dedupe_filter'",
  setToken: "INSERT OR REPLACE INTO meta VALUES ('dedupe_filter', $1)",
  probe: `SELECT (hash('tally', 'dedupe') >> 32)::UINTEGER AS hi, (hash('tally', 'dedupe') & 4294967295)::UINTEGER AS lo`,
  all: `SELECT ${FINGERPRINT_SQL} FROM events`,
  after: `SELECT ${FINGERPRINT_SQL} FROM events WHERE received > $1`,
} as const;

export interface DedupeOptions {
  /** The DuckDB file's path, or null for :memory: (nothing saved). */
  dbPath: string | null;
  /** Filter size in bytes. */
  bytes: number;
}

/** The committer's view: is an event a suspect, and note the ones stored. */
export class Dedupe {
  /** Why the saved file was not used at start (null when it was, or for :memory:). */
  readonly rebuiltBecause: string | null;
  private ready: boolean;
  /** Events in the filter but not in the saved file (Infinity: no file of this state saved). */
  private storedSinceSave = Infinity;
  private saving: Promise<void> | null = null;
  private rebuilding: Promise<void> | null = null;
  private closing = false;

  private constructor(
    readonly filter: DedupeFilter,
    /** Every stored event with `received` at or below this is in the filter (the file's mark, else 0). */
    readonly mark: number,
    private readonly opts: DedupeOptions,
    private readonly probe: [number, number],
    rebuiltBecause: string | null,
  ) {
    this.rebuiltBecause = rebuiltBecause;
    this.ready = rebuiltBecause === null;
  }

  /**
   * Load the filter at start, on the write connection: the saved file plus the
   * events after its mark, or an empty filter that `startRebuild` fills. An empty
   * table needs no scan, so a new store is ready at once.
   */
  static async load(conn: DuckDBConnection, opts: DedupeOptions): Promise<Dedupe> {
    const p = (await all(conn, SQL.probe))[0]!;
    const probe: [number, number] = [Number(p['hi']), Number(p['lo'])];
    const empty = () => new DedupeFilter(opts.bytes);
    if (opts.dbPath === null) return new Dedupe(empty(), 0, opts, probe, null);
    const tokenRow = (await all(conn, SQL.token))[0];
    const token = tokenRow ? String(tokenRow['v']) : null;
    const bytes = filterBytes(opts.bytes);
    const got = readFilterFile(filterPathOf(opts.dbPath), { token, probe, bytes });
    if ('reason' in got) {
      const none = (await all(conn, 'SELECT NOT EXISTS (SELECT 1 FROM events) AS e'))[0]!['e'] === true;
      const dedupe = new Dedupe(empty(), 0, opts, probe, none ? null : got.reason);
      if (none) dedupe.storedSinceSave = 0;
      return dedupe;
    }
    const dedupe = new Dedupe(got.filter, got.mark, opts, probe, null);
    // Those received after the mark: saved again soon if they are many (a crash after a long run).
    dedupe.storedSinceSave = await dedupe.scan(conn, SQL.after, [got.mark]);
    return dedupe;
  }

  /** False while a rebuild runs: every event is then a suspect. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Events sent to the exact check since start (suspects: retries and false positives). */
  suspects = 0;

  isSuspect(hi: number, lo: number): boolean {
    const suspect = !this.ready || this.filter.has(hi, lo);
    if (suspect) this.suspects++;
    return suspect;
  }

  /** After a commit: its stored events' fingerprints. */
  noteStored(prints: [number, number][]): void {
    for (const [hi, lo] of prints) this.filter.add(hi, lo);
    this.storedSinceSave += prints.length;
  }

  /** A save is due (enough stored since the last one, the filter complete, none running). */
  get saveDue(): boolean {
    return this.ready && !this.saving && !this.closing && this.storedSinceSave >= SAVE_EVERY;
  }

  /** The file lacks something the filter holds (a save at close is worth its write). */
  get unsaved(): boolean {
    return this.storedSinceSave > 0;
  }

  /**
   * Start the background rebuild if the filter is not ready: a scan of the
   * table on a connection of its own. `onDone` runs once it is complete (the
   * store then saves); a failure leaves the filter not ready (still exact).
   */
  startRebuild(instance: DuckDBInstance, onDone: () => void, onError: (err: unknown) => void): void {
    if (this.ready || this.rebuilding) return;
    this.rebuilding = (async () => {
      const conn = await instance.connect();
      try {
        if ((await this.scan(conn, SQL.all, [])) >= 0) {
          this.ready = true;
          onDone();
        }
      } finally {
        conn.closeSync();
      }
    })().catch(onError);
  }

  /**
   * Save the filter: the mark (the last `received` committed) is read on the
   * write lane, between commits; the file is written off it; the token is
   * recorded in `meta` on the lane again. Concurrent calls share one save.
   */
  save(
    onLane: <T>(fn: () => Promise<T>) => Promise<T>,
    conn: DuckDBConnection,
    lastReceived: () => number,
  ): Promise<void> {
    if (this.opts.dbPath === null || !this.ready || !this.unsaved) return Promise.resolve();
    const path = filterPathOf(this.opts.dbPath);
    this.saving ??= (async () => {
      const at = await onLane(() => Promise.resolve(lastReceived()));
      const since = this.storedSinceSave;
      this.storedSinceSave = 0;
      try {
        const token = randomBytes(16).toString('hex');
        await writeFilterFile(path, this.filter, at, token, this.probe);
        await onLane(() => run(conn, SQL.setToken, [token]));
      } catch (err) {
        this.storedSinceSave += since;
        throw err;
      }
    })().finally(() => (this.saving = null));
    return this.saving;
  }

  /** Stop a rebuild between chunks and wait for it and for a save in progress. */
  async close(): Promise<void> {
    this.closing = true;
    await this.rebuilding;
    await this.saving?.catch(() => undefined);
  }

  /** Add the fingerprints `sql` returns; how many (-1 when stopped by close()). */
  private async scan(conn: DuckDBConnection, sql: string, params: number[]): Promise<number> {
    let rows = 0;
    try {
      const res = await conn.stream(sql, params);
      for (let chunk = await res.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await res.fetchChunk()) {
        if (this.closing) return -1;
        const his = chunk.getColumnValues(0) as number[];
        const los = chunk.getColumnValues(1) as number[];
        for (let i = 0; i < his.length; i++) this.filter.add(his[i]!, los[i]!);
        rows += his.length;
      }
      return rows;
    } catch (err) {
      throw new StoreError('The store could not read event fingerprints.', err);
    }
  }
}
