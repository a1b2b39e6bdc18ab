/**
 * VIKTOR `GET /api/statistics/` in-process, against hand-computed fixtures in fixtures/viktor/.
 * The data set spans 2020-12-28 .. 2021-01-05: a month boundary, a year boundary where ISO week
 * 2020-W53 holds 2021-01-01..03, deleted actors (one exactly at midnight), event-only actors,
 * devices and actor-less events (never counted), workspace types, and an org tree with domains.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viktorSurface } from '../../src/compat/viktor/index.js';
import { ev, makeApp, type TestApp } from '../helpers.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/viktor/${name}.json`, import.meta.url), 'utf8'));

const RANGE = 'start=2020-12-28&end=2021-01-05';
const url = (q: string): string => `/api/statistics/?${q}`;

let t: TestApp;
let acmeRead: string;
let euRead: string;

/*
 * Orgs: acme (acme.com) > acme-eu (eu.acme.com) > acme-eu-lab; globex (globex.com).
 * Actors (u1-u4 and e1, g1 users; d1, dev2, dev3, l1 developers; dv1 a device):
 *   acme: u1 born 2020-06-01; u2 born 12-29 15:00, deleted 01-03 10:00; d1 born 12-30 00:00;
 *         dev2 born 01-04 23:59:59; dev3 born 2020-01-01, deleted 2021-01-01 00:00 (a deletion on 01-01: still there at the end of 12-31);
 *         dv1 device; u3 and u4 known only from events (first seen 01-02 08:00 and 12-15).
 *   acme-eu: e1 user born 12-31 12:00. acme-eu-lab: l1 developer born 12-01. globex: g1 user born 2020-01-01.
 */
const ACTORS: [string, string, Record<string, unknown>][] = [
  ['acme', 'u1', { kind: 'user', created_at: '2020-06-01T00:00:00Z' }],
  ['acme', 'u2', { kind: 'user', created_at: '2020-12-29T15:00:00Z', deleted_at: '2021-01-03T10:00:00Z' }],
  ['acme', 'd1', { kind: 'developer', created_at: '2020-12-30T00:00:00Z' }],
  ['acme', 'dev2', { kind: 'developer', created_at: '2021-01-04T23:59:59Z' }],
  [
    'acme',
    'dev3',
    { kind: 'developer', created_at: '2020-01-01T00:00:00Z', deleted_at: '2021-01-01T00:00:00Z' },
  ],
  ['acme', 'dv1', { kind: 'device', created_at: '2020-01-01T00:00:00Z' }],
  ['acme-eu', 'e1', { kind: 'user', created_at: '2020-12-31T12:00:00Z' }],
  ['acme-eu-lab', 'l1', { kind: 'developer', created_at: '2020-12-01T00:00:00Z' }],
  ['globex', 'g1', { kind: 'user', created_at: '2020-01-01T00:00:00Z' }],
];

const act = (org: string, actor: string | null, time: string, ws: string, type?: string) =>
  ev({
    org,
    time,
    ...(actor === null ? {} : { actor }),
    dims: type === undefined ? { workspace: ws } : { workspace: ws, workspace_type: type },
  });

const EVENTS = [
  act('acme', 'u1', '2020-12-28T09:00:00Z', '10'), // #1 standard by default
  act('acme', 'u1', '2020-12-28T17:00:00Z', '10', 'standard'), // #2 same actor, same day
  act('acme', 'u2', '2020-12-29T16:00:00Z', '10', 'standard'), // #3
  act('acme', 'u1', '2020-12-29T11:00:00Z', '10', 'standard'), // #21 u1 again in ws 10, another day
  act('acme', 'd1', '2020-12-30T10:00:00Z', '20', 'development'), // #4
  act('acme', 'd1', '2020-12-31T23:59:59Z', '10', 'standard'), // #5 a developer is a user too
  act('acme', 'u1', '2021-01-01T00:00:00Z', '20', 'development'), // #6 user on a dev workspace
  act('acme', 'u3', '2021-01-02T08:00:00Z', '30', 'public'), // #7 public: monthly only
  act('acme', 'dv1', '2021-01-02T09:00:00Z', '10', 'standard'), // #8 device: never
  act('acme', null, '2021-01-02T10:00:00Z', '10'), // #9 no actor: never
  act('acme', 'u2', '2021-01-03T09:00:00Z', '10'), // #10 before u2's deletion that day
  act('acme', 'dev2', '2021-01-04T12:00:00Z', '20', 'development'), // #11
  act('acme', 'u1', '2021-01-05T12:00:00Z', '10'), // #12
  act('acme', 'd1', '2021-01-05T13:00:00Z', '20', 'development'), // #13
  act('acme', 'u1', '2021-01-06T00:00:00Z', '10'), // #14 the day after end: out
  act('acme', 'u1', '2020-12-27T23:59:59Z', '10'), // #15 the day before start: out (but ws 10 history)
  act('acme', 'u4', '2020-12-15T10:00:00Z', '40'), // #16 ws 40 has no activity in range
  ev({ org: 'acme', actor: 'u1', type: 'login', time: '2020-12-29T10:00:00Z', dims: { workspace: '10' } }), // #17
  act('acme-eu', 'e1', '2021-01-01T12:00:00Z', '50'), // #18
  act('acme-eu-lab', 'l1', '2021-01-04T08:00:00Z', '60', 'development'), // #19
  act('globex', 'g1', '2021-01-01T10:00:00Z', '70', 'standard'), // #20
];

