/**
 * The plans and scans: the channel alone, UTC with Monday weeks, and the "as of end_date"
 * (inclusive) reads of states and field selections.
 */
import { describe, expect, it } from 'vitest';
import { parseRequest } from './params.js';
import {
  awarenessPlan,
  fieldSelectionsPlan,
  histogramPlan,
  overTimePlan,
  readPlan,
  statesScan,
} from './plans.js';

const FROM = Date.UTC(2016, 10, 7);
const TO = Date.UTC(2016, 10, 14);
const query = { channel_id: '1', start_date: '2016-11-07', end_date: '2016-11-14', field_id: '2' };

describe('plans', () => {
  it('cover the channel alone, in UTC, ISO weeks, sparse', () => {
    const p = overTimePlan(parseRequest('reports_over_time', query), 'week');
    expect(p).toMatchObject({
      orgs: ['1'],
      types: ['report.created'],
      range: { from: FROM, to: TO },
      timezone: 'UTC',
      weekStart: 1,
      bucket: 'week',
      aggregation: { fn: 'count' },
      fill: 'sparse',
    });
    expect(histogramPlan(parseRequest('reports_per_day_hour', query), 'hour_of_day').bucket).toBe(
      'hour_of_day',
    );
  });

  it('read states and selections as of end_date inclusive', () => {
    const r = parseRequest('reports_per_field_selection', query);
    expect(statesScan(r)).toEqual({
      orgs: ['1'],
      types: ['report.created', 'report.state_changed'],
      filters: [],
      from: FROM,
      to: TO + 1,
    });
    const p = fieldSelectionsPlan(r, ['101']);
    expect(p.range).toEqual({ from: FROM, to: TO + 1 });
    expect(p.filters).toEqual([
      { field: { kind: 'dim', key: 'field' }, op: 'eq', values: ['2'] },
      { field: { kind: 'dim', key: 'report' }, op: 'in', values: ['101'] },
    ]);
  });

  it('count reads and alerts as the contract defines them', () => {
    const r = parseRequest('reports_read', query);
    expect(readPlan(r, 'unique_reads').aggregation).toEqual({
      fn: 'unique',
      of: [{ kind: 'actor' }, { kind: 'dim', key: 'report' }],
    });
    const a = awarenessPlan(parseRequest('user_awareness', query), 'alerts_opened');
    expect([a.types, a.groupBy, a.aggregation]).toEqual([
      ['alert.opened'],
      [{ kind: 'actor' }],
      { fn: 'unique', of: [{ kind: 'dim', key: 'alert' }] },
    ]);
  });
});
