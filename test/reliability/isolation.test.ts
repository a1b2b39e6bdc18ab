/**
 * Tenant isolation (issue 11), as a property: random org trees, random keys
 * over random orgs of them, and marker events planted in every org with a
 * weight of 2^i (2^i API calls, 2^i active actors, 2^i reports, 2^i bytes).
 * A sum of distinct powers of two names exactly the orgs it includes, so each
 * figure every API returns is compared with the sum over the orgs the key may
 * see, worked out here by walking the tree (not by the code under test): any
 * org outside the key's subtree would change it. An org out of reach must be
 * refused, never answered. Each run adds its own orgs to the same store, so
 * the other runs' orgs are always there to leak.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relApp, type RelApp } from './harness.js';
import { runs } from './fuzz-setup.js';

let t: RelApp;
beforeAll(async () => {
  t = await relApp();
});
afterAll(async () => {
  await t.close();
});

const DAY = Date.UTC(2026, 10, 19) / 1000;
/** Figures compared, and figures that included an org out of reach (must stay 0). */
const tally = { figures: 0, refusals: 0, leaks: 0 };

interface World {
  orgs: string[];
  parent: (number | null)[];
  keys: { orgs: number[]; secret: string }[];
}

/** Indices of `o` and its descendants. */
function subtree(w: World, o: number): number[] {
  return w.orgs
    .map((_, i) => i)
    .filter((i) => {
      for (let a: number | null = i; a !== null; a = w.parent[a]!) if (a === o) return true;
      return false;
    });
}

const weight = (i: number): number => 2 ** i;
const sum = (xs: number[]): number => xs.reduce((s, i) => s + weight(i), 0);

/** Compare one figure; an unexpected value is a leak (or a loss), reported with the sets involved. */
function figure(what: string, got: unknown, want: unknown): void {
  tally.figures++;
  if (got !== want) tally.leaks++;
  expect(got, what).toBe(want);
}

function refused(what: string, status: number, allowed: number[], body: string): void {
  tally.refusals++;
  expect(allowed, `${what} answered ${status}: ${body.slice(0, 200)}`).toContain(status);
}

let run = 0;
const worldArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    parent: fc.tuple(
      ...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat(i - 1)))),
    ),
    keys: fc.array(fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: 2 }), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
);