beforeAll(async () => {
  t = await makeApp({ surfaces: [viktorSurface] });
  const orgs: [string, Record<string, unknown>][] = [
    ['acme', { domain: 'acme.com' }],
    ['acme-eu', { parent: 'acme', domain: 'eu.acme.com' }],
    ['acme-eu-lab', { parent: 'acme-eu' }],
    ['globex', { domain: 'globex.com' }],
  ];
  for (const [id, body] of orgs)
    expect((await t.call('PUT', `/v1/orgs/${id}`, { body })).statusCode).toBe(200);
  for (const [org, id, body] of ACTORS) {
    expect((await t.call('PUT', `/v1/orgs/${org}/actors/${id}`, { body })).statusCode).toBe(200);
  }
  expect((await t.call('POST', '/v1/events', { body: EVENTS })).statusCode).toBe(200);
  acmeRead = await t.newKey('read', ['acme']);
  euRead = await t.newKey('read', ['acme-eu']);
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/statistics/ scopes', () => {
  /*
   * users, every org (admin key). total_users at each day's end:
   *   always u1 u4 l1 g1 = 4; + dev3 on 12-28..31; + u2 on 12-29..01-02; + d1 from 12-30; + e1 from 12-31;
   *   + u3 from 01-02; + dev2 from 01-04 -> 5 6 7 8 7 8 7 8 8.
   * monthly_active_users: Dec {u1,u2,d1} = 3; Jan {u1,u3,u2,dev2,d1,e1,l1,g1} = 8.
   * per_day (standard or missing type): 12-28 u1; 12-29 u2,u1; 12-30 -; 12-31 d1; 01-01 e1,g1; 01-02 -;
   *   01-03 u2; 01-04 -; 01-05 u1 -> 1 2 0 1 2 0 1 0 1.
   * per_week: 2020-W53 (12-28..01-03) = 7, 2021-W01 (01-04..05) = 1. per_month: Dec 4, Jan 4.
   */
  it('users: fixture users.json', async () => {
    const res = await t.call('GET', url(`stats_type=users&${RANGE}`));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(fixture('users'));
  });

  /*
   * developers: d1 dev2 dev3 l1. total: l1 always; dev3 12-28..31; d1 from 12-30; dev2 from 01-04
   *   -> 2 2 3 3 2 2 2 3 3. monthly (any workspace): Dec {d1} 1; Jan {dev2,d1,l1} 3.
   * per_day (development only): 12-30 d1; 01-04 dev2,l1; 01-05 d1 -> 0 0 1 0 0 0 0 2 1; W53 1, W01 3; Dec 1, Jan 3.
   */
  it('developers: fixture developers.json', async () => {
    const res = await t.call('GET', url(`stats_type=developers&${RANGE}`));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(fixture('developers'));
  });

  /*
   * workspaces with activity in range: 10 20 30 50 60 70 (40 only before the range).
   * total_users (active on or before the day, any time): ws10 u1 (12-27) then u2 12-29, d1 12-31 -> 1 2 2 3 3 3 3 3 3;
   *   ws20 d1 12-30, u1 01-01, dev2 01-04 -> 0 0 1 1 2 2 2 3 3; ws30 from 01-02; ws50 and ws70 from 01-01; ws60 from 01-04.
   * monthly: Dec ws10 {u1,u2,d1} 3, ws20 {d1} 1; Jan ws10 {u2,u1} 2, ws20 {u1,dev2,d1} 3, others 1.
   * daily per_month: Dec ws10 1+2+1 = 4 (u1 twice), ws20 1; Jan ws10 2, ws20 3, others 1.
   */
  it('workspaces: fixture workspaces.json', async () => {
    const res = await t.call('GET', url(`stats_type=workspaces&${RANGE}`));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(fixture('workspaces'));
  });

  it('a time of day covers the whole day; the same answer from date-times', async () => {
    const res = await t.call(
      'GET',
      url('stats_type=users&start=2020-12-28T23:59:59Z&end=2021-01-05T08:00:00'),
    );
    expect(res.json()).toEqual(fixture('users'));
    // 2021-01-05T00:30+01:00 is 2021-01-04T23:30Z: the range ends with 01-04 (UTC days).
    const off = await t.call(
      'GET',
      url('stats_type=developers&start=2020-12-28&end=2021-01-05T00:30:00%2B01:00'),
    );
    const d = off.json<{ developers: { total_developers: { day: number }[] } }>();
    expect(d.developers.total_developers.map((r) => r.day)).toEqual([28, 29, 30, 31, 1, 2, 3, 4]);
  });

  /*
   * One day, 2021-01-01: total 7 (as above); monthly counts only that day: u1 (#6), e1, g1 = 3;
   * per_day e1, g1 = 2; the week is 2020-W53; the month 2021-01.
   */
  it('a one-day range counts only that day, in ISO week 53 of 2020', async () => {
    const res = await t.call('GET', url('stats_type=users&start=2021-01-01&end=2021-01-01'));
    expect(res.json()).toEqual({
      users: {
        total_users: [{ year: 2021, month: 1, day: 1, count: 7 }],
        monthly_active_users: [{ year: 2021, month: 1, count: 3 }],
        daily_active_users: {
          per_day: [{ year: 2021, month: 1, day: 1, count: 2 }],
          per_week: [{ year: 2020, week: 53, count: 2 }],
          per_month: [{ year: 2021, month: 1, count: 2 }],
        },
      },
    });
  });

  it('a range with no data still lists every day, week and month with 0', async () => {
    const res = await t.call('GET', url('stats_type=workspaces&start=2019-02-27&end=2019-03-01'));
    expect(res.json()).toEqual({
      workspaces: {
        total_users: [
          { year: 2019, month: 2, day: 27 },
          { year: 2019, month: 2, day: 28 },
          { year: 2019, month: 3, day: 1 },
        ],
        monthly_active_users: [
          { year: 2019, month: 2 },
          { year: 2019, month: 3 },
        ],
        daily_active_users: {
          per_month: [
            { year: 2019, month: 2 },
            { year: 2019, month: 3 },
          ],
        },
      },
    });
  });
});

