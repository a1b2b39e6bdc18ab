/**
 * An exact-negative filter over the (org, id) pairs stored in `events`: a set
 * of 64-bit fingerprints (DuckDB's hash(org, id), as two 32-bit halves) in an
 * open-addressing table. "Not in the set" proves an event is new; "in the set"
 * only makes it a suspect that the store itself then checks. The set is built
 * from the table at start and grows with every commit, so it never misses a
 * stored pair; entries left behind by deletions only cost an extra check.
 * It replaces an anti-join over every stored id per commit, which grows with
 * the table (ART or hash join alike cost 200-400 ms per commit at 2M rows).
 */

/** SQL of the two fingerprint halves of `org, id` columns; a fixed expression, no input. */
export const FINGERPRINT_SQL = `(hash(org, id) >> 32)::UINTEGER AS hi, (hash(org, id) & 4294967295)::UINTEGER AS lo`;

/** Linear probing stays short below this load. */
const MAX_LOAD = 0.75;

/**
 * 8 bytes a slot: (0, 0) marks an empty slot, so the fingerprint (0, 0) is
 * kept as (0, 1). That only merges two fingerprints (a 2^-64 chance of an
 * extra exact check), and "not in the set" still proves an event new.
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2(capacity / MAX_LOAD)));
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table, for memory reports. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  has(hi: number, rawLo: number): boolean {
    const lo = hi === 0 && rawLo === 0 ? 1 : rawLo;
    const mask = this.hi.length - 1;
    for (let i = slot(hi, lo, mask); this.hi[i] !== 0 || this.lo[i] !== 0; i = (i + 1) & mask) {
      if (this.hi[i] === hi && this.lo[i] === lo) return true;
    }
    return false;
  }

  add(hi: number, lo: number): void {
    if (this.count + 1 > this.hi.length * MAX_LOAD) this.grow();
    this.insert(hi, hi === 0 && lo === 0 ? 1 : lo);
  }

  /** Insert a fingerprint that is not (0, 0). */
  private insert(hi: number, lo: number): void {
    const mask = this.hi.length - 1;
    let i = slot(hi, lo, mask);
    for (; this.hi[i] !== 0 || this.lo[i] !== 0; i = (i + 1) & mask) {
      if (this.hi[i] === hi && this.lo[i] === lo) return;
    }
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.count++;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) this.insert(hi[i]!, lo[i]!);
  }
}

/** The home slot: the halves are already well mixed by DuckDB's hash. */
function slot(hi: number, lo: number, mask: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
}
