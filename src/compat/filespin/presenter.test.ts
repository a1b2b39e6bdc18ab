/**
 * The FileSpin presenter on hand-built neutral results: day starts in Unix seconds,
 * ascending, empty data, the `data` key, and usergroup ids as numbers.
 */
import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../../core/query/result.js';
import type { TimeseriesRequest } from './params.js';
import { presentTimeseries, usergroupIdOf } from './presenter.js';

const DAY = 86_400_000;
/** 2026-11-01T00:00:00Z = 1793491200 s. */
const NOV1 = 1793491200_000;

function result(points: { start: number; value: number | null }[] | null): QueryResult {
  return {
    range: { from: NOV1, to: NOV1 + 5 * DAY, from_iso: '', to_iso: '' },
    timezone: 'UTC',
    bucket: 'day',
    week_start: 1,
    series:
      points === null
        ? []
        : [{ group: {}, total: null, points: points.map((p) => ({ ...p, end: p.start + DAY })) }],
    other: null,
    total_groups: points === null ? 0 : 1,
    meta: { read_at: 0, last_bucket_open: false, buckets: 5 },
  };
}

const REQ: TimeseriesRequest = {
  statType: 'cdn',
  subtype: 'traffic',
  startTime: 1793491200,
  endTime: 1793923199,
  userId: null,
  usergroupId: '42',
};

describe('presentTimeseries', () => {
  it('writes the document shape with day starts in seconds, ascending', () => {
    const r = result([
      { start: NOV1 + 3 * DAY, value: 7 },
      { start: NOV1, value: 2000 },
    ]);
    expect(presentTimeseries(REQ, '42', r)).toEqual({
      usergroup_id: 42,
      stat_type: 'cdn',
      stat_subtype: 'traffic',
      start_time: '1793491200',
      end_time: '1793923199',
      data: {
        '*': [
          { timestamp: 1793491200, value: 2000 },
          { timestamp: 1793750400, value: 7 },
        ],
      },
    });
  });
  it('keys data by the user and gives an empty list without data', () => {
    expect(presentTimeseries({ ...REQ, userId: 'u1' }, 'acme', result(null)).data).toEqual({ u1: [] });
    expect(presentTimeseries(REQ, 'acme', result(null)).usergroup_id).toBe('acme');
  });
});

describe('usergroupIdOf', () => {
  it.each([
    ['42', 42],
    ['0', 0],
    ['007', '007'],
    ['9007199254740993', '9007199254740993'],
    ['42-eu', '42-eu'],
    ['-4', '-4'],
  ])('%s -> %o', (id, out) => {
    expect(usergroupIdOf(id)).toBe(out);
  });
});