describe('org reach and org_domain', () => {
  /* A read key over acme: globex's g1 leaves -> total -1 each day, Jan monthly 7, 01-01 per_day 1. */
  it('without org_domain: every org the key reaches (fixture users-acme-key.json)', async () => {
    const res = await t.call('GET', url(`stats_type=users&${RANGE}`), { key: acmeRead });
    expect(res.json()).toEqual(fixture('users-acme-key'));
  });

  it('org_domain picks the org and its sub-orgs, case-insensitively (same as the acme key)', async () => {
    const res = await t.call('GET', url(`stats_type=users&${RANGE}&org_domain=ACME.com`));
    expect(res.json()).toEqual(fixture('users-acme-key'));
  });

  /*
   * eu.acme.com = acme-eu + acme-eu-lab: e1 (from 12-31), l1 (always) -> total 1 1 1 2 2 2 2 2 2;
   * monthly Dec 0, Jan {e1,l1} 2; per_day only 01-01 e1 (l1 is on development) -> W53 1, Jan 1.
   */
  it('a sub-org domain covers its own subtree only (fixture users-eu-domain.json)', async () => {
    const res = await t.call('GET', url(`stats_type=users&${RANGE}&org_domain=eu.acme.com`), { key: euRead });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(fixture('users-eu-domain'));
  });

  it('a key whose orgs do not exist yet gets zeros, not an error', async () => {
    const ghost = await t.newKey('read', ['ghost']);
    const res = await t.call('GET', url('stats_type=developers&start=2021-01-01&end=2021-01-01'), {
      key: ghost,
    });
    expect(res.json()).toEqual({
      developers: {
        total_developers: [{ year: 2021, month: 1, day: 1, count: 0 }],
        monthly_active_developers: [{ year: 2021, month: 1, count: 0 }],
        daily_active_developers: {
          per_day: [{ year: 2021, month: 1, day: 1, count: 0 }],
          per_week: [{ year: 2020, week: 53, count: 0 }],
          per_month: [{ year: 2021, month: 1, count: 0 }],
        },
      },
    });
  });
});
