/**
 * "Did you mean …?": the closest of a few known names to what a client sent, by edit
 * distance. Used only once a request has failed, never on a success path.
 */

/** Compared without case, `_`, `-` or spaces, so `groupBy` is `group_by` and `Day` is `day`. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_ ]/g, '');
}

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
 * two neighbours each cost 1.
 *
 * @example editDistance('daily', 'day') // 2
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** How far a guess may be from the input: 1 edit for short words, about one in four for long ones. */
function tolerance(length: number): number {
  if (length <= 3) return 1;
  if (length <= 8) return 2;
  return Math.floor(length / 4);
}

/**
 * The candidates nearest to `input` (up to `max`, best first, ties in the candidates' order),
 * or none when nothing is close enough to be an obvious guess. Inputs over 100 characters
 * get no guess (they are not typos of a name).
 *
 * @example closest('groupBy', ['group_by', 'org']) // ['group_by']
 */
export function closest(input: string, candidates: readonly string[], max = 1): string[] {
  if (input.length === 0 || input.length > 100) return [];
  const folded = fold(input);
  const limit = tolerance(folded.length);
  let best = Infinity;
  let found: string[] = [];
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(folded, fold(c));
    if (d > limit || d > best) continue;
    if (d < best) [best, found] = [d, []];
    found.push(c);
  }
  return found.slice(0, max);
}

/** `; did you mean X?` (or `X or Y`), or '' when there is no obvious guess. */
export function didYouMean(input: unknown, candidates: readonly string[], max = 1): string {
  if (typeof input !== 'string') return '';
  const guesses = closest(input, candidates, max);
  return guesses.length === 0 ? '' : `; did you mean ${guesses.join(' or ')}?`;
}
