/**
 * Capgo test data: the datasets loaded through the native API, with the figures each yields
 * worked out by hand (the stored answers in fixtures/capgo hold the same figures), and helpers.
 * Now is 2026-11-20T12:00Z, so today is Nov 20 and Nov 21 onwards are future days.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ev, type TestApp } from '../helpers.js';

/** A stored expected answer from test/compat/fixtures/capgo. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/capgo/${name}.json`, import.meta.url), 'utf8'));
}

/** Create the orgs, then ingest the events as one batch, through the native API. */
export async function load(
  t: TestApp,
  orgs: Record<string, object>,
  events: Record<string, unknown>[],
): Promise<void> {
  for (const [id, body] of Object.entries(orgs)) {
    expect((await t.call('PUT', `/v1/orgs/${id}`, { body })).statusCode).toBe(200);
  }
  const res = await t.call('POST', '/v1/events', { body: events });
  expect(res.json()).toEqual({ accepted: events.length, duplicates: 0 });
}

/** An `activity` of device `actor` on `app` (and `version`). */
export const act = (org: string, app: string, actor: string, time: string, version?: string) =>
  ev({ org, actor, time, dims: version === undefined ? { app } : { app, version } });
/** A `storage` gauge reading of `app`. */
export const gauge = (org: string, app: string, value: number, time: string) =>
  ev({ org, type: 'storage', value, time, dims: { app } });
/** `bandwidth` bytes of `app`. */
export const bytes = (org: string, app: string, value: number, time: string) =>
  ev({ org, type: 'bandwidth', value, time, dims: { app } });

/**
 * acme (root) > acme-eu (child); globex (root). Range Nov 16..20 (to=Nov 22, cut at today).
 *
 * com.acme.app (acme)
 *   activity  Nov 14 d0, d1 (before from) | 16 d1, d1, d2 | 17 d2, d3 | 19 d1, d4 | 20 d4
 *             mau since from: 2, 3, 3, 4, 4      new per day: 2, 1, 0, 1, 0
 *   storage   Nov 10 1000 (before from) | 17 1500 then 1200 | 19 2000
 *             end of day: 1000, 1200, 1200, 2000, 2000      change: 1000, 200, 0, 800, 0
 *   bandwidth Nov 15 999 (before from) | 16 100 + 50 | 18 300 | 20 25
 *             running: 150, 150, 450, 450, 475      per day: 150, 0, 300, 0, 25
 * com.acme.lite (acme)
 *   activity  Nov 17 d1 | 18 d5              mau 0, 1, 2, 2, 2      new: 0, 1, 1, 0, 0
 *   storage   Nov 18 500                     0, 0, 500, 500, 500    change: 0, 0, 500, 0, 0
 *   bandwidth Nov 19 70                      0, 0, 0, 70, 70        per day: 0, 0, 0, 70, 0
 * acme, no app: activity Nov 17 d9, storage Nov 17 7777, bandwidth Nov 17 8888 (never counted)
 * com.eu.app (acme-eu): activity Nov 16 e1 | storage Nov 16 300 | bandwidth Nov 20 10
 *   mau 1, 1, 1, 1, 1; storage 300 x5; bandwidth 0, 0, 0, 0, 10 (per day 0, 0, 0, 0, 10)
 * com.globex.app (globex): activity Nov 19 g1, g2 | storage Nov 1 4000
 *   mau 0, 0, 0, 2, 2; storage 4000 x5; bandwidth 0
 *
 * org acme     = app + lite: mau 2, 4, 5, 6, 6; storage 1000, 1200, 1700, 2500, 2500;
 *                bandwidth 150, 150, 450, 520, 545
 *   per day:   mau 2, 2, 1, 1, 0; storage 1000, 200, 500, 800, 0; bandwidth 150, 0, 300, 70, 25
 * user (acme key: acme + acme-eu): mau 3, 5, 6, 7, 7; storage 1300, 1500, 2000, 2800, 2800;
 *                bandwidth 150, 150, 450, 520, 555
 *   per day:   mau 3, 2, 1, 1, 0; storage 1300, 200, 500, 800, 0; bandwidth 150, 0, 300, 70, 35
 * user (admin, + globex): mau 3, 5, 6, 9, 9; storage 5300, 5500, 6000, 6800, 6800; bandwidth as above
 */
