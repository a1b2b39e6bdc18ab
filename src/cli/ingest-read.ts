/**
 * Streaming readers for `tally ingest`: NDJSON (one JSON event per line, read
 * in byte-exact chunks so that a checkpoint can seek straight back to a line)
 * and CSV (a header naming id, type, time, org, actor, value and dims.<key>
 * columns, parsed by csv-parse). Both yield one item per event with its line
 * number and the position just after it.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/** One record of the source file. */
export interface SourceItem {
  /** 1-based line where the record starts (for messages). */
  line: number;
  /** The line after the record (a CSV record may span lines). */
  nextLine: number;
  /** Where reading resumes after this record: a byte offset (NDJSON) or a record count (CSV). */
  next: number;
  /** Bytes of the file read so far (for progress). */
  bytes: number;
  /** The event as read, or null when the record could not be read (see `fault`). */
  event: Record<string, unknown> | null;
  /** The record's own text, for deriving an id. */
  text: string;
  fault?: string;
}

export type Format = 'ndjson' | 'csv';

/** The format of a file: `--format` when given, else by extension (.csv is CSV, anything else NDJSON). */
export function formatOf(path: string, given?: string): Format {
  if (given !== undefined) {
    if (given !== 'ndjson' && given !== 'csv')
      throw new Error(`--format must be ndjson or csv, not ${given}`);
    return given;
  }
  return /\.csv$/i.test(path) ? 'csv' : 'ndjson';
}

function parseLine(text: string): { event: Record<string, unknown> | null; fault?: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return { event: v as Record<string, unknown> };
    return { event: null, fault: 'is not a JSON object' };
  } catch {
    return { event: null, fault: 'is not valid JSON' };
  }
}

/**
 * NDJSON records from byte `offset` (a line start), numbering lines from
 * `line`. Blank lines are skipped; a final line without a newline counts.
 */
export async function* readNdjson(path: string, offset: number, line: number): AsyncGenerator<SourceItem> {
  let pending: Buffer = Buffer.alloc(0);
  let pos = offset; // file offset of pending[0]
  let lineNo = line;
  const emit = (buf: Buffer, end: number): SourceItem | null => {
    const text = buf.toString('utf8').replace(/\r$/, '');
    const at = lineNo++;
    if (text.trim() === '') return null;
    return { line: at, nextLine: at + 1, next: end, bytes: end, text, ...parseLine(text) };
  };
  for await (const chunk of createReadStream(path, { start: offset })) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let from = 0;
    for (let nl = pending.indexOf(10, from); nl !== -1; nl = pending.indexOf(10, from)) {
      const item = emit(pending.subarray(from, nl), pos + nl + 1);
      if (item) yield item;
      from = nl + 1;
    }
    pending = pending.subarray(from);
    pos += from;
  }
  if (pending.length > 0) {
    const item = emit(pending, pos + pending.length);
    if (item) yield item;
  }
}

/** Line breaks in a text: CRLF, LF or a lone CR each count once. */
function breaksIn(t: string): number {
  return (t.match(/\r\n|\r|\n/g) ?? []).length;
}

const BASE_COLUMNS = ['id', 'type', 'time', 'org', 'actor', 'value'];

/** Check a CSV header: every column is a base field or `dims.<key>`. */
export function checkCsvHeader(header: string[]): string[] {
  const cols = header.map((h) => h.trim());
  for (const c of cols) {
    if (!BASE_COLUMNS.includes(c) && !/^dims\..{1,64}$/.test(c))
      throw new Error(`Unknown CSV column "${c}"; use ${BASE_COLUMNS.join(', ')} or dims.<key>.`);
  }
  if (new Set(cols).size !== cols.length) throw new Error('The CSV header names a column twice.');
  return cols;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A CSV row as an event: empty cells are left out; `time` in digits is Unix
 * seconds; a numeric `value` is a number; `dims.<key>` cells are dims.
 *
 * @example csvEvent({ id: 'e1', type: 'login', time: '1700000000', org: 'acme', 'dims.app': 'x' })
 * // { id: 'e1', type: 'login', time: 1700000000, org: 'acme', dims: { app: 'x' } }
 */
export function csvEvent(row: Record<string, string>): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  const dims: Record<string, string> = {};
  for (const [col, cell] of Object.entries(row)) {
    if (cell === '') continue;
    if (col.startsWith('dims.')) dims[col.slice(5)] = cell;
    else if ((col === 'time' || col === 'value') && NUMBER.test(cell.trim()))
      event[col] = Number(cell.trim());
    else event[col] = cell;
  }
  if (Object.keys(dims).length > 0) event['dims'] = dims;
  return event;
}

/**
 * CSV records after skipping the first `skip` (already acknowledged) ones.
 * Lines are counted here from each record's raw text (a CRLF is one break,
 * even inside quotes), after a one-line header.
 */
export async function* readCsv(path: string, skip: number): AsyncGenerator<SourceItem> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, columns: checkCsvHeader, skip_empty_lines: true, info: true, raw: true }),
  );
  let count = 0;
  let breaks = 0;
  for await (const out of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { bytes: number };
    raw: string;
  }>) {
    count++;
    // The raw text holds the blank lines before the record and its closing break (LF, or the
    // CR of a CRLF) unless it ends the file.
    const blank = /^[\r\n]*/.exec(out.raw)![0];
    const line = 2 + breaks + breaksIn(blank);
    const own = breaksIn(out.raw) - breaksIn(blank);
    const closed = /[\r\n]$/.test(out.raw);
    breaks += breaksIn(out.raw);
    if (count <= skip) continue;
    yield {
      line,
      nextLine: line + own + (closed ? 0 : 1),
      next: count,
      bytes: out.info.bytes,
      event: csvEvent(out.record),
      text: out.raw.slice(blank.length).replace(/\r?\n$|\r$/, ''),
    };
  }
}
