import { describe, expect, it } from 'vitest';
import { largestRemainder } from './share.js';

describe('largestRemainder', () => {
  it.each([
    // [values, precision, expected], each worked by hand: floor, then remainders high to low.
    [[1, 1, 1], 1, [33.4, 33.3, 33.3]], // 33.33.. each; one tenth left, tie -> first
    [[2, 1], 1, [66.7, 33.3]], // 66.66 -> 66.6 + .1 (rem .066 > .033)
    [[1, 1, 1], 0, [34, 33, 33]],
    [[1, 2, 3, 4], 1, [10, 20, 30, 40]], // exact, nothing to hand out
    [[1, 6], 2, [14.29, 85.71]], // 14.2857 -> 14.28 (+.01), 85.7142 -> 85.71
    [[0, 0], 1, [0, 0]], // no data
    [[5, null, 0], 1, [100, 0, 0]],
    [[0.5, 0.25, 0.25], 0, [50, 25, 25]], // dyadic values are exact
    [[1, 1, 2], 0, [25, 25, 50]],
    [[1, 1, 1, 1, 1, 1, 1], 1, [14.3, 14.3, 14.3, 14.3, 14.3, 14.3, 14.2]], // 14.2857: six get a tenth
  ] as [(number | null)[], number, number[]][])('%j at %i decimals', (values, precision, expected) => {
    const got = largestRemainder(values, precision);
    expect(got).toEqual(expected);
  });

  it('sums to exactly 100 at the precision for any positive input', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 500; k++) {
      const xs = Array.from(
        { length: 1 + Math.floor(rnd() * 9) },
        () => Math.floor(rnd() * 1000) + (rnd() < 0.3 ? rnd() : 0),
      );
      if (xs.every((x) => x === 0)) continue;
      const p = Math.floor(rnd() * 3);
      const units = largestRemainder(xs, p).map((s) => Math.round(s * 10 ** p));
      expect(units.reduce((a, b) => a + b, 0)).toBe(100 * 10 ** p);
    }
  });
});
