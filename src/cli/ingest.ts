/**
 * `tally ingest <file>`: stream an NDJSON or CSV file of events to a running
 * Tally in batches (POST /v1/events). Idempotent: every event has an id (one
 * is derived from the line when missing), so a batch sent twice is counted
 * once. Resumable: after each acknowledged batch a checkpoint records where to
 * go on. Shows a progress bar on a terminal and ends with a summary.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import {
  checkpointMatches,
  hashedLength,
  hashHead,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
  type IngestCounts,
} from './checkpoint.js';
import { CliError, errorMessage, request, type Connection } from './client.js';
import { formatOf, readCsv, readNdjson, type SourceItem } from './ingest-read.js';

export interface IngestOptions {
  format?: string;
  batchSize: number;
  checkpoint?: string;
  restart: boolean;
  skipInvalid: boolean;
  /** true/false to force the bar on or off; undefined: on when stderr is a terminal. */
  progress?: boolean;
  /** Asked to stop (SIGINT): finish the batch in flight, checkpoint, and return. */
  stopped?: () => boolean;
}

export interface IngestSummary extends IngestCounts {
  file: string;
  format: string;
  resumedFromLine: number | null;
  lines: number;
  seconds: number;
  /** Events sent by this run (the other counts cover every run over the file). */
  sentThisRun: number;
  complete: boolean;
  /** The resume file (the checkpoint): where the next run starts. */
  checkpoint: string;
}

