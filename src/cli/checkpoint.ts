/**
 * Checkpoints of `tally ingest`: after every acknowledged batch, where reading
 * resumes (a byte offset for NDJSON, a record count for CSV) and the totals so
 * far, written atomically (temp file, fsync, rename). A checkpoint only counts
 * for the same file: the SHA-256 of the bytes before its offset must match.
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Format } from './ingest-read.js';

/** The running totals of an ingest over one file, kept in its checkpoint and shown in its summary. */
export interface IngestCounts {
  sent: number;
  accepted: number;
  duplicates: number;
  skipped: number;
  derived: number;
  batches: number;
}

export interface Checkpoint extends IngestCounts {
  version: 1;
  file: string;
  format: Format;
  /** NDJSON: the byte offset where reading resumes. CSV: the records already acknowledged. */
  next: number;
  /** The file line where reading resumes (for messages). */
  line: number;
  /** Bytes of the file covered (progress). */
  bytes: number;
  /** SHA-256 (hex) of the file's first `hashedBytes` bytes. */
  hash: string;
  hashedBytes: number;
  complete: boolean;
  updated_at: string;
}

/** At most this many leading bytes are hashed to recognise the file. */
const HASH_LIMIT = 1024 * 1024;

/** SHA-256 of the first `n` bytes of a file (hex). */
export async function hashHead(path: string, n: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    let read = 0;
    while (read < n) {
      const { bytesRead } = await fh.read(buf, read, n - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return createHash('sha256').update(buf.subarray(0, read)).digest('hex');
  } finally {
    await fh.close();
  }
}

/** The bytes to hash for a checkpoint at `bytes` into the file. */
export function hashedLength(bytes: number): number {
  return Math.min(bytes, HASH_LIMIT);
}

/** The checkpoint at `path`, or null when there is none or it does not parse. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const c = JSON.parse(text) as Checkpoint;
    return c.version === 1 && typeof c.next === 'number' ? c : null;
  } catch {
    return null;
  }
}

/**
 * Whether a checkpoint belongs to this file and format: the same leading
 * bytes. The file may have grown since (appending is how logs grow).
 */
export async function checkpointMatches(c: Checkpoint, file: string, format: Format): Promise<boolean> {
  if (c.format !== format) return false;
  try {
    return (await hashHead(file, c.hashedBytes)) === c.hash;
  } catch {
    return false;
  }
}

/** Write atomically: a crash leaves the old checkpoint or the new one, never half of one. */
export async function writeCheckpoint(path: string, c: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(c, null, 2)}\n`);
  const fh = await open(tmp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
