/**
 * A fixed-size blocked Bloom filter over the (org, id) pairs stored in
 * `events`, keyed by their 64-bit fingerprints (DuckDB's hash(org, id), as two
 * 32-bit halves; FINGERPRINT_SQL). "Not in the filter" proves an event new;
 * "in the filter" only makes it a suspect that the store checks exactly
 * (ingest.ts). Its size is set by configuration (TALLY_DEDUPE_FILTER_MB), not
 * by how many events are stored: a fuller filter only sends more suspects to
 * the exact check, it never misses a stored pair. Bits are only ever set, so
 * deletions leave false positives behind, never false negatives, and a copy
 * written while commits go on holds at least what it held when it began
 * (dedupe-file.ts relies on that).
 *
 * Blocked: the high half picks one 64-byte block (one cache line), the low
 * half sets K bits inside it, so a lookup touches one line of memory.
 */

/** SQL of the two fingerprint halves of `org, id` columns; a fixed expression, no input. */
export const FINGERPRINT_SQL = `(hash(org, id) >> 32)::UINTEGER AS hi, (hash(org, id) & 4294967295)::UINTEGER AS lo`;

/** Bits set per key: near the optimum for 16-24 bits per key, where the default size sits up to ~50M events. */
export const K = 8;
const WORDS_PER_BLOCK = 16;
export const BLOCK_BYTES = WORDS_PER_BLOCK * 4;
/** Odd multipliers: K multiply-shift hashes of the low half, each picking one of the block's 512 bits. */
const SALTS = [
  0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f, 0x165667b1, 0xd3a2646d, 0xfd7046c5, 0xb55a4f09,
];

export class DedupeFilter {
  readonly words: Uint32Array;
  private readonly blocks: number;

  /** `bytes` is rounded down to whole 64-byte blocks (at least one): see filterBytes. */
  constructor(bytes: number, words?: Uint32Array) {
    this.blocks = filterBytes(bytes) / BLOCK_BYTES;
    this.words = words ?? new Uint32Array(this.blocks * WORDS_PER_BLOCK);
    if (this.words.length !== this.blocks * WORDS_PER_BLOCK) throw new Error('filter size mismatch');
  }

  /** Bytes held by the filter, for memory reports and the file. */
  get bytes(): number {
    return this.words.byteLength;
  }

  add(hi: number, lo: number): void {
    const base = this.block(hi);
    for (const salt of SALTS) {
      const bit = Math.imul(lo, salt) >>> 23;
      this.words[base + (bit >>> 5)]! |= 1 << (bit & 31);
    }
  }

  has(hi: number, lo: number): boolean {
    const base = this.block(hi);
    for (const salt of SALTS) {
      const bit = Math.imul(lo, salt) >>> 23;
      if ((this.words[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** First word of the block of `hi`: hi scaled to [0, blocks) (exact: hi * blocks < 2^53). */
  private block(hi: number): number {
    return Math.floor((hi * this.blocks) / 4294967296) * WORDS_PER_BLOCK;
  }
}

/** The size a filter asked for `bytes` has: whole 64-byte blocks, at least one. */
export function filterBytes(bytes: number): number {
  return Math.max(1, Math.floor(bytes / BLOCK_BYTES)) * BLOCK_BYTES;
}

/**
 * The expected false-positive rate of a blocked Bloom filter of `bytes` holding
 * `keys` fingerprints: the Poisson mix over how full each block gets (keys land
 * in blocks unevenly, which is what costs a blocked filter against a plain one).
 * For the docs and the start-up log, e.g. 64 MiB at 10M keys ~ 2e-5.
 */
export function falsePositiveRate(bytes: number, keys: number): number {
  const blocks = Math.max(1, Math.floor(bytes / BLOCK_BYTES));
  const mean = keys / blocks;
  const bits = BLOCK_BYTES * 8;
  // Sum over the number j of keys in the block, Poisson(mean) in logs (exp(-mean) underflows past ~700).
  let logP = -mean;
  let rate = 0;
  for (let j = 0; j < mean + 20 * Math.sqrt(mean + 1) + 20; j++) {
    rate += Math.exp(logP) * (1 - (1 - 1 / bits) ** (K * j)) ** K;
    logP += Math.log(mean) - Math.log(j + 1);
  }
  return rate;
}
