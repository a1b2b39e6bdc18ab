/**
 * Thin helpers over @duckdb/node-api: a serial lane for writes and a small
 * pool of read connections. Driver errors become StoreError (cause kept).
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { StoreError } from '../../core/errors.js';
import { timeoutFrom } from '../../core/query/bounds.js';

export type Params = DuckDBValue[];
export type Row = Record<string, unknown>;

/** Run a statement and return its rows as plain JS objects (BIGINT as number when safe). */
export async function all(conn: DuckDBConnection, sql: string, params: Params = []): Promise<Row[]> {
  try {
    const reader = await conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map(normaliseRow);
  } catch (err) {
    throw new StoreError('The store could not run a query.', err);
  }
}

/**
 * `all` under a deadline: the signal's abort interrupts the connection while this
 * statement runs, and the failure becomes the QueryTimeoutError it carries.
 */
export async function allUntil(
  conn: DuckDBConnection,
  sql: string,
  params: Params,
  signal?: AbortSignal | null,
): Promise<Row[]> {
  if (!signal) return all(conn, sql, params);
  if (signal.aborted) throw timeoutFrom(signal);
  // Only while this statement runs: an interrupt left pending would stop the connection's next one.
  const stop = (): void => {
    conn.interrupt();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await all(conn, sql, params);
  } catch (err) {
    throw signal.aborted ? timeoutFrom(signal, err) : err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

export async function run(conn: DuckDBConnection, sql: string, params: Params = []): Promise<void> {
  try {
    await conn.run(sql, params);
  } catch (err) {
    throw new StoreError('The store could not run a statement.', err);
  }
}

/**
 * CHECKPOINT, unless another connection holds a write transaction open (an
 * export, a backup, a temp table): DuckDB then refuses, and only FORCE
 * CHECKPOINT, which aborts those transactions, would go ahead. Returns false
 * in that case, so the caller tries again later.
 */
export async function tryCheckpoint(conn: DuckDBConnection): Promise<boolean> {
  try {
    await conn.run('CHECKPOINT');
    return true;
  } catch (err) {
    if (err instanceof Error && /other write transactions active/i.test(err.message)) return false;
    throw new StoreError('The store could not checkpoint.', err);
  }
}

function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

/** A fixed pool of read connections; a caller holds one exclusively while it runs. */
export class ReadPool {
  private readonly free: DuckDBConnection[];
  private readonly all: DuckDBConnection[];
  private readonly waiters: ((c: DuckDBConnection) => void)[] = [];

  private constructor(conns: DuckDBConnection[]) {
    this.all = conns;
    this.free = [...conns];
  }

  static async open(instance: DuckDBInstance, size: number): Promise<ReadPool> {
    const conns: DuckDBConnection[] = [];
    for (let i = 0; i < size; i++) conns.push(await instance.connect());
    return new ReadPool(conns);
  }

  async with<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn =
      this.free.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.waiters.push(resolve)));
    try {
      return await fn(conn);
    } finally {
      const waiter = this.waiters.shift();
      if (waiter) waiter(conn);
      else this.free.push(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.closeSync();
  }
}

/** Run a statement and return how many rows it changed. */
export async function changed(conn: DuckDBConnection, sql: string, params: Params = []): Promise<number> {
  try {
    return (await conn.run(sql, params)).rowsChanged;
  } catch (err) {
    throw new StoreError('The store could not delete.', err);
  }
}

/** Run `body` inside one transaction, rolled back when it throws. */
export async function transaction<T>(conn: DuckDBConnection, body: () => Promise<T>): Promise<T> {
  await run(conn, 'BEGIN TRANSACTION');
  try {
    const out = await body();
    await run(conn, 'COMMIT');
    return out;
  } catch (err) {
    await run(conn, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}
