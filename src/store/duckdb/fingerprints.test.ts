import { describe, expect, it } from 'vitest';
import { FingerprintSet } from './fingerprints.js';

/** A seeded PRNG (mulberry32) giving 32-bit unsigned integers. */
function u32s(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe('FingerprintSet', () => {
  it('agrees with a plain Set through growth, on random and edge fingerprints', () => {
    const next = u32s(7);
    const set = new FingerprintSet(16);
    const naive = new Set<string>();
    // Few distinct hi values make long probe chains and many equal halves.
    const pair = (): [number, number] => [next() % 5 === 0 ? 0 : next() % 64, next() % 3 === 0 ? 0 : next()];
    const edges: [number, number][] = [
      [0, 0],
      [0, 1],
      [0xffffffff, 0xffffffff],
      [1, 0],
    ];
    for (const [hi, lo] of [...edges, ...Array.from({ length: 50_000 }, pair)]) {
      set.add(hi, lo);
      naive.add(`${hi},${lo}`);
    }
    for (const [hi, lo] of edges) expect(set.has(hi, lo)).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) {
      const [hi, lo] = pair();
      const inNaive = naive.has(`${hi},${lo}`);
      if (inNaive) expect(set.has(hi, lo)).toBe(true);
      else if (set.has(hi, lo)) falsePositives++;
    }
    // (0, 0) and (0, 1) share a slot; no other pair may be reported present.
    expect(falsePositives).toBe(0);
    expect(set.size).toBe(naive.size - 1);
    expect(set.bytes).toBe(8 * 2 ** Math.ceil(Math.log2(set.size / 0.75)));
  });
});
