import { describe, expect, it } from 'vitest';
import { DedupeFilter, falsePositiveRate } from './dedupe-filter.js';

/** Deterministic 32-bit values (a xorshift), so that a failure replays. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

describe('DedupeFilter', () => {
  it('never misses a fingerprint it was given', () => {
    const next = xorshift(7);
    const f = new DedupeFilter(4096);
    const keys = Array.from({ length: 5000 }, () => [next(), next()] as const);
    for (const [hi, lo] of keys) f.add(hi, lo);
    expect(keys.every(([hi, lo]) => f.has(hi, lo))).toBe(true);
    // Also at the edges of both halves.
    for (const [hi, lo] of [
      [0, 0],
      [0xffffffff, 0xffffffff],
      [0, 0xffffffff],
    ] as const) {
      f.add(hi, lo);
      expect(f.has(hi, lo)).toBe(true);
    }
  });

  it('starts empty and rounds its size down to whole 64-byte blocks', () => {
    const f = new DedupeFilter(200);
    expect(f.bytes).toBe(192);
    expect(f.has(1, 2)).toBe(false);
    expect(new DedupeFilter(10).bytes).toBe(64);
  });

  it('has the false-positive rate its model predicts', () => {
    // 64 KiB (1024 blocks) at 24 and 40 keys per block (~1e-4 and ~3e-3 expected): the rate over
    // 400k fresh fingerprints against the Poisson model (over 40 and 1,000 hits expected, so the
    // bounds leave several standard deviations), and against a plain Bloom filter's
    // (1 - e^(-kn/m))^k, which a blocked one cannot beat.
    for (const [keys, lo, hi] of [
      [24 * 1024, 0.5, 1.6],
      [40 * 1024, 0.85, 1.15],
    ] as const) {
      const next = xorshift(keys);
      const f = new DedupeFilter(64 << 10);
      for (let i = 0; i < keys; i++) f.add(next(), next());
      let fp = 0;
      const probes = 400_000;
      for (let i = 0; i < probes; i++) if (f.has(next(), next())) fp++;
      const measured = fp / probes;
      const model = falsePositiveRate(64 << 10, keys);
      const plain = (1 - Math.exp((-8 * keys) / (64 * 1024 * 8))) ** 8;
      expect(model).toBeGreaterThan(plain);
      expect(measured / model).toBeGreaterThan(lo);
      expect(measured / model).toBeLessThan(hi);
    }
  });
});
