/**
 * The dedupe filter's file, next to the DuckDB file (`<db>.dedupe`), so that
 * start-up reads a fixed number of bytes instead of every stored event.
 *
 * The file holds the filter as of a mark: every event whose `received` is at
 * or below the mark is in it (bits set later are extra, never missing: see
 * dedupe-filter.ts). Start-up adds the events received after the mark. The
 * file is trusted only when all of these hold, otherwise it is ignored and the
 * filter rebuilt from the table (dedupe.ts):
 * - magic, format and size match, and both checksums (header, body) are right;
 * - its token equals `meta.dedupe_filter` in the database: the token is written
 *   to the database only after the file is durably in place, so a file from
 *   another database, from a later life of this one (a backup restored), or a
 *   write cut short by a crash never matches;
 * - DuckDB's hash of a fixed probe still equals the one recorded, so an engine
 *   upgrade that changed hash() cannot leave stored events unrecognised.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { DedupeFilter, K } from './dedupe-filter.js';

const MAGIC = 'TALLYDF1';
const FORMAT = 1;
export const HEADER_BYTES = 64;
/** Bytes copied, checksummed and written at a time: commits may set bits meanwhile. */
const CHUNK = 4 << 20;

/** What a file is checked against, besides its own checksums. */
export interface FilterIdentity {
  /** Hex token from meta.dedupe_filter (32 hex digits), or null when the database names none. */
  token: string | null;
  /** DuckDB's hash('tally', 'dedupe') as two 32-bit halves. */
  probe: [number, number];
  /** Configured filter size in bytes (whole 64-byte blocks). */
  bytes: number;
}

export type LoadedFilter = { filter: DedupeFilter; mark: number } | { reason: string };

/** The file of a database path. */
export function filterPathOf(dbPath: string): string {
  return `${dbPath}.dedupe`;
}

function header(body: number, mark: number, token: string, probe: [number, number], bodyCrc: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write(MAGIC, 0, 'latin1');
  h.writeUInt32LE(FORMAT, 8);
  h.writeUInt32LE(K, 12);
  h.writeDoubleLE(body, 16);
  h.writeDoubleLE(mark, 24);
  Buffer.from(token, 'hex').copy(h, 32);
  h.writeUInt32LE(probe[0], 48);
  h.writeUInt32LE(probe[1], 52);
  h.writeUInt32LE(bodyCrc, 56);
  h.writeUInt32LE(crc32(h.subarray(0, 60)), 60);
  return h;
}

/**
 * Read and check the file; `{ reason }` says why it cannot be used (missing,
 * corrupt, stale, another size, another engine hash). Never throws for a bad file.
 */
export function readFilterFile(path: string, want: FilterIdentity): LoadedFilter {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { reason: 'no filter file' };
  }
  try {
    const h = Buffer.alloc(HEADER_BYTES);
    if (readSync(fd, h, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return { reason: 'truncated header' };
    if (h.toString('latin1', 0, 8) !== MAGIC || h.readUInt32LE(8) !== FORMAT || h.readUInt32LE(12) !== K)
      return { reason: 'not a filter file of this format' };
    if (h.readUInt32LE(60) !== crc32(h.subarray(0, 60))) return { reason: 'header checksum mismatch' };
    if (h.readDoubleLE(16) !== want.bytes) return { reason: 'filter size changed' };
    if (want.token === null || h.toString('hex', 32, 48) !== want.token)
      return { reason: 'written for another state of the database' };
    if (h.readUInt32LE(48) !== want.probe[0] || h.readUInt32LE(52) !== want.probe[1])
      return { reason: "the engine's hash changed" };
    const body = Buffer.alloc(want.bytes);
    let got = 0;
    while (got < body.length) {
      const n = readSync(fd, body, got, body.length - got, HEADER_BYTES + got);
      if (n === 0) return { reason: 'truncated body' };
      got += n;
    }
    if (crc32(body) !== h.readUInt32LE(56)) return { reason: 'body checksum mismatch' };
    const words = new Uint32Array(body.buffer, body.byteOffset, body.length / 4);
    return { filter: new DedupeFilter(want.bytes, words), mark: h.readDoubleLE(24) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Write the filter to `path` as of `mark`, durably (a temp file, fsync,
 * rename, fsync of the folder); the caller then records `token` in the
 * database. The body is copied a chunk at a time, so commits go on meanwhile.
 */
export async function writeFilterFile(
  path: string,
  filter: DedupeFilter,
  mark: number,
  token: string,
  probe: [number, number],
): Promise<void> {
  // The database needs the disk more: a save that would leave less free than the filter's size is
  // skipped (the store then rebuilds at its next start), rather than fail a commit for want of room.
  const { bavail, bsize } = statfsSync(dirname(path));
  if (bavail * bsize < 2 * (filter.bytes + HEADER_BYTES))
    throw new Error(`not enough free disk to save the dedupe filter (${filter.bytes} bytes) next to ${path}`);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  let done = false;
  try {
    const bytes = new Uint8Array(filter.words.buffer, filter.words.byteOffset, filter.bytes);
    let crc = 0;
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const chunk = Buffer.from(bytes.subarray(at, Math.min(at + CHUNK, bytes.length)));
      crc = crc32(chunk, crc);
      await file.write(chunk, 0, chunk.length, HEADER_BYTES + at);
    }
    await file.write(header(filter.bytes, mark, token, probe, crc), 0, HEADER_BYTES, 0);
    await file.sync();
    done = true;
  } finally {
    await file.close();
    // A write cut short (a full disk) must not keep the space it took: the database needs it more.
    if (!done) rmSync(tmp, { force: true });
  }
  renameSync(tmp, path);
  syncFolder(dirname(path));
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