export async function loadStats(t: TestApp): Promise<void> {
  const A = 'com.acme.app';
  const L = 'com.acme.lite';
  await load(t, { acme: {}, 'acme-eu': { parent: 'acme' }, globex: {} }, [
    act('acme', A, 'd0', '2026-11-14T11:00:00Z'),
    act('acme', A, 'd1', '2026-11-14T10:00:00Z'),
    act('acme', A, 'd1', '2026-11-16T01:00:00Z'),
    act('acme', A, 'd1', '2026-11-16T23:59:59Z'),
    act('acme', A, 'd2', '2026-11-16T12:00:00Z'),
    act('acme', A, 'd2', '2026-11-17T12:00:00Z'),
    act('acme', A, 'd3', '2026-11-17T13:00:00Z'),
    act('acme', A, 'd1', '2026-11-19T00:00:00Z'),
    act('acme', A, 'd4', '2026-11-19T08:00:00Z'),
    act('acme', A, 'd4', '2026-11-20T09:00:00Z'),
    gauge('acme', A, 1000, '2026-11-10T00:00:00Z'),
    gauge('acme', A, 1500, '2026-11-17T08:00:00Z'),
    gauge('acme', A, 1200, '2026-11-17T20:00:00Z'),
    gauge('acme', A, 2000, '2026-11-19T06:00:00Z'),
    bytes('acme', A, 999, '2026-11-15T23:59:59Z'),
    bytes('acme', A, 100, '2026-11-16T00:00:00Z'),
    bytes('acme', A, 50, '2026-11-16T18:00:00Z'),
    bytes('acme', A, 300, '2026-11-18T05:00:00Z'),
    bytes('acme', A, 25, '2026-11-20T11:00:00Z'),
    act('acme', L, 'd1', '2026-11-17T09:00:00Z'),
    act('acme', L, 'd5', '2026-11-18T09:00:00Z'),
    gauge('acme', L, 500, '2026-11-18T10:00:00Z'),
    bytes('acme', L, 70, '2026-11-19T10:00:00Z'),
    ev({ org: 'acme', actor: 'd9', time: '2026-11-17T10:00:00Z' }),
    ev({ org: 'acme', type: 'storage', value: 7777, time: '2026-11-17T10:00:00Z' }),
    ev({ org: 'acme', type: 'bandwidth', value: 8888, time: '2026-11-17T10:00:00Z' }),
    act('acme-eu', 'com.eu.app', 'e1', '2026-11-16T10:00:00Z'),
    gauge('acme-eu', 'com.eu.app', 300, '2026-11-16T10:00:00Z'),
    bytes('acme-eu', 'com.eu.app', 10, '2026-11-20T10:00:00Z'),
    act('globex', 'com.globex.app', 'g1', '2026-11-19T10:00:00Z'),
    act('globex', 'com.globex.app', 'g2', '2026-11-19T11:00:00Z'),
    gauge('globex', 'com.globex.app', 4000, '2026-11-01T00:00:00Z'),
  ]);
}

/** The statistics range of `loadStats`: Nov 16..20 (Nov 21 is future). */
export const RANGE = 'from=2026-11-16&to=2026-11-22';

/**
 * org initech, app com.bundle.app; labels Nov 13..22 (to inclusive), today Nov 20.
 *   13: nothing                        -> 0s (no data yet)
 *   14: 1.0.0, 1.0.1, 1.0.2 once each  -> 1/3 = 33.33..: 33.3 x3 = 99.9, the tenth left goes to the
 *                                          tie's earliest: 33.4, 33.3, 33.3
 *   15: 1.0.0 x1, 1.0.1 x6             -> 1/7 = 14.285.. (rest .857) and 6/7 = 85.714.. (rest .143):
 *                                          14.2 + 85.7 = 99.9, the tenth to 1.0.0: 14.3, 85.7
 *   16: nothing                        -> repeats 15
 *   17: 1.0.0, 1.0.1, 1.0.2 x1, 1.0.3 x3 -> 1/6 = 16.66.. three times (rest .667 each), 50 exact:
 *                                          16.6 x3 + 50 = 99.8, two tenths to the first two ties:
 *                                          16.7, 16.7, 16.6, 50
 *   18: 1.0.0 x2, 1.0.1 x5             -> 2/7 = 28.571.. (.714), 5/7 = 71.428.. (.286): 28.6, 71.4
 *   19: 1.0.3 x1 (+ one without version, + another app's 9.9.9) -> 100 for 1.0.3
 *   20: nothing, today                 -> repeats 19
 *   21, 22: future                     -> 0s
 * 2.0.0 is only seen on Nov 10, before the range: left out.
 */
export async function loadBundles(t: TestApp): Promise<void> {
  const B = 'com.bundle.app';
  const at = (day: number, version: string, n = 1) =>
    Array.from({ length: n }, (_, k) =>
      act('initech', B, `v${version}-${k}`, `2026-11-${day}T0${k % 10}:00:00Z`, version),
    );
  await load(t, { initech: {} }, [
    ...at(10, '2.0.0'),
    ...at(14, '1.0.0'),
    ...at(14, '1.0.1'),
    ...at(14, '1.0.2'),
    ...at(15, '1.0.0'),
    ...at(15, '1.0.1', 6),
    ...at(17, '1.0.0'),
    ...at(17, '1.0.1'),
    ...at(17, '1.0.2'),
    ...at(17, '1.0.3', 3),
    ...at(18, '1.0.0', 2),
    ...at(18, '1.0.1', 5),
    ...at(19, '1.0.3'),
    act('initech', B, 'nov', '2026-11-19T05:00:00Z'),
    act('initech', 'com.other.app', 'o1', '2026-11-19T05:00:00Z', '9.9.9'),
    // 1/7 with seven versions: 14.2 x7 = 99.4, six tenths to the six earliest ties.
    ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((v) =>
      act('initech', 'com.seven.app', v, '2026-11-02T10:00:00Z', v),
    ),
  ]);
}
