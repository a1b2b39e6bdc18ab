/**
 * The presenters on hand-built neutral results and event lists, and the width rule.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/model.js';
import type { QueryResult, Series } from '../../core/query/result.js';
import { resultOf } from '../../core/query/result.fixtures.js';
import { widthOf } from './plans.js';
import {
  answerId,
  awarenessRows,
  compareIds,
  fieldSelectionRows,
  histogramRows,
  imageRows,
  overTimeRows,
  stateRows,
} from './presenter.js';
import { readableRange } from './reports.js';

const H = 3_600_000;
const D = 24 * H;

const result = (series: Series[]): QueryResult => resultOf(series, { bucket: 'none', to: 1, buckets: 1 });

function event(type: string, id: string, ts: number, dims: Record<string, string>): EventRecord {
  return { org: '1', id, type, ts, actor: null, value: 1, dims };
}

describe('ids', () => {
  it('digits become numbers; leading zeros, huge and other ids stay strings', () => {
    expect([answerId('0'), answerId('42'), answerId('9007199254740991')]).toEqual([0, 42, 9007199254740991]);
    expect([answerId('007'), answerId('9007199254740993'), answerId('u-7'), answerId(undefined)]).toEqual([
      '007',
      '9007199254740993',
      'u-7',
      null,
    ]);
  });

  it('sorts numbers, then strings, then missing', () => {
    expect([null, 'b', 10, 'a', 9].sort(compareIds)).toEqual([9, 10, 'a', 'b', null]);
  });
});

describe('widthOf: inclusive limits', () => {
  it.each([
    [2 * D, 'hour'],
    [2 * D + 1, 'day'],
    [31 * D, 'day'],
    [31 * D + 1, 'week'],
    [366 * D, 'week'],
    [366 * D + 1, 'month'],
  ])('a span of %i ms is %s', (span, width) => {
    expect(widthOf({ from: 1000, to: 1000 + span })).toBe(width);
  });
});

describe('readableRange', () => {
  it('stops a day past now, and never empties the range', () => {
    expect(readableRange({ from: 0, to: 100 * D }, 10 * D)).toEqual({ from: 0, to: 11 * D });
    expect(readableRange({ from: 0, to: 5 * D }, 10 * D)).toEqual({ from: 0, to: 5 * D });
    expect(readableRange({ from: 50 * D, to: 60 * D }, 10 * D)).toEqual({ from: 50 * D, to: 50 * D + 1 });
  });
});

describe('row presenters', () => {
  it('over time: drops empty buckets, writes the bucket start with ms', () => {
    const points = [
      { start: Date.UTC(2016, 10, 7), end: 0, value: 2 },
      { start: Date.UTC(2016, 10, 14), end: 0, value: 0 },
    ];
    expect(overTimeRows(result([{ group: {}, points, total: 2 }]), 1, 'week')).toEqual([
      {
        account_id: 1,
        datetime_range_start: '2016-11-07T00:00:00.000Z',
        report_count: 2,
        datetime_range_width: 'week',
      },
    ]);
    expect(overTimeRows(result([]), 1, 'week')).toEqual([]);
  });

  it('histograms: slots with reports, ascending', () => {
    const points = [
      { start: 0, end: 1, slot: 6, value: 1 },
      { start: 0, end: 1, slot: 0, value: 3 },
      { start: 0, end: 1, slot: 2, value: 0 },
    ];
    expect(histogramRows(result([{ group: {}, points, total: 4 }]), 5, 'dow')).toEqual([
      { account_id: 5, dow: 0, report_count: 3 },
      { account_id: 5, dow: 6, report_count: 1 },
    ]);
  });

  it('field selections: distinct created reports per (value, name)', () => {
    const s = (value: string | null, name: string | null, report: string): Series => ({
      group: { 'dims.value': value, 'dims.name': name, 'dims.report': report },
      points: [],
      total: 1,
    });
    const selections = result([
      s('a', 'A', '1'),
      s('a', 'A', '2'),
      s('a', 'A2', '3'),
      s('b', 'B', '9'),
      s(null, 'N', '1'),
    ]);
    // Report 9 was not created in the range; a missing value is no selection.
    expect(fieldSelectionRows(selections, new Set(['1', '2', '3']), '12', 4)).toEqual([
      { field_id: 12, account_id: 4, name: 'A', value: 'a', report_count: 2 },
      { field_id: 12, account_id: 4, name: 'A2', value: 'a', report_count: 1 },
    ]);
  });

  it('states: latest at end, changes win ties over creations, then the larger id', () => {
    const range = { from: 100, to: 200 };
    const events = [
      event('report.created', 'c1', 100, { report: '1', state: '1', state_name: 'Open' }),
      event('report.state_changed', 'b', 150, { report: '1', state: '2', state_name: 'Doing' }),
      event('report.state_changed', 'a', 150, { report: '1', state: '3', state_name: 'Done' }),
      event('report.state_changed', 'x', 200, { report: '2', state: '3', state_name: 'Done!' }),
      event('report.created', 'z', 199, { report: '2', state: '1', state_name: 'Open' }),
      event('report.state_changed', 'a', 199, { report: '2', state: '3', state_name: 'Done (old)' }),
      event('report.created', 'c3', 200, { report: '3', state: '1', state_name: 'Open' }),
      event('report.created', 'c4', 120, { report: '4' }),
    ];
    // 1: ids b > a at 150, so 2. 2: changed at 199 (beats the creation), then again at 200 = end: 3 "Done!".
    // 3: created at the end, not in range. 4: no state, left out.
    expect(stateRows(events, range, 1)).toEqual([
      { id: 2, name: 'Doing', account_id: 1, report_count: 1 },
      { id: 3, name: 'Done!', account_id: 1, report_count: 1 },
    ]);
  });

  it('images: styles default to null', () => {
    const e = event('report.image_added', 'i', Date.UTC(2016, 10, 7, 1, 2, 3, 4), {
      image: '3',
      report: 'r',
    });
    expect(imageRows([e], 1)).toEqual([
      {
        report_image_id: 3,
        account_id: 1,
        report_id: 'r',
        created_at: '2016-11-07T01:02:03.004Z',
        styles: { thumb: null, medium: null },
      },
    ]);
  });

  it('awareness: figures in the order asked, 0 for users without one, names or null', () => {
    const figures = new Map([
      ['unique_alerts', new Map([['3', 2]])],
      ['alerts_opened', new Map([['10', 1]])],
    ]);
    const names = new Map([['3', { first_name: 'John', last_name: 'Doe' }]]);
    expect(awarenessRows(['10', '3'], figures, names)).toEqual([
      { unique_alerts: 2, alerts_opened: 0, user_id: 3, first_name: 'John', last_name: 'Doe' },
      { unique_alerts: 0, alerts_opened: 1, user_id: 10, first_name: null, last_name: null },
    ]);
  });
});