async function plant(w: World): Promise<void> {
  for (const [i, org] of w.orgs.entries()) {
    const p = w.parent[i];
    const res = await t.call('PUT', `/v1/orgs/${org}`, {
      body: { parent: p === null || p === undefined ? null : w.orgs[p], domain: `d${org}.test` },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const events = w.orgs.flatMap((org, i) => {
    const at = `2026-11-19T1${i}:00:00Z`;
    const n = weight(i);
    const base = { org, time: at };
    return [
      ...Array.from({ length: n }, (_, k) => ({
        ...base,
        id: `api-${k}`,
        type: 'api.request',
        dims: { service: 'svc' },
      })),
      ...Array.from({ length: n }, (_, k) => ({
        ...base,
        id: `act-${k}`,
        type: 'activity',
        actor: `a${k}`,
        dims: { workspace: `ws${i}`, app: `app-${org}`, version: '1' },
      })),
      ...Array.from({ length: n }, (_, k) => ({
        ...base,
        id: `rep-${k}`,
        type: 'report.created',
        actor: 'reporter',
        dims: { report: `r${k}`, state: 's', state_name: 'S' },
      })),
      { ...base, id: 'bw', type: 'bandwidth', value: n, dims: { app: `app-${org}` } },
    ];
  });
  expect((await t.call('POST', '/v1/events', { body: events })).json()).toEqual({
    accepted: events.length,
    duplicates: 0,
  });
}

async function checkKey(w: World, key: World['keys'][number]): Promise<void> {
  const reach = [...new Set(key.orgs.flatMap((o) => subtree(w, o)))];
  const inReach = (i: number): boolean => reach.includes(i);
  const get = (url: string) => t.call('GET', url, { key: key.secret });

  // Native: every reachable org by itself, and each org's subtree.
  const all = await get('/v1/query?type=api.request&from=2026-11-19&to=2026-11-20&bucket=none&group_by=org');
  const groups = all.json<{ series: { group: { org: string }; total: number }[] }>().series;
  figure(
    'native: orgs answered',
    groups
      .map((s) => s.group.org)
      .sort()
      .join(),
    reach
      .map((i) => w.orgs[i])
      .sort()
      .join(),
  );
  figure(
    'native: total',
    groups.reduce((s, g) => s + g.total, 0),
    sum(reach),
  );
  for (const [i, org] of w.orgs.entries()) {
    const one = await get(
      `/v1/query?org=${org}&subtree=true&type=api.request&from=2026-11-19&to=2026-11-20&bucket=none`,
    );
    if (inReach(i))
      figure(
        `native subtree ${org}`,
        one.json<{ series: { total: number }[] }>().series[0]?.total,
        sum(subtree(w, i)),
      );
    else refused(`native ${org}`, one.statusCode, [403, 404], one.body);
  }

  // VIKTOR: monthly active users over the key's orgs, and per domain (an org with its sub-orgs).
  const v = await get('/api/statistics/?stats_type=users&start=2026-11-19&end=2026-11-19');
  figure(
    'viktor MAU',
    v.json<{ users: { monthly_active_users: { count: number }[] } }>().users.monthly_active_users[0]?.count,
    sum(reach),
  );
  for (const [i, org] of w.orgs.entries()) {
    const d = await get(
      `/api/statistics/?stats_type=users&start=2026-11-19&end=2026-11-19&org_domain=d${org}.test`,
    );
    if (inReach(i))
      figure(
        `viktor ${org}`,
        d.json<{ users: { monthly_active_users: { count: number }[] } }>().users.monthly_active_users[0]
          ?.count,
        sum(subtree(w, i)),
      );
    else refused(`viktor ${org}`, d.statusCode, [403], d.body);
  }

  // FileSpin, SaferMe and Capgo's org route: one org alone; Capgo's user route: every org reached.
  for (const [i, org] of w.orgs.entries()) {
    const fs = await get(
      `/api/v1/stats/timeseries/api?start_time=${DAY}&end_time=${DAY + 86_399}&usergroup_id=${org}`,
    );
    const sm = await get(
      `/api/v4/analytics/reports_over_time?channel_id=${org}&start_date=2026-11-19T00:00:00Z&end_date=2026-11-20T00:00:00Z`,
    );
    const cg = await get(`/statistics/org/${org}/?from=2026-11-19&to=2026-11-20`);
    const app = await get(`/statistics/app/app-${org}/?from=2026-11-19&to=2026-11-20`);
    if (inReach(i)) {
      figure(
        `filespin ${org}`,
        fs.json<{ data: { '*': { value: number }[] } }>().data['*'][0]?.value,
        weight(i),
      );
      figure(
        `saferme ${org}`,
        sm.json<{ report_count: number }[]>().reduce((s, r) => s + r.report_count, 0),
        weight(i),
      );
      figure(`capgo org ${org}`, cg.json<{ bandwidth: number }[]>()[0]?.bandwidth, weight(i));
      figure(`capgo app ${org}`, app.json<{ mau: number }[]>()[0]?.mau, weight(i));
    } else {
      refused(`filespin ${org}`, fs.statusCode, [403], fs.body);
      refused(`saferme ${org}`, sm.statusCode, [403], sm.body);
      refused(`capgo org ${org}`, cg.statusCode, [401], cg.body);
      refused(`capgo app ${org}`, app.statusCode, [401], app.body);
    }
  }
  const user = await get('/statistics/user/?from=2026-11-19&to=2026-11-20');
  figure('capgo user bandwidth', user.json<{ bandwidth: number }[]>()[0]?.bandwidth, sum(reach));
  figure('capgo user mau', user.json<{ mau: number }[]>()[0]?.mau, sum(reach));

  // TR50: the session acts for the key's first org; with its sub-orgs on request; showAll is refused.
  const first = key.orgs[0]!;
  const history = async (params: Record<string, unknown>) =>
    (
      await t.call('POST', '/api', { key: key.secret, body: { h: { command: 'usage.api.history', params } } })
    ).json<{
      h: { success: boolean; params?: { total: number }; errorCodes?: number[] };
    }>().h;
  const range = { start: '2026-11-19T00:00:00Z', end: '2026-11-20T00:00:00Z', series: 'day' };
  figure('tr50 org', (await history(range)).params?.total, weight(first));
  figure(
    'tr50 sub-orgs',
    (await history({ ...range, includeSubOrgs: true })).params?.total,
    sum(subtree(w, first)),
  );
  const all50 = await history({ ...range, showAll: true });
  tally.refusals++;
  expect(all50.errorCodes).toEqual([-90011]);
}

describe('tenant isolation', () => {
  it(`no API returns a figure with an org outside the key's subtree (${runs(12)} random worlds)`, async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async ({ parent, keys }) => {
        const r = ++run;
        const orgs = parent.map((_, i) => `${r}0${i}`);
        const w: World = { orgs, parent, keys: [] };
        await plant(w);
        for (const k of keys) {
          const res = await t.call('POST', '/v1/keys', {
            body: { name: 'iso', role: 'read', orgs: k.map((i) => orgs[i]) },
          });
          w.keys.push({ orgs: k, secret: res.json<{ key: string }>().key });
        }
        for (const key of w.keys) await checkKey(w, key);
      }),
      { numRuns: runs(12) },
    );
    expect(tally.leaks).toBe(0);
    console.log(
      `isolation: ${tally.figures} figures compared, ${tally.refusals} refusals checked, ${tally.leaks} leaks`,
    );
  });
});
