/**
 * A DuckDB store that recovers by itself after a fatal engine error.
 *
 * DuckDB answers most I/O failures cleanly: a commit whose WAL write fails
 * (disk full, read-only file) is rolled back, the WAL is cut back to its last
 * good entry, and the next commit works once the disk does. A failed
 * CHECKPOINT is different: DuckDB then marks the whole database invalidated
 * and refuses every later statement until it is opened again. A checkpoint
 * runs on its own once the WAL passes 16 MB, so one moment of a full or
 * read-only disk would otherwise leave Tally answering 503 until someone
 * restarts it. The store's own upkeep checkpoints (store.ts: when writes pause,
 * after compaction) and DuckDB's automatic one both run into this.
 *
 * This wrapper delegates to a DuckDbStore. When a call fails with such a
 * fatal error it retires that instance (closing it once its calls in flight
 * have settled) and opens the file again, which replays the WAL and reloads
 * the ingest state (fingerprints, first-seen actors, known orgs) from what is
 * durable. Until that works every call fails with StoreError (503), so nothing
 * is acknowledged; reopening is tried on the next call after a short back-off
 * and by a background timer, so the store comes back without traffic too.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { AppError, StoreError } from '../../core/errors.js';
import type { EventRecord } from '../../core/model.js';
import type { ExportFilter, Store, UpkeepStats } from '../port.js';
import { DuckDbStore, type DuckDbOptions } from './store.js';
import type { CompactionReport } from './compaction.js';

/** Texts DuckDB uses for errors after which the instance must be opened again. */
const FATAL = /FATAL Error|INTERNAL Error|database has been invalidated/i;

/** True when `err` (or any error in its cause chain) says the DuckDB instance is unusable. */
export function isFatalDuckDbError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (FATAL.test(e.message)) return true;
  }
  return false;
}

/** One opened DuckDbStore and the calls still running on it. */
interface Generation {
  store: DuckDbStore;
  inflight: number;
  retired: boolean;
  closed: Promise<void> | null;
  release: (() => void) | null;
}

export interface RecoveringOptions extends DuckDbOptions {
  /** Least time between two attempts to reopen (ms); default 500. */
  retryMs?: number;
  /** Told about retirements and reopenings (e.g. a logger). */
  onEvent?: (event: 'retired' | 'reopened' | 'reopen_failed', err?: unknown) => void;
}

/** A recovering store: the wrapper's own members, and every role method it forwards. */
export type Recovering = RecoveringDuckDbStore & Store;

/**
 * The wrapper defines only what differs from a DuckDbStore (start, stop, health,
 * the streaming export) and the engine's own extras (compaction, raw reads);
 * every role method, whatever role it belongs to, is
 * forwarded generically by the Proxy the constructor returns, through `use`.
 */
export class RecoveringDuckDbStore {
  readonly engine = 'duckdb' as const;
  private current: Generation | null;
  private retiring: Generation | null = null;
  private reopening: Promise<Generation> | null = null;
  private lastAttempt = 0;
  private lastError: unknown = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** How many times a retired instance was replaced by a working one. */
  recoveries = 0;

  /** TALLY_QUERY_TIMEOUT_MS, as every instance it opens has it. */
  get queryTimeoutMs(): number | null {
    return this.opts.queryTimeoutMs ?? null;
  }

