/**
 * Hostile input on every registered route (issue 11). The routes come from
 * the app itself (Fastify's onRoute), so an endpoint added later joins this
 * fuzz without anyone listing it: hostile path parameters, query strings,
 * bodies of any shape (deep, broken, NDJSON, bytes), content types,
 * encodings, credentials, and methods. No answer may be a 5xx, and every
 * error must be in the shape of the surface that owns the URL.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, evil, extraHeaders, queryString } from './arbitraries.js';
import {
  credential,
  credentialHeaders,
  fire,
  fuzzFixture,
  runs,
  TALLIES,
  type FuzzFixture,
} from './fuzz-setup.js';
import { READS } from './surface-reads.js';

let f: FuzzFixture;
beforeAll(async () => {
  f = await fuzzFixture();
});
afterAll(async () => {
  await f.t.close();
});

/** What each surface answers the read key about the fixture (the clock is fixed, so it is comparable). */
async function answers(): Promise<string[]> {
  const out: string[] = [];
  for (const r of READS)
    out.push((await f.t.call(r.method, r.url, { key: f.secrets.read, body: r.body })).body);
  return out;
}

/** Every parameter name any surface reads, so that random queries hit real parsers. */
const NAMES = [
  ...['stats_type', 'start', 'end', 'org_domain'],
  ...['stat_type', 'stat_subtype', 'start_time', 'end_time', 'user_id', 'usergroup_id'],
  ...['channel_id', 'start_date', 'end_date', 'field_id', 'fields'],
  ...['from', 'to', 'noAccumulate', 'breakdown'],
  ...['org', 'subtree', 'type', 'last', 'timezone', 'week_start', 'bucket', 'agg', 'of', 'per', 'filters'],
  ...['group_by', 'window', 'window_size', 'window_unit', 'since', 'fill', 'share', 'top', 'other', 'format'],
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

/** Put hostile text into a route's `:params` and `*`, encoded or raw. */
function fillPath(url: string, values: string[], raw: boolean): string {
  let i = 0;
  const next = (): string => {
    const v = values[i++ % values.length] ?? 'x';
    if (raw) return v.replace(/[?#/\s]/g, '');
    try {
      return encodeURIComponent(v);
    } catch {
      return '%ED%A0%80'; // a lone surrogate, as the malformed UTF-8 a careless client sends
    }
  };
  return url.replace(/:[A-Za-z_]+|\*/g, () => next());
}

describe('hostile input on every registered route', () => {
  it(`${runs(1500)} cases over every route: no 5xx, every error in its surface's shape`, async () => {
    const routes = [...new Map(f.t.routes.map((r) => [`${r.method} ${r.url}`, r])).values()];
    expect(routes.length).toBeGreaterThan(20);
    console.log(`fuzz (every route): ${routes.length} routes`);
    const hits = new Map<string, number>();
    const before = await answers();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(evil, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        queryString(NAMES),
        fc.option(body, { freq: 3 }),
        credential,
        extraHeaders,
        fc.option(fc.constantFrom(...METHODS), { freq: 5 }),
        async (route, params, raw, qs, payload, cred, headers, otherMethod) => {
          const method = otherMethod ?? route.method;
          const url = fillPath(route.url, params, raw) + qs;
          hits.set(`${route.method} ${route.url}`, (hits.get(`${route.method} ${route.url}`) ?? 0) + 1);
          await fire(f, 'every route', {
            method,
            url,
            headers: { ...headers, ...credentialHeaders(f, cred) },
            ...(payload === null || method === 'GET' || method === 'HEAD' ? {} : { payload }),
          });
        },
      ),
      { numRuns: runs(1500) },
    );
    // Every route was fuzzed, and the fixture's figures are untouched.
    for (const r of routes)
      expect(hits.get(`${r.method} ${r.url}`) ?? 0, `${r.method} ${r.url}`).toBeGreaterThan(0);
    expect(await answers()).toEqual(before);
    expect((await f.t.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
  });
});

afterAll(() => {
  const t = TALLIES['every route'];
  if (t) console.log(`fuzz (every route): ${t.cases} cases ${JSON.stringify(t.byStatus)}`);
});
