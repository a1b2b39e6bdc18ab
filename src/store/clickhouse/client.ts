/**
 * A thin adapter over @clickhouse/client for ClickHouse 18.16 and later. The
 * official client works against 18.16 as long as nothing it sends needs a newer
 * server: we use only plain HTTP queries (JSONEachRow out, JSONEachRow inserts),
 * no query parameters (18.16 has none; see quote.ts) and only settings 18.16
 * knows. Every driver error becomes a StoreError with the cause kept; no SQL
 * text ever reaches a client.
 */
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { StoreError } from '../../core/errors.js';
import { ident } from './quote.js';

export type Row = Record<string, unknown>;

/** A SELECT's rows, with the caller's settings and deadline already bound (the store's event reads). */
export type ChRead = (sql: string) => Promise<Row[]>;

/** Insert setting: a Distributed insert is answered once every shard has it (nothing acknowledged is lost). */
export const SYNC_INSERT = { insert_distributed_sync: 1 } as const;

export interface ChTarget {
  /** Base URL without the database path. */
  url: string;
  database: string;
  username?: string;
  password?: string;
}

/**
 * Split `http://user:pass@host:8123/tally` into the server URL and the database.
 * The database defaults to `tally` and must be a plain identifier.
 */
export function parseClickHouseUrl(raw: string): ChTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new StoreError('TALLY_CLICKHOUSE_URL is not a URL.', err);
  }
  const path = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  const database = ident(path === '' ? 'tally' : path, 'the database in TALLY_CLICKHOUSE_URL');
  const target: ChTarget = { url: `${u.protocol}//${u.host}`, database };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (u.password) target.password = decodeURIComponent(u.password);
  return target;
}

/** Settings sent with every request: numbers as JSON numbers, synchronous Distributed inserts. */
const BASE_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
};

export class ChClient {
  private readonly client: ClickHouseClient;

  constructor(target: ChTarget) {
    this.client = createClient({
      url: target.url,
      username: target.username ?? 'default',
      password: target.password ?? '',
      clickhouse_settings: BASE_SETTINGS,
      request_timeout: 60_000,
      max_open_connections: 16,
    });
  }

  /**
   * Rows of a SELECT (the adapter appends the format). `signal` aborts the HTTP request;
   * the caller also sends max_execution_time, since a server before 19.x keeps running a
   * query whose client went away.
   */
  async query(sql: string, settings: ClickHouseSettings = {}, signal?: AbortSignal | null): Promise<Row[]> {
    try {
      const rs = await this.client.query({
        query: sql,
        format: 'JSONEachRow',
        clickhouse_settings: settings,
        ...(signal ? { abort_signal: signal } : {}),
      });
      return await rs.json<Row>();
    } catch (err) {
      throw new StoreError('The store could not run a query.', err);
    }
  }

  /** A statement without rows (DDL, INSERT ... SELECT). */
  async command(sql: string, settings: ClickHouseSettings = {}): Promise<void> {
    try {
      await this.client.command({ query: sql, clickhouse_settings: settings });
    } catch (err) {
      throw new StoreError('The store could not run a statement.', err);
    }
  }

  /**
   * Insert rows as JSONEachRow: values travel as JSON, never as SQL text.
   * `table` is a qualified name from code. Durable and visible once this resolves
   * (for a Distributed table, insert_distributed_sync makes it so).
   */
  async insert(table: string, rows: Row[], settings: ClickHouseSettings = {}): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: settings });
    } catch (err) {
      throw new StoreError('The store could not write.', err);
    }
  }

  async ping(): Promise<boolean> {
    const r = await this.client.ping();
    return r.success;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