  private constructor(
    private readonly opts: RecoveringOptions,
    first: DuckDbStore,
  ) {
    this.current = fresh(first);
    const forwards = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (prop in target) return Reflect.get(target, prop, receiver);
        // The method as the class declares it (a getter is not a method, and is not run here).
        const method: unknown = Object.getOwnPropertyDescriptor(DuckDbStore.prototype, prop)?.value;
        if (typeof method !== 'function') return undefined;
        let forward = forwards.get(prop);
        if (forward === undefined) {
          forward = (...args) => target.use((s) => Reflect.apply(method, s, args) as Promise<unknown>);
          forwards.set(prop, forward);
        }
        return forward;
      },
    });
  }

  /** Open and initialise the store (errors here are start-up errors, not retried). */
  static async open(opts: RecoveringOptions): Promise<Recovering> {
    let self: Recovering | null = null;
    // A fatal error in background upkeep retires its instance at once, as one in a call would.
    const withUpkeep: RecoveringOptions = {
      ...opts,
      onUpkeepError: (err, store) => {
        opts.onUpkeepError?.(err, store);
        if (self?.current?.store === store && isFatalDuckDbError(err)) self.retire(self.current, err);
      },
    };
    const first = await DuckDbStore.open(withUpkeep);
    await first.init();
    self = new RecoveringDuckDbStore(withUpkeep, first) as Recovering;
    return self;
  }

  /** open() ran init(); this only waits for a working instance. */
  async init(): Promise<void> {
    await this.live();
  }

  /** True while a working DuckDB instance is open. */
  get healthy(): boolean {
    return this.current !== null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const g = this.current ?? (await this.reopening?.catch(() => null)) ?? null;
    this.current = null;
    await this.retiring?.closed;
    if (g) await g.store.close();
  }

  /** Not a promise, so not forwarded: it finds the working instance when iteration starts. */
  async *exportEvents(filter: ExportFilter, pageSize?: number): AsyncGenerator<EventRecord[]> {
    const store = await this.use((s) => Promise.resolve(s));
    yield* store.exportEvents(filter, pageSize);
  }
  /** Sort the unsorted tail now, and with mergeClosed merge closed periods (DuckDbStore.compact). */
  compact(opts: { mergeClosed?: boolean } = {}): Promise<CompactionReport | null> {
    return this.use((s) => s.compact(opts));
  }
  /** A read on a pooled connection of the current instance (tests, engine internals). */
  read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.use((s) => s.read(fn));
  }
  /** The current instance's upkeep figures (null while none is open). */
  get upkeepStats(): UpkeepStats | null {
    return this.current?.store.upkeepStats ?? null;
  }

  /** Run one call on the working instance; a fatal error retires it. */
  private async use<T>(fn: (s: DuckDbStore) => Promise<T>): Promise<T> {
    const g = await this.live();
    g.inflight++;
    try {
      return await fn(g.store);
    } catch (err) {
      if (!isFatalDuckDbError(err)) throw err;
      this.retire(g, err);
      throw err instanceof AppError ? err : new StoreError('The store failed.', err);
    } finally {
      g.inflight--;
      if (g.retired && g.inflight === 0) g.release?.();
    }
  }

  private retire(g: Generation, err: unknown): void {
    if (g.retired) return;
    g.retired = true;
    if (this.current === g) this.current = null;
    this.lastError = err;
    this.opts.onEvent?.('retired', err);
    this.retiring = g;
    g.closed = new Promise<void>((resolve) => {
      g.release = resolve;
      if (g.inflight === 0) resolve();
    }).then(() => g.store.close().catch(() => undefined));
    this.startTimer();
  }

  /** The working instance, reopening it when it was retired (at most once per retryMs). */
  private async live(): Promise<Generation> {
    if (this.current) return this.current;
    if (this.closed) throw new StoreError('The store is closed.');
    if (this.reopening) return this.reopening;
    if (Date.now() - this.lastAttempt < (this.opts.retryMs ?? 500)) {
      throw new StoreError('The store is unavailable; it is being reopened.', this.lastError);
    }
    this.lastAttempt = Date.now();
    this.reopening = this.reopen().finally(() => {
      this.reopening = null;
    });
    return this.reopening;
  }

  private async reopen(): Promise<Generation> {
    await this.retiring?.closed;
    let store: DuckDbStore | null = null;
    try {
      store = await DuckDbStore.open(this.opts);
      await store.init();
    } catch (err) {
      await store?.close().catch(() => undefined);
      this.lastError = err;
      this.opts.onEvent?.('reopen_failed', err);
      throw err instanceof StoreError ? err : new StoreError('The store could not be reopened.', err);
    }
    if (this.closed) {
      await store.close();
      throw new StoreError('The store is closed.');
    }
    this.current = fresh(store);
    this.retiring = null;
    this.recoveries++;
    this.opts.onEvent?.('reopened');
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.current;
  }

  /** Keep trying in the background, so the store comes back even without traffic. */
  private startTimer(): void {
    if (this.timer || this.closed) return;
    const every = Math.max(100, this.opts.retryMs ?? 500);
    this.timer = setInterval(() => {
      if (this.current || this.reopening) return;
      this.live().catch(() => undefined);
    }, every);
    this.timer.unref();
  }
}

function fresh(store: DuckDbStore): Generation {
  return { store, inflight: 0, retired: false, closed: null, release: null };
}