/** Most bytes in one request body (the server takes 10 MiB). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const MAX_REPORTED_FAULTS = 20;

/** The id derived for an event that has none: its line and a hash of its text, stable across runs. */
export function derivedId(line: number, text: string): string {
  return `line-${line}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

interface Pending {
  item: SourceItem;
  json: string;
}

type Report = (message: string) => void;

/** Send one batch until acknowledged; with skipInvalid, faulty events are dropped and the rest resent. */
async function sendBatch(
  conn: Connection,
  batch: Pending[],
  skipInvalid: boolean,
  warn: Report,
): Promise<{ accepted: number; duplicates: number; skipped: number }> {
  let items = batch;
  let skipped = 0;
  for (;;) {
    if (items.length === 0) return { accepted: 0, duplicates: 0, skipped };
    const a = await request(conn, 'POST', '/v1/events', {
      body: items.map((p) => p.json).join('\n'),
      contentType: 'application/x-ndjson',
      retries: 6,
    });
    if (a.status === 200) {
      const r = JSON.parse(a.text) as { accepted: number; duplicates: number };
      return { accepted: r.accepted, duplicates: r.duplicates, skipped };
    }
    const faults = faultsOf(a.text);
    if (a.status !== 400 || faults.length === 0)
      throw new CliError(errorMessage(a.status, a.text, conn), a.status);
    const bad = new Set(faults.map((f) => f.index));
    const lines = faults.map((f) => `line ${items[f.index]?.item.line ?? '?'}: ${f.path} ${f.message}`);
    if (!skipInvalid) {
      throw new CliError(
        `The server refused a batch; nothing in it was stored:\n  ${lines.slice(0, MAX_REPORTED_FAULTS).join('\n  ')}\nFix the lines (or use --skip-invalid) and run again to resume.`,
        400,
      );
    }
    for (const l of lines.slice(0, MAX_REPORTED_FAULTS)) warn(`skipped ${l}`);
    skipped += bad.size;
    items = items.filter((_, i) => !bad.has(i));
  }
}

function faultsOf(text: string): { index: number; path: string; message: string }[] {
  try {
    const body = JSON.parse(text) as {
      error?: { details?: { index?: number; path: string; message: string }[] };
    };
    return (body.error?.details ?? []).flatMap((d) =>
      typeof d.index === 'number' ? [{ index: d.index, path: d.path, message: d.message }] : [],
    );
  } catch {
    return [];
  }
}

function progressBar(total: number, start: number, enabled: boolean): cliProgress.SingleBar | null {
  if (!enabled) return null;
  const bar = new cliProgress.SingleBar(
    {
      format: 'ingest [{bar}] {percentage}% | {events} events | {rate} ev/s | eta {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), start, { events: 0, rate: 0 });
  return bar;
}

/** Ingest a file; resolves with the summary (also when stopped early, with complete: false). */
export async function ingestFile(
  conn: Connection,
  path: string,
  opts: IngestOptions,
  warn: Report,
): Promise<IngestSummary> {
  const file = resolve(path);
  const size = (await stat(file).catch(() => null))?.size;
  if (size === undefined) throw new CliError(`No such file: ${path}`);
  const format = formatOf(file, opts.format);
  const cpPath = opts.checkpoint ?? `${file}.tally-checkpoint`;
  const batchSize = Math.min(Math.max(Math.trunc(opts.batchSize), 1), 10_000);

  let cp: Checkpoint | null = opts.restart ? null : await readCheckpoint(cpPath);
  if (cp && !(await checkpointMatches(cp, file, format))) {
    warn(`The checkpoint ${cpPath} is for another file or version of it; starting from the top.`);
    cp = null;
  }
  const state: Checkpoint = cp ?? {
    version: 1,
    file,
    format,
    next: 0,
    line: 1,
    bytes: 0,
    hash: '',
    hashedBytes: 0,
    sent: 0,
    accepted: 0,
    duplicates: 0,
    skipped: 0,
    derived: 0,
    batches: 0,
    complete: false,
    updated_at: '',
  };
  const resumedFromLine = cp ? state.line : null;
  // Said before the first batch, so an interrupted run already knows where its place is kept.
  warn(`Resume file: ${cpPath} (a rerun continues from it; --restart ignores it).`);
  const started = Date.now();
  const sentAtStart = state.sent;
  const bar = progressBar(size, state.bytes, opts.progress ?? process.stderr.isTTY);
  // While the bar is drawn, notes wait until it is gone.
  const notes: string[] = [];
  const note: Report = (m) => {
    if (bar) notes.push(m);
    else warn(m);
  };
  const source = format === 'csv' ? readCsv(file, state.next) : readNdjson(file, state.next, state.line);
  let lines = 0;

  const flush = async (batch: Pending[]): Promise<void> => {
    const last = batch.at(-1)!.item;
    const r = await sendBatch(conn, batch, opts.skipInvalid, note);
    state.sent += batch.length - r.skipped;
    state.accepted += r.accepted;
    state.duplicates += r.duplicates;
    state.skipped += r.skipped;
    state.batches++;
    state.next = last.next;
    state.line = last.nextLine;
    state.bytes = last.bytes;
    const n = hashedLength(last.bytes);
    if (n !== state.hashedBytes) [state.hash, state.hashedBytes] = [await hashHead(file, n), n];
    state.updated_at = new Date().toISOString();
    await writeCheckpoint(cpPath, state);
    const secs = (Date.now() - started) / 1000;
    bar?.update(last.bytes, {
      events: state.sent,
      rate: Math.round((state.sent - sentAtStart) / Math.max(secs, 0.001)),
    });
  };

  let batch: Pending[] = [];
  let bytes = 0;
  let stoppedEarly = false;
  try {
    for await (const item of source) {
      lines++;
      if (item.event === null) {
        if (!opts.skipInvalid)
          throw new CliError(
            `line ${item.line}: ${item.fault ?? 'cannot be read'}; nothing from it on was sent.`,
          );
        note(`skipped line ${item.line}: ${item.fault ?? 'cannot be read'}`);
        state.skipped++;
        continue;
      }
      if (item.event['id'] === undefined || item.event['id'] === null || item.event['id'] === '') {
        item.event['id'] = derivedId(item.line, item.text);
        state.derived++;
      }
      const json = JSON.stringify(item.event);
      const len = Buffer.byteLength(json) + 1;
      if (batch.length > 0 && (batch.length >= batchSize || bytes + len > MAX_BATCH_BYTES)) {
        await flush(batch);
        [batch, bytes] = [[], 0];
        if (opts.stopped?.()) {
          stoppedEarly = true;
          break;
        }
      }
      batch.push({ item, json });
      bytes += len;
    }
    if (!stoppedEarly && batch.length > 0) await flush(batch);
    state.complete = !stoppedEarly;
    if (state.complete) {
      state.updated_at = new Date().toISOString();
      await writeCheckpoint(cpPath, state);
    }
  } finally {
    bar?.stop();
    for (const m of notes) warn(m);
  }
  return {
    file,
    format,
    resumedFromLine,
    lines,
    sent: state.sent,
    accepted: state.accepted,
    duplicates: state.duplicates,
    skipped: state.skipped,
    derived: state.derived,
    batches: state.batches,
    seconds: (Date.now() - started) / 1000,
    sentThisRun: state.sent - sentAtStart,
    complete: state.complete,
    checkpoint: cpPath,
  };
}

/** The summary for people. */
export function summaryText(s: IngestSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.sentThisRun / s.seconds) : s.sentThisRun;
  return [
    `${s.complete ? 'Ingested' : 'Stopped early:'} ${s.file} (${s.format})`,
    ...(s.resumedFromLine !== null ? [`  resumed at line ${s.resumedFromLine}`] : []),
    `  events sent ${s.sent} in ${s.batches} batches: ${s.accepted} accepted, ${s.duplicates} duplicates`,
    `  skipped ${s.skipped} invalid, ids derived for ${s.derived}`,
    `  this run: ${s.sentThisRun} events in ${s.seconds.toFixed(1)} s, ${rate} events/s`,
    `  resume file: ${s.checkpoint}`,
    ...(s.complete ? [] : ['  run the same command again to resume']),
    '',
  ].join('\n');
}
