/**
 * Percent shares that add up exactly: the largest-remainder method (Hamilton),
 * as Capgo's bundle_usage applies it at 0.1. Integer units avoid float drift.
 */

/**
 * Percent shares of `values` at `precision` decimals: floor each share to the
 * precision, then hand the remaining units, one each, to the largest remainders
 * (ties: larger value first, then earlier position). Sums to exactly 100 unless
 * every value is 0 (then all 0). Negative and null values count as 0.
 *
 * @example largestRemainder([1, 1, 1], 1) // [33.4, 33.3, 33.3]
 */
export function largestRemainder(values: readonly (number | null)[], precision: number): number[] {
  const xs = values.map((v) => (v !== null && v > 0 && Number.isFinite(v) ? v : 0));
  const total = xs.reduce((a, b) => a + b, 0);
  if (total <= 0) return xs.map(() => 0);
  const scale = 10 ** precision;
  const units = 100 * scale;
  const ints = dyadic(xs);
  const { floors, rems } = ints ? exactParts(ints, units) : floatParts(xs, total, units);
  let left = units - floors.reduce((a, b) => a + b, 0);
  const order = xs
    .map((x, k) => ({ k, x }))
    .sort((a, b) => rems[b.k]! - rems[a.k]! || b.x - a.x || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    floors[k]! += 1;
    left -= 1;
  }
  // The float path's tolerance can over-give by a unit; take it back from the smallest remainders.
  for (const { k } of [...order].reverse()) {
    if (left >= 0) break;
    floors[k]! -= 1;
    left += 1;
  }
  return floors.map((f) => f / scale);
}

/** The values times one power of two (an exact float operation) when that makes them all safe integers. */
function dyadic(xs: number[]): number[] | null {
  for (let k = 0; k <= 24; k++) {
    const scaled = xs.map((x) => x * 2 ** k);
    if (scaled.every(Number.isSafeInteger)) return scaled;
  }
  return null;
}

/** Integer values: floor and remainder of x * units / total computed exactly (remainders share one denominator). */
function exactParts(xs: number[], units: number): { floors: number[]; rems: number[] } {
  const total = xs.reduce((a, b) => a + BigInt(b), 0n);
  const big = xs.map((x) => BigInt(x) * BigInt(units));
  const rems = big.map((b) => Number(((b % total) * 1_000_000_000n) / total));
  return { floors: big.map((b) => Number(b / total)), rems };
}

function floatParts(xs: number[], total: number, units: number): { floors: number[]; rems: number[] } {
  const exact = xs.map((x) => (x / total) * units);
  // A share that is a whole number of units may come out a hair below it in floating point.
  const floors = exact.map((e) => Math.floor(e + 1e-9));
  return { floors, rems: exact.map((e, k) => e - floors[k]!) };
}
