/**
 * `ALTER TABLE ... DELETE` on ClickHouse 18.16: a mutation, which the server
 * applies in the background to the parts that exist when it is issued (rows
 * inserted afterwards are never touched, and parts of different mutation
 * versions are never merged together). On a cluster it goes to every shard's
 * local table ON CLUSTER. Reads that must be right at once do not wait for it:
 * deleted events are recorded in `event_losers`, which every read leaves out.
 * For the small tables (actors, first-seen, orgs) the caller waits, bounded.
 *
 * Beware: 18.16 deletes the rows for which a mutation's condition is NULL
 * (checked against a real server), so a condition on a Nullable column must be
 * made non-null, e.g. `ifNull(actor = 'u', 0)`.
 */
import type { ChClient } from './client.js';
import { BIG_QUERY } from './ingest.js';
import { ident, quote, quoteList } from './quote.js';
import type { ChLayout } from './schema.js';

/** Values per IN list of one ALTER: its text also travels through ZooKeeper on a cluster. */
export const ALTER_CHUNK = 500;

/** `xs` in slices of at most `n`. */
export function chunks<T>(xs: readonly T[], n = ALTER_CHUNK): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < xs.length; k += n) out.push(xs.slice(k, k + n));
  return out;
}

export class Mutations {
  private readonly db: string;
  private readonly cluster: string | null;

  constructor(
    private readonly client: ChClient,
    layout: ChLayout,
  ) {
    this.db = ident(layout.database);
    this.cluster = layout.cluster === null ? null : ident(layout.cluster, 'TALLY_CLICKHOUSE_CLUSTER');
  }

  /** The table statements read and insert into: `db.name` (the Distributed one on a cluster). */
  table(name: string): string {
    return `${this.db}.${name}`;
  }

  /** The table holding the rows: `db.name`, or `db.name_local` on a cluster. */
  local(name: string): string {
    return `${this.db}.${name}${this.cluster ? '_local' : ''}`;
  }

  /** Issue `DELETE WHERE where` on a table (a name from code; `where` built with quote/lit). */
  async delete(name: string, where: string): Promise<void> {
    const on = this.cluster ? ` ON CLUSTER ${this.cluster}` : '';
    await this.client.command(`ALTER TABLE ${this.local(name)}${on} DELETE WHERE ${where}`, BIG_QUERY);
  }

  /** Issue one DELETE per slice of `values`, each `where(IN-list text)`. */
  async deleteIn(name: string, values: readonly string[], where: (list: string) => string): Promise<void> {
    for (const slice of chunks(values)) await this.delete(name, where(quoteList(slice)));
  }

  /**
   * Wait until no mutation of these tables is pending on any shard, polling,
   * for at most `timeoutMs`. Resolves true when done, false on timeout.
   */
  async settle(names: string[], timeoutMs: number): Promise<boolean> {
    const source = this.cluster ? `cluster(${quote(this.cluster)}, system, mutations)` : 'system.mutations';
    const tables = quoteList(names.map((n) => (this.cluster ? `${n}_local` : n)));
    const sql = `SELECT count() AS n FROM ${source}
      WHERE database = ${quote(this.db)} AND table IN (${tables}) AND is_done = 0`;
    const started = Date.now();
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const rows = await this.client.query(sql);
      if (Number(rows[0]?.['n'] ?? 0) === 0) return true;
      if (Date.now() - started > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
