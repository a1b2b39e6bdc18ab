/**
 * The hand-built SaferMe channel the HTTP tests load through the native API, and the
 * stored expected answers (test/compat/fixtures/saferme/*.json). Every figure in the
 * fixtures is worked out by hand in the comments below and in saferme.test.ts.
 *
 * Channel 1 (org "1", timezone America/New_York, which SaferMe ignores: it answers in UTC),
 * sub-org "11" and channel "2" hold reports that must never count for channel 1.
 * Main range [2016-11-07T00:00Z, 2016-11-14T00:00Z), a Monday to the next Monday.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ev, type TestApp } from '../helpers.js';

export const MAIN = 'channel_id=1&start_date=2016-11-07T00:00:00Z&end_date=2016-11-14T00:00:00Z';

/** A stored expected answer. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`fixtures/saferme/${name}.json`, import.meta.url), 'utf8'));
}

const created = (
  id: string,
  report: number,
  time: string,
  actor: string | null,
  state: number,
  name: string,
) =>
  ev({
    id,
    type: 'report.created',
    org: '1',
    time,
    ...(actor ? { actor } : {}),
    dims: { report, state, state_name: name },
  });
const changed = (id: string, report: number, time: string, state: number, name: string) =>
  ev({ id, type: 'report.state_changed', org: '1', time, dims: { report, state, state_name: name } });
const selected = (id: string, report: number, time: string, field: number, value: string, name: string) =>
  ev({ id, type: 'report.field_selected', org: '1', time, dims: { report, field, value, name } });
const read = (id: string, actor: string | null, report: number, time: string) =>
  ev({ id, type: 'report.read', org: '1', time, ...(actor ? { actor } : {}), dims: { report } });
const sent = (id: string, actor: string, alert: number, report: number, time: string) =>
  ev({ id, type: 'alert.sent', org: '1', time, actor, dims: { alert, report } });
const opened = (id: string, actor: string, alert: number, time: string) =>
  ev({ id, type: 'alert.opened', org: '1', time, actor, dims: { alert } });

const EVENTS = [
  // Reports 101-105 are created in the main range; 106 before it; 107 at its (exclusive) end.
  created('c101', 101, '2016-11-07T00:00:00Z', '3', 1, 'Open'), // Mon, hour 0
  created('c102', 102, '2016-11-07T09:30:00Z', '3', 1, 'Open'), // Mon, hour 9
  created('c103', 103, '2016-11-09T23:59:59Z', '4', 1, 'Open'), // Wed, hour 23
  created('c104', 104, '2016-11-10T01:15:00Z', 'ext-9', 2, 'In progress'), // Thu, hour 1
  created('z105', 105, '2016-11-13T01:00:00Z', null, 1, 'Open'), // Sun (Nov 12 in New York), hour 1
  created('c106', 106, '2016-10-31T23:59:59Z', '3', 1, 'Open'), // Mon of the week before
  created('c107', 107, '2016-11-14T00:00:00Z', '3', 1, 'Open'), // Mon, the next week
  ev({
    id: 'c108',
    type: 'report.created',
    org: '11',
    time: '2016-11-08T10:00:00Z',
    actor: '3',
    dims: { report: 108, state: 1 },
  }),
  ev({
    id: 'c109',
    type: 'report.created',
    org: '2',
    time: '2016-11-08T10:00:00Z',
    actor: '3',
    dims: { report: 109, state: 1 },
  }),
  // ISO week 53 of 2020 (Mon Dec 28 - Sun Jan 3) and week 1 of 2021.
  created('c201', 201, '2020-12-31T10:00:00Z', '3', 1, 'Open'),
  created('c202', 202, '2021-01-03T23:00:00Z', '3', 1, 'Open'),
  created('c203', 203, '2021-01-04T00:00:00Z', '3', 1, 'Open'),

  // States at end_date (2016-11-14T00:00Z, changes at or before it count):
  changed('s1', 101, '2016-11-08T00:00:00Z', 3, 'Resolved'),
  changed('s2', 101, '2016-11-14T00:00:00Z', 4, 'Closed'), // exactly at end_date: 101 -> 4
  changed('s3', 102, '2016-11-14T00:00:01Z', 3, 'Resolved'), // after end_date: 102 stays 1
  changed('s4', 103, '2016-11-10T00:00:00Z', 3, 'Resolved'), // 103 -> 3
  changed('sc-a', 104, '2016-11-11T12:00:00Z', 3, 'Resolved'),
  changed('sc-b', 104, '2016-11-11T12:00:00Z', 1, 'Open'), // same time, larger id wins: 104 -> 1
  changed('a105', 105, '2016-11-13T01:00:00Z', 2, 'In progress'), // same time as creation: change wins, 105 -> 2
  changed('s6', 106, '2016-11-08T00:00:00Z', 3, 'Resolved'), // 106 was created before the range
  // So: state 1 {102, 104} = 2, state 2 {105} = 1, state 3 {103} = 1, state 4 {101} = 1.

  // Field 2 selections: f1 {101, 102, 105} = 3, f2 {103} = 1, f3 {105} = 1.
  selected('f1', 101, '2016-11-07T00:00:00Z', 2, 'f_1_2_2_2_1', 'Resolved'),
  selected('f2', 102, '2016-11-07T09:30:00Z', 2, 'f_1_2_2_2_1', 'Resolved'),
  selected('f3', 102, '2016-11-08T09:30:00Z', 2, 'f_1_2_2_2_1', 'Resolved'), // again: distinct reports
  selected('f4', 103, '2016-11-09T23:59:59Z', 2, 'f_1_2_2_2_2', 'Unresolved'),
  selected('f5', 103, '2016-11-14T00:00:01Z', 2, 'f_1_2_2_2_1', 'Resolved'), // after end_date
  selected('f6', 104, '2016-11-10T01:15:00Z', 5, 'x', 'Another field'),
  selected('f7', 105, '2016-11-13T01:00:00Z', 2, 'f_1_2_2_2_1', 'Resolved'),
  selected('f8', 105, '2016-11-13T01:00:00Z', 2, 'f_1_2_2_2_3', 'Other'),
  selected('f9', 106, '2016-11-08T00:00:00Z', 2, 'f_1_2_2_2_2', 'Unresolved'), // 106 not created in range

  // Images: two in the range; one before it and one at its end do not count.
  ev({
    id: 'i1',
    type: 'report.image_added',
    org: '1',
    time: '2016-11-07T00:00:00Z',
    dims: {
      report: 102,
      image: 3,
      thumb: 'https://s3.to/thumb-image.url',
      medium: 'https://s3.to/medium-image.url',
    },
  }),
  ev({
    id: 'i2',
    type: 'report.image_added',
    org: '1',
    time: '2016-11-10T05:06:07.089Z',
    dims: { report: 'r-x', image: 'img-b', thumb: 'https://s3.to/thumb-b.url' },
  }),
  ev({
    id: 'i3',
    type: 'report.image_added',
    org: '1',
    time: '2016-11-06T23:59:59Z',
    dims: { report: 101, image: 4 },
  }),
  ev({
    id: 'i4',
    type: 'report.image_added',
    org: '1',
    time: '2016-11-14T00:00:00Z',
    dims: { report: 101, image: 5 },
  }),

  // Reads in range: 3->101 twice, 3->102, 4->101, 5->103, anonymous->105, 4->106 = 7 reads;
  // pairs (3,101) (3,102) (4,101) (5,103) (4,106) = 5; readers 3, 4, 5 = 3; reports 101 102 103 105 106 = 5.
  read('r1', '3', 101, '2016-11-07T10:00:00Z'),
  read('r2', '3', 101, '2016-11-08T10:00:00Z'),
  read('r3', '3', 102, '2016-11-08T11:00:00Z'),
  read('r4', '4', 101, '2016-11-09T10:00:00Z'),
  read('r5', '5', 103, '2016-11-10T10:00:00Z'),
  read('r6', null, 105, '2016-11-13T10:00:00Z'),
  read('r7', '4', 106, '2016-11-13T11:00:00Z'),
  read('r8', '6', 104, '2016-11-06T10:00:00Z'), // before the range
  read('r9', '6', 104, '2016-11-14T00:00:00Z'), // at its end

  // Alerts sent in range: user 3 -> 501 (about 101) twice and 502 (101): 3 sent, 1 report, 2 alerts;
  // user 4 -> 501 (101), 503 (102): 2, 2, 2; user 7 -> 504 (103): 1, 1, 1. User 8's alert is before it.
  sent('a1', '3', 501, 101, '2016-11-07T10:00:00Z'),
  sent('a2', '3', 501, 101, '2016-11-07T11:00:00Z'),
  sent('a3', '3', 502, 101, '2016-11-08T10:00:00Z'),
  sent('a4', '4', 501, 101, '2016-11-07T10:00:00Z'),
  sent('a5', '4', 503, 102, '2016-11-09T10:00:00Z'),
  sent('a6', '7', 504, 103, '2016-11-10T10:00:00Z'),
  sent('a7', '8', 505, 104, '2016-11-06T10:00:00Z'),
  // Opened in range: user 3 opens 501 twice and 502: 2 alerts; user 4 opens 503 (501 at end_date
  // does not count): 1; user 7: 0; user 8 opens one but got no alert in the range: no row.
  opened('o1', '3', 501, '2016-11-07T12:00:00Z'),
  opened('o2', '3', 501, '2016-11-08T12:00:00Z'),
  opened('o3', '3', 502, '2016-11-08T13:00:00Z'),
  opened('o4', '4', 503, '2016-11-13T10:00:00Z'),
  opened('o5', '4', 501, '2016-11-14T00:00:00Z'),
  opened('o6', '8', 505, '2016-11-08T10:00:00Z'),
];

/** Load the orgs, actors and events above through the native HTTP API, as a user would. */
export async function loadChannel(t: TestApp): Promise<void> {
  const ok = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode, res.body).toBe(200);
  };
  ok(await t.call('PUT', '/v1/orgs/1', { body: { name: 'Channel 1', timezone: 'America/New_York' } }));
  ok(await t.call('PUT', '/v1/orgs/11', { body: { parent: '1' } }));
  ok(await t.call('PUT', '/v1/orgs/2', { body: {} }));
  ok(await t.call('PUT', '/v1/orgs/1/actors/3', { body: { first_name: 'John', last_name: 'Doe' } }));
  ok(await t.call('PUT', '/v1/orgs/1/actors/4', { body: { first_name: 'Jane', last_name: 'Roe' } }));
  ok(await t.call('POST', '/v1/events', { body: EVENTS }));
}
