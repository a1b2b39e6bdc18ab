/**
 * SaferMe analytics v4 in-process: every report against stored fixtures worked out by hand
 * (see saferme-data.ts for the events and the arithmetic), the width rules of
 * reports_over_time at their inclusive limits, ISO week 53 and month boundaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safermeSurface } from '../../src/compat/saferme/index.js';
import { makeApp, type TestApp } from '../helpers.js';
import { fixture, loadChannel, MAIN } from './saferme-data.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ surfaces: [safermeSurface] });
  await loadChannel(t);
});
afterAll(async () => {
  await t.close();
});

async function get(report: string, query: string): Promise<unknown> {
  const res = await t.call('GET', `/api/v4/analytics/${report}?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('SaferMe analytics v4: the main range (7 days)', () => {
  it('reports_over_time: day buckets, only non-empty, in UTC although the org is in New York', async () => {
    // 101+102 on Nov 7, 103 on Nov 9 (23:59:59Z), 104 on Nov 10, 105 on Nov 13 at 01:00Z (Nov 12 in NY).
    expect(await get('reports_over_time', MAIN)).toEqual(fixture('reports_over_time.day'));
  });

  it('reports_per_state: latest state at end_date, a change at end_date counts, one after it does not', async () => {
    expect(await get('reports_per_state', MAIN)).toEqual(fixture('reports_per_state'));
  });

  it('reports_per_field_selection: distinct reports per value for field_id', async () => {
    expect(await get('reports_per_field_selection', `${MAIN}&field_id=2`)).toEqual(
      fixture('reports_per_field_selection'),
    );
    // Field 5: only 104 chose "x".
    expect(await get('reports_per_field_selection', `${MAIN}&field_id=5`)).toEqual([
      { field_id: 5, account_id: 1, name: 'Another field', value: 'x', report_count: 1 },
    ]);
    // A field nobody filled in.
    expect(await get('reports_per_field_selection', `${MAIN}&field_id=77`)).toEqual([]);
  });

  it('reports_per_user: digits as numbers, other ids as strings, no reporter last', async () => {
    expect(await get('reports_per_user', MAIN)).toEqual(fixture('reports_per_user'));
  });

  it('reports_per_day_hour: UTC hours with reports only', async () => {
    expect(await get('reports_per_day_hour', MAIN)).toEqual(fixture('reports_per_day_hour'));
  });

  it('reports_per_week_day: 0 is Sunday, UTC weekdays with reports only', async () => {
    expect(await get('reports_per_week_day', MAIN)).toEqual(fixture('reports_per_week_day'));
  });

  it('reports_images: images added in [start, end), time order', async () => {
    expect(await get('reports_images', MAIN)).toEqual(fixture('reports_images'));
  });

  it('reports_read: only total_reads by default; any subset of fields', async () => {
    expect(await get('reports_read', MAIN)).toEqual({ total_reads: 7 });
    const all = 'fields=total_reads,unique_reads,report_readers,reports_seen';
    expect(await get('reports_read', `${MAIN}&${all}`)).toEqual(fixture('reports_read.all'));
    expect(await get('reports_read', `${MAIN}&fields=unique_reads`)).toEqual({ unique_reads: 5 });
    expect(await get('reports_read', `${MAIN}&fields=report_readers&fields=reports_seen`)).toEqual({
      report_readers: 3,
      reports_seen: 5,
    });
    expect(await get('reports_read', `${MAIN}&fields[]=reports_seen`)).toEqual({ reports_seen: 5 });
    // An empty list is no list: the default.
    expect(await get('reports_read', `${MAIN}&fields=`)).toEqual({ total_reads: 7 });
  });

  it('user_awareness: one row per user with alerts, names from actors, fields as asked', async () => {
    expect(await get('user_awareness', MAIN)).toEqual(fixture('user_awareness.default'));
    const all = 'fields=total_alerts,alert_source_reports,unique_alerts,alerts_opened';
    expect(await get('user_awareness', `${MAIN}&${all}`)).toEqual(fixture('user_awareness.all'));
    expect(await get('user_awareness', `${MAIN}&fields=alerts_opened`)).toEqual([
      { alerts_opened: 2, user_id: 3, first_name: 'John', last_name: 'Doe' },
      { alerts_opened: 1, user_id: 4, first_name: 'Jane', last_name: 'Roe' },
      { alerts_opened: 0, user_id: 7, first_name: null, last_name: null },
    ]);
  });

  it('an empty range answers empty lists and zero totals', async () => {
    const q = 'channel_id=1&start_date=2015-01-01T00:00:00Z&end_date=2015-02-01T00:00:00Z';
    for (const report of ['reports_images', 'reports_over_time', 'reports_per_state', 'reports_per_user'])
      expect(await get(report, q)).toEqual([]);
    expect(await get('reports_per_day_hour', q)).toEqual([]);
    expect(await get('reports_per_field_selection', `${q}&field_id=2`)).toEqual([]);
    expect(await get('reports_read', `${q}&fields=total_reads,reports_seen`)).toEqual({
      total_reads: 0,
      reports_seen: 0,
    });
    expect(await get('user_awareness', q)).toEqual([]);
  });
});

describe('SaferMe analytics v4: the channel alone, and the range edges', () => {
  it('counts neither sub-org 11 nor channel 2', async () => {
    // 108 (org 11, Nov 8) and 109 (org 2, Nov 8) are reporter 3's; channel 1 still has 2 for user 3.
    expect(await get('reports_per_user', MAIN.replace('channel_id=1', 'channel_id=11'))).toEqual([
      { user_id: 3, account_id: 11, report_count: 1 },
    ]);
    expect(await get('reports_over_time', MAIN.replace('channel_id=1', 'channel_id=2'))).toEqual([
      {
        account_id: 2,
        datetime_range_start: '2016-11-08T00:00:00.000Z',
        report_count: 1,
        datetime_range_width: 'day',
      },
    ]);
  });

  it('half-open: a report at start_date counts, one at end_date does not', async () => {
    // [Nov 7 00:00, Nov 7 00:00:01) holds 101 only; [Nov 13 01:00:01, Nov 14 00:00) holds nothing (107 is at the end).
    expect(
      await get(
        'reports_per_user',
        'channel_id=1&start_date=2016-11-07T00:00:00Z&end_date=2016-11-07T00:00:01Z',
      ),
    ).toEqual([{ user_id: 3, account_id: 1, report_count: 1 }]);
    expect(
      await get(
        'reports_per_user',
        'channel_id=1&start_date=2016-11-13T01:00:01Z&end_date=2016-11-14T00:00:00Z',
      ),
    ).toEqual([]);
  });

  it('reports_per_state at an earlier end_date uses the states as of then', async () => {
    // [Nov 7, Nov 10T00:00:00Z]: 101 (changed to 3 on Nov 8), 102 (1), 103 (changed to 3 exactly at end_date).
    const q = 'channel_id=1&start_date=2016-11-07T00:00:00Z&end_date=2016-11-10T00:00:00Z';
    expect(await get('reports_per_state', q)).toEqual([
      { id: 1, name: 'Open', account_id: 1, report_count: 1 },
      { id: 3, name: 'Resolved', account_id: 1, report_count: 2 },
    ]);
  });

  it('accepts dates, offsets, and an offset whose + arrived as a space', async () => {
    // 2016-11-07T01:00:00+01:00 is Nov 7 00:00Z; the day range holds 101 and 102.
    const q = 'channel_id=1&start_date=2016-11-07T01:00:00+01:00&end_date=2016-11-08';
    expect(await get('reports_per_day_hour', q)).toEqual([
      { account_id: 1, hour: 0, report_count: 1 },
      { account_id: 1, hour: 9, report_count: 1 },
    ]);
    const encoded = 'channel_id=1&start_date=2016-11-07T01:00:00%2B01:00&end_date=2016-11-08T00:00:00.000Z';
    expect(await get('reports_per_day_hour', encoded)).toEqual(await get('reports_per_day_hour', q));
  });
});

describe('SaferMe analytics v4: reports_over_time widths (limits inclusive)', () => {
  const over = (start: string, end: string) =>
    get('reports_over_time', `channel_id=1&start_date=${start}&end_date=${end}`);

  it('exactly 48 hours is hour', async () => {
    // [Nov 7 00:00, Nov 9 00:00): 101 at 00:00, 102 at 09:30 -> bucket 09:00; 108 is in the sub-org.
    expect(await over('2016-11-07T00:00:00Z', '2016-11-09T00:00:00Z')).toEqual(
      fixture('reports_over_time.hour'),
    );
  });

  it('hour buckets start on the hour when start_date is mid-hour', async () => {
    // [Nov 7 09:15, Nov 9 09:15): 102 at 09:30 in the 09:00 bucket.
    expect(await over('2016-11-07T09:15:00Z', '2016-11-09T09:15:00Z')).toEqual([
      {
        account_id: 1,
        datetime_range_start: '2016-11-07T09:00:00.000Z',
        report_count: 1,
        datetime_range_width: 'hour',
      },
    ]);
  });

  it('48 hours and a second is day; exactly 31 days is still day', async () => {
    expect(await over('2016-11-07T00:00:00Z', '2016-11-09T00:00:01Z')).toEqual([
      {
        account_id: 1,
        datetime_range_start: '2016-11-07T00:00:00.000Z',
        report_count: 2,
        datetime_range_width: 'day',
      },
    ]);
    // [Oct 31, Dec 1) is 31 days: 106 (Oct 31 23:59:59), 101+102, 103, 104, 105, 107 (Nov 14).
    const days = (await over('2016-10-31T00:00:00Z', '2016-12-01T00:00:00Z')) as Record<string, unknown>[];
    expect(
      days.map((r) => [r['datetime_range_start'], r['report_count'], r['datetime_range_width']]),
    ).toEqual([
      ['2016-10-31T00:00:00.000Z', 1, 'day'],
      ['2016-11-07T00:00:00.000Z', 2, 'day'],
      ['2016-11-09T00:00:00.000Z', 1, 'day'],
      ['2016-11-10T00:00:00.000Z', 1, 'day'],
      ['2016-11-13T00:00:00.000Z', 1, 'day'],
      ['2016-11-14T00:00:00.000Z', 1, 'day'],
    ]);
  });

  it('31 days and a second is week, on Mondays, the first week starting before start_date', async () => {
    // [Oct 31 12:00, Dec 1 12:00:01): 106 at Oct 31 23:59:59 (week of Oct 31); 101-105 (week of Nov 7); 107.
    expect(await over('2016-10-31T12:00:00Z', '2016-12-01T12:00:01Z')).toEqual(
      fixture('reports_over_time.week'),
    );
  });

  it('exactly 366 days is week, across ISO week 53; a second more is month', async () => {
    // [2020-06-01, 2021-06-02) is 366 days: 201 (Thu Dec 31) and 202 (Sun Jan 3) are in 2020-W53
    // starting Mon Dec 28; 203 (Mon Jan 4) starts 2021-W01.
    expect(await over('2020-06-01T00:00:00Z', '2021-06-02T00:00:00Z')).toEqual(
      fixture('reports_over_time.iso-week'),
    );
    // Months: December 2020 holds 201; January 2021 holds 202 and 203.
    expect(await over('2020-06-01T00:00:00Z', '2021-06-02T00:00:01Z')).toEqual(
      fixture('reports_over_time.month'),
    );
  });

  it('all of time in months: 1970 to 9999 reads up to now and answers the months with reports', async () => {
    // Oct 2016: 106; Nov 2016: 101-105 and 107; Dec 2020: 201; Jan 2021: 202, 203.
    const months = (await over('1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z')) as Record<string, unknown>[];
    expect(
      months.map((r) => [r['datetime_range_start'], r['report_count'], r['datetime_range_width']]),
    ).toEqual([
      ['2016-10-01T00:00:00.000Z', 1, 'month'],
      ['2016-11-01T00:00:00.000Z', 6, 'month'],
      ['2020-12-01T00:00:00.000Z', 1, 'month'],
      ['2021-01-01T00:00:00.000Z', 2, 'month'],
    ]);
  });
});
