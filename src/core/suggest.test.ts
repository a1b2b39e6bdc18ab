/**
 * The suggester: distances worked out by hand, and the guesses a client should get for
 * the typos seen in practice (issue 24), and none where nothing is close.
 */
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'ab', 2],
    ['day', 'day', 0],
    ['daily', 'day', 2], // delete i, substitute l -> y
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1], // one swap of neighbours
    ['unqiue', 'unique', 1],
    ['europe/amsterdm', 'europe/amsterdam', 1],
  ])('%s -> %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const BUCKETS = ['none', 'hour', 'day', 'week', 'month', 'hour_of_day', 'day_of_week'];
  const AGGS = ['count', 'sum', 'min', 'max', 'avg', 'unique', 'latest'];
  it.each([
    ['groupBy', ['org', 'group_by', 'of'], ['group_by']], // case, _ and - do not count
    ['daily', BUCKETS, ['day']],
    ['hourly', BUCKETS, ['hour']],
    ['weekly', BUCKETS, ['week']],
    ['Month', BUCKETS, ['month']],
    ['unqiue', AGGS, ['unique']],
    ['distinct', AGGS, []], // no obvious guess: the list says what is accepted
    ['x', ['eq', 'in'], []],
    ['reader', ['admin', 'ingest', 'read'], ['read']],
    ['y'.repeat(101), ['y'.repeat(100)], []],
  ])('%s among %j -> %j', (input, candidates, want) => {
    expect(closest(input, candidates)).toEqual(want);
  });

  it('gives up to max guesses at the best distance, in the candidates order', () => {
    // mix -> min (x -> n) and max (i -> a) are both 1 away; every other aggregation is 3 or more.
    expect(closest('mix', AGGS, 3)).toEqual(['min', 'max']);
    expect(closest('mix', AGGS)).toEqual(['min']);
  });

  it('never suggests the input itself', () => {
    expect(closest('day', BUCKETS)).toEqual([]);
  });

  it('words a guess, or nothing', () => {
    expect(didYouMean('daily', BUCKETS)).toBe('; did you mean day?');
    expect(didYouMean('zzzzzz', BUCKETS)).toBe('');
    expect(didYouMean(7, BUCKETS)).toBe('');
  });
});
