/**
 * Retention through the API and the hourly job, on DuckDB, at the tests' fixed
 * "now" (2026-11-20T12:00Z): settings inherit down the org tree, else the
 * server default; a run deletes exactly the events before each org's cutoff
 * (worked out by hand below) and audits per org; actors keep first_seen.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RetentionJob, type RetentionRun } from '../../src/use-cases/retention-job.js';
import { lifeApp, loadWorld, type LifeApp } from './app.js';

let t: LifeApp;
beforeEach(async () => {
  t = await lifeApp({ retentionDays: 10 });
  await loadWorld(t);
  await t.call('POST', '/v1/events', {
    body: [
      { id: 'g1', org: 'gamma', type: 'activity', time: '2026-11-09T00:00:00Z' },
      { id: 'g2', org: 'gamma', type: 'activity', time: '2026-11-12T00:00:00Z' },
    ],
  });
});
afterEach(async () => {
  await t.close();
});

const count = async (org: string): Promise<number> => {
  const r = await t.call('GET', `/v1/query?org=${org}&from=2026-01-01&bucket=none`);
  return r.json<{ series: { total: number }[] }>().series[0]?.total ?? 0;
};

describe('retention settings', () => {
  it('inherit from the nearest ancestor, else the server default; "forever" stops inheritance', async () => {
    expect((await t.call('PUT', '/v1/orgs/acme/retention', { body: { days: 15 } })).json()).toEqual({
      org: 'acme',
      days: 15,
      effective: { days: 15, source: 'org', from: 'acme' },
    });
    await t.call('PUT', '/v1/orgs/beta/retention', { body: { days: 'forever' } });
    const view = async (org: string): Promise<unknown> =>
      (await t.call('GET', `/v1/orgs/${org}/retention`)).json();
    expect(await view('acme-eu')).toEqual({
      org: 'acme-eu',
      days: null,
      effective: { days: 15, source: 'ancestor', from: 'acme' },
    });
    expect(await view('beta')).toEqual({
      org: 'beta',
      days: 'forever',
      effective: { days: null, source: 'org', from: 'beta' },
    });
    expect(await view('gamma')).toEqual({
      org: 'gamma',
      days: null,
      effective: { days: 10, source: 'server', from: null },
    });
    await t.call('PUT', '/v1/orgs/acme/retention', { body: { days: null } });
    expect(await view('acme-eu')).toMatchObject({ effective: { days: 10, source: 'server' } });
  });

  it('refuse bad input, unknown orgs, and keys without the role or reach', async () => {
    const reader = await t.newKey('read', ['acme']);
    const betaAdmin = await t.newKey('admin', ['beta']);
    for (const body of [
      { days: 0 },
      { days: 'x' },
      { days: 100_001 },
      { days: 1.5 },
      {},
      { days: 5, extra: 1 },
    ]) {
      const r = await t.call('PUT', '/v1/orgs/acme/retention', { body });
      expect([r.statusCode, r.json<{ error: { code: string } }>().error.code], JSON.stringify(body)).toEqual([
        400,
        'invalid_request',
      ]);
    }
    expect((await t.call('PUT', '/v1/orgs/nope/retention', { body: { days: 5 } })).statusCode).toBe(404);
    expect(
      (await t.call('PUT', '/v1/orgs/acme/retention', { body: { days: 5 }, key: betaAdmin.key })).statusCode,
    ).toBe(403);
    expect(
      (await t.call('PUT', '/v1/orgs/acme/retention', { body: { days: 5 }, key: reader.key })).statusCode,
    ).toBe(403);
    expect((await t.call('GET', '/v1/orgs/acme/retention', { key: reader.key })).statusCode).toBe(200);
    expect((await t.call('POST', '/v1/retention/run', { key: reader.key })).statusCode).toBe(403);
    expect(await t.store.listRetention()).toEqual([]);
  });
});

describe('a retention run', () => {
  it('deletes what is past each cutoff, audits per org, and keeps actors', async () => {
    await t.call('PUT', '/v1/orgs/acme/retention', { body: { days: 15 } });
    await t.call('PUT', '/v1/orgs/beta/retention', { body: { days: 'forever' } });
    expect([await count('acme'), await count('acme-eu'), await count('beta'), await count('gamma')]).toEqual([
      7, 2, 2, 2,
    ]);
    const r = await t.call('POST', '/v1/retention/run');
    expect(r.statusCode, r.body).toBe(200);
    // Cutoffs: 15 days -> 2026-11-05T12:00Z (acme and, inherited, acme-eu); the server's 10 -> 11-10T12:00Z (gamma).
    // acme loses e1, e5, e6 (11-03), e7 (11-04), e2 and e3 (11-05 morning); e4 (11-06) stays.
    // acme-eu loses e1 (11-04), keeps e9 (11-07). gamma loses g1 (11-09). beta keeps everything.
    const body = r.json<{
      due: unknown[];
      audit: { orgs: string[]; key_id: string; deleted: { events: number } }[];
    }>();
    expect(body.due).toEqual([
      { org: 'acme', days: 15, before: '2026-11-05T12:00:00.000Z' },
      { org: 'acme-eu', days: 15, before: '2026-11-05T12:00:00.000Z' },
      { org: 'gamma', days: 10, before: '2026-11-10T12:00:00.000Z' },
    ]);
    expect(body.audit.map((a) => [a.orgs[0], a.key_id, a.deleted.events])).toEqual([
      ['acme', 'env-admin', 6],
      ['acme-eu', 'env-admin', 1],
      ['gamma', 'env-admin', 1],
    ]);
    expect([await count('acme'), await count('acme-eu'), await count('beta'), await count('gamma')]).toEqual([
      1, 1, 2, 1,
    ]);
    // Actors stay, first_seen included: d1's only event (e3) is gone, its first sighting is not.
    expect((await t.call('GET', '/v1/orgs/acme/actors/d1')).json()).toMatchObject({
      first_seen: '2026-11-05T10:00:00.000Z',
    });
    const again = (await t.call('POST', '/v1/retention/run')).json<{ audit: unknown[] }>();
    expect(again.audit).toEqual([]);
  });

  it('by a scoped admin covers only its reach', async () => {
    const acmeAdmin = await t.newKey('admin', ['acme-eu']);
    const r = await t.call('POST', '/v1/retention/run', { key: acmeAdmin.key });
    // Only acme-eu, under the server default of 10 days: e1 (11-04) and e9 (11-07) are both past 11-10T12:00Z.
    expect(r.json()).toMatchObject({
      due: [{ org: 'acme-eu', days: 10 }],
      audit: [{ orgs: ['acme-eu'], deleted: { events: 2 } }],
    });
    expect([await count('acme'), await count('acme-eu')]).toEqual([7, 0]);
  });
});

describe('the hourly job', () => {
  it('runs on its timer as the server (key null), and stops cleanly', async () => {
    const runs: (RetentionRun | null)[] = [];
    const job = new RetentionJob(t.store, {
      serverDays: 10,
      clock: () => Date.UTC(2026, 10, 20, 12),
      firstMs: 5,
      everyMs: 20,
      onRun: (run) => runs.push(run),
    });
    job.start();
    while (runs.length < 2) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    const after = runs.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(runs.length).toBe(after);
    // First run: everything before 11-10T12:00Z in every org: all of acme (7), acme-eu (2), beta (2), g1.
    expect(runs[0]?.entries.map((e) => [e.scope[0]![0], e.keyId, e.counts.events])).toEqual([
      ['acme', null, 7],
      ['acme-eu', null, 2],
      ['beta', null, 2],
      ['gamma', null, 1],
    ]);
    expect(runs[1]?.entries).toEqual([]);
    expect(await count('gamma')).toBe(1);
  });
});
