import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { makeQuery, type Query } from './plan.js';
import { normaliseQuery } from './validate.js';

// share and top left unset, as a caller may: normaliseQuery must default them to null.
const base: Query = {
  ...makeQuery({
    orgs: ['b', 'a', 'b'],
    range: { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 8) },
    timezone: 'Europe/London',
  }),
  share: undefined,
  top: undefined,
};

describe('normaliseQuery', () => {
  it('dedupes and sorts orgs and defaults shapes', () => {
    expect(normaliseQuery(base)).toMatchObject({ orgs: ['a', 'b'], share: null, top: null });
  });

  it.each<[string, Partial<Query>, string]>([
    ['empty range', { range: { from: 5, to: 5 } }, 'range'],
    ['unknown zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['week start 7', { weekStart: 7 }, 'week_start'],
    ['rolling on none', { bucket: 'none', window: { kind: 'rolling', size: 3, unit: 'day' } }, 'window'],
    [
      'week unit in a month',
      { bucket: 'month', window: { kind: 'rolling', size: 3, unit: 'week' } },
      'window_unit',
    ],
    ['rolling size 0', { window: { kind: 'rolling', size: 0, unit: 'day' } }, 'window_size'],
    [
      'windowed gauge',
      { aggregation: { fn: 'latest', per: [] }, window: { kind: 'cumulative', since: 'range' } },
      'window',
    ],
    ['gauge histogram', { aggregation: { fn: 'latest', per: [] }, bucket: 'hour_of_day' }, 'bucket'],
    ['share of avg', { aggregation: { fn: 'avg' }, share: { precision: 1 } }, 'share'],
    ['top without groups', { top: { n: 3, other: true } }, 'top'],
    [
      'eq with two values',
      { filters: [{ field: { kind: 'actor' }, op: 'eq', values: ['a', 'b'] }] },
      'filters/0/2',
    ],
    [
      'prefix of missing',
      { filters: [{ field: { kind: 'actor' }, op: 'prefix', values: [null] }] },
      'filters/0/2/0',
    ],
    ['repeated group field', { groupBy: [{ kind: 'actor' }, { kind: 'actor' }] }, 'group_by/1'],
    ['unique of nothing', { aggregation: { fn: 'unique', of: [] } }, 'of'],
  ])('rejects %s with a 400 on %s', (_, over, path) => {
    try {
      normaliseQuery({ ...base, ...over });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).status).toBe(400);
      expect((err as ValidationError).details[0]!.path).toBe(path);
    }
  });
});
