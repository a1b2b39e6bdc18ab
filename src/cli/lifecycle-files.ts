/**
 * The data-lifecycle commands that move files (docs/lifecycle.md):
 * `tally export` (NDJSON or Parquet from the server), `tally import` (a
 * Parquet export into a server; NDJSON goes through `tally ingest`),
 * `tally backup` (a consistent copy of a running embedded store) and
 * `tally restore` (a backup put in place as a DuckDB file, server stopped).
 * Downloads land in `<file>.part` and are renamed once complete.
 */
import { copyFileSync, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DuckDBInstance } from '@duckdb/node-api';
import { eventLine } from '../core/event-line.js';
import { readEventsParquet } from '../store/parquet.js';
import { MIGRATIONS } from '../store/duckdb/schema.js';
import { CliError, errorMessage, request, unreachable, type Connection } from './client.js';

/** GET or POST `url` and stream a 2xx answer into `out` (via out.part); returns the bytes written. */
async function download(conn: Connection, method: string, url: string, out: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${conn.url}${url}`, {
      method,
      headers: conn.key === null ? {} : { authorization: `Bearer ${conn.key}` },
    });
  } catch (err) {
    throw new CliError(unreachable(conn.url, err instanceof Error ? err.message : String(err)));
  }
  if (!res.ok || res.body === null)
    throw new CliError(errorMessage(res.status, await res.text(), conn), res.status);
  const part = `${out}.part`;
  const file = createWriteStream(part);
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), file);
  } catch (err) {
    rmSync(part, { force: true });
    throw new CliError(`The download failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  renameSync(part, out);
  return file.bytesWritten;
}

export interface ExportFlags {
  format?: string;
  from?: string;
  to?: string;
  type?: string[];
  subtree?: boolean;
  out?: string;
}

/** The export as text (NDJSON to stdout), or a summary line when written to --out. */
export async function exportEvents(conn: Connection, org: string, o: ExportFlags): Promise<string> {
  const q = new URLSearchParams({ format: o.format ?? 'ndjson' });
  if (o.from !== undefined) q.set('from', o.from);
  if (o.to !== undefined) q.set('to', o.to);
  for (const t of o.type ?? []) q.append('type', t);
  if (o.subtree === true) q.set('subtree', 'true');
  const url = `/v1/orgs/${encodeURIComponent(org)}/export?${q.toString()}`;
  if (o.out === undefined) {
    if (q.get('format') === 'parquet') throw new CliError('Parquet needs --out <file>.');
    const a = await request(conn, 'GET', url, { retries: 2 });
    if (a.status !== 200) throw new CliError(errorMessage(a.status, a.text, conn), a.status);
    return a.text;
  }
  const bytes = await download(conn, 'GET', url, o.out);
  return `Wrote ${o.out} (${bytes} bytes).\n`;
}

/** Send a Parquet export to the server in NDJSON batches; retried batches are safe (dedupe on id). */
export async function importParquet(
  conn: Connection,
  file: string,
  o: { batchSize?: number },
): Promise<{ accepted: number; duplicates: number }> {
  if (!existsSync(file)) throw new CliError(`No file ${file}.`);
  const total = { accepted: 0, duplicates: 0 };
  for await (const page of readEventsParquet(file, o.batchSize ?? 5000)) {
    const a = await request(conn, 'POST', '/v1/events', {
      body: page.map(eventLine).join(''),
      contentType: 'application/x-ndjson',
      retries: 3,
    });
    if (a.status !== 200) throw new CliError(errorMessage(a.status, a.text, conn), a.status);
    const r = JSON.parse(a.text) as { accepted: number; duplicates: number };
    total.accepted += r.accepted;
    total.duplicates += r.duplicates;
  }
  return total;
}

export async function backup(conn: Connection, out: string, o: { force?: boolean }): Promise<string> {
  if (existsSync(out) && o.force !== true) throw new CliError(`${out} exists; add --force to replace it.`);
  const bytes = await download(conn, 'POST', '/v1/backup', out);
  return `Backed up to ${out} (${bytes} bytes). Restore with: tally restore ${out} --db <path>\n`;
}

/** Open a DuckDB file, run `fn`, close it; DuckDB's own error becomes a CliError saying `what`. */
async function withDb<T>(
  file: string,
  readOnly: boolean,
  what: string,
  fn: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>,
): Promise<T> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : undefined);
  } catch (err) {
    throw new CliError(`${what}: ${err instanceof Error ? err.message.split('\n')[0]! : String(err)}`);
  }
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowsJS());
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Put a backup in place as the DuckDB file `db` (the server must be stopped).
 * The backup is checked first (a Tally database this version can open); an
 * existing file is replaced only with --force, and never while in use.
 */
export async function restore(backupFile: string, db: string, o: { force?: boolean }): Promise<string> {
  if (!existsSync(backupFile)) throw new CliError(`No file ${backupFile}.`);
  const events = await withDb(backupFile, true, `${backupFile} is not a DuckDB database`, async (run) => {
    let version: number;
    try {
      version = Number((await run("SELECT v FROM meta WHERE k = 'schema_version'"))[0]?.[0]);
    } catch {
      throw new CliError(`${backupFile} is not a Tally database.`);
    }
    if (!(version >= 1 && version <= MIGRATIONS.length))
      throw new CliError(
        `${backupFile} has schema version ${version}; this Tally knows 1..${MIGRATIONS.length}.`,
      );
    return Number((await run('SELECT count(*) FROM events'))[0]?.[0]);
  });
  if (existsSync(db)) {
    if (o.force !== true) throw new CliError(`${db} exists; add --force to replace it.`);
    // Opening it for writing fails while a server holds it: the lock is how we know it is stopped.
    await withDb(db, false, `${db} is in use (stop the server first)`, () => Promise.resolve());
  }
  const part = `${db}.restoring`;
  copyFileSync(backupFile, part);
  rmSync(`${db}.wal`, { force: true });
  renameSync(part, db);
  return `Restored ${events} events to ${db}. Start the server on it with TALLY_DB=${db}.\n`;
}
