/**
 * GET /metrics: request counts and latency histograms per route pattern and
 * status, events accepted and duplicates, store timings, process metrics;
 * open by default, behind TALLY_METRICS_KEY when it is set.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST } from '../../src/http/dashboard.js';
import { ecoApp, type EcoApp } from './app.js';

/** Sample lines of the text format -> "name{labels}" -> value (labels as written, sorted by name). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = m[3]
      ? [...m[3].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
          .map((l) => `${l[1]}="${l[2]}"`)
          .sort()
          .join(',')
      : '';
    out.set(labels ? `${m[1]}{${labels}}` : m[1]!, Number(m[4]));
  }
  return out;
}

let t: EcoApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ev = (id: string): Record<string, unknown> => ({
  id,
  type: 'api.request',
  time: '2026-11-19T10:00:00Z',
  org: 'acme',
});

describe('/metrics', () => {
  it('counts requests per route pattern and status, and times them', async () => {
    t = await ecoApp();
    for (const id of ['a', 'b', 'c']) expect((await t.call('GET', `/v1/orgs/${id}`)).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/orgs', { key: 'wrong' })).statusCode).toBe(401);
    expect((await t.call('GET', '/healthz', { key: null })).statusCode).toBe(200);
    expect((await t.call('GET', '/no/such/route')).statusCode).toBe(404);
    const res = await t.call('GET', '/metrics', { key: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = samples(res.body);
    const req = (method: string, route: string, status: string): number | undefined =>
      s.get(`tally_http_requests_total{method="${method}",route="${route}",status="${status}"}`);
    // Three ids, one route pattern: the label is the pattern, never the URL.
    expect(req('GET', '/v1/orgs/:id', '404')).toBe(3);
    expect(req('GET', '/v1/orgs', '401')).toBe(1);
    expect(req('GET', '/healthz', '200')).toBe(1);
    expect(req('GET', 'unmatched', '404')).toBe(1);
    const hist = 'tally_http_request_duration_seconds';
    const labels = 'method="GET",route="/v1/orgs/:id",status="404"';
    expect(s.get(`${hist}_count{${labels}}`)).toBe(3);
    expect(s.get(`${hist}_bucket{le="+Inf",${labels}}`)).toBe(3);
    expect(s.get(`${hist}_sum{${labels}}`)).toBeGreaterThan(0);
    // The scrape itself is counted only after it is answered.
    expect(req('GET', '/metrics', '200')).toBeUndefined();
    const again = samples((await t.call('GET', '/metrics', { key: null })).body);
    expect(again.get('tally_http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1);
  });

  it('counts events accepted and duplicates, over native and CloudEvents ingestion', async () => {
    t = await ecoApp();
    expect((await t.call('POST', '/v1/events', { body: [ev('1'), ev('2'), ev('3')] })).json()).toEqual({
      accepted: 3,
      duplicates: 0,
    });
    expect((await t.call('POST', '/v1/events', { body: [ev('3'), ev('4')] })).json()).toEqual({
      accepted: 1,
      duplicates: 1,
    });
    const ce = await t.call('POST', '/api/v1/events', {
      headers: { 'content-type': 'application/cloudevents+json' },
      raw: JSON.stringify({ specversion: '1.0', id: '4', type: 'api.request', subject: 'acme', source: 's' }),
    });
    expect(ce.statusCode).toBe(204);
    // A refused batch stores nothing and counts nothing.
    expect((await t.call('POST', '/v1/events', { body: [ev('5'), { id: 'x' }] })).statusCode).toBe(400);
    const s = samples((await t.call('GET', '/metrics', { key: null })).body);
    expect(s.get('tally_events_accepted_total')).toBe(4);
    expect(s.get('tally_events_duplicates_total')).toBe(2);
  });

  it('times store calls by operation and outcome, and shows process metrics', async () => {
    t = await ecoApp();
    await t.call('POST', '/v1/events', { body: [ev('1')] });
    await t.call('POST', '/v1/events', { body: [ev('2')] });
    await t.call('GET', '/v1/query?org=acme&last=7d');
    const cpu = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
    const before = cpu(process.cpuUsage());
    const s = samples((await t.call('GET', '/metrics', { key: null })).body);
    const after = cpu(process.cpuUsage());
    const count = (op: string): number | undefined =>
      s.get(`tally_store_operation_duration_seconds_count{operation="${op}",outcome="ok"}`);
    expect(count('ingest')).toBe(2);
    expect(count('query')).toBe(1);
    expect(count('listOrgs')).toBeGreaterThan(0);
    // The CPU of the whole process so far (this test file has burnt seconds), not since the first scrape.
    expect(before).toBeGreaterThan(0.5);
    expect(s.get('process_cpu_seconds_total')).toBeGreaterThanOrEqual(before);
    expect(s.get('process_cpu_seconds_total')).toBeLessThanOrEqual(after);
    expect(s.get('process_cpu_user_seconds_total')! + s.get('process_cpu_system_seconds_total')!).toBeCloseTo(
      s.get('process_cpu_seconds_total')!,
      2,
    );
    expect(s.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect([...s.keys()].some((k) => k.startsWith('nodejs_eventloop_lag_seconds'))).toBe(true);
  });

  it('labels every dashboard asset with one route, whatever its hashed name', async () => {
    t = await ecoApp();
    const assets = readdirSync(join(DASHBOARD_DIST, 'assets'));
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const name of assets)
      expect((await t.call('GET', `/assets/${name}`, { key: null })).statusCode).toBe(200);
    expect((await t.call('GET', '/', { key: null })).statusCode).toBe(200);
    const s = samples((await t.call('GET', '/metrics', { key: null })).body);
    const routes = [...s.keys()].filter((k) => k.startsWith('tally_http_requests_total{'));
    expect(s.get('tally_http_requests_total{method="GET",route="/assets/*",status="200"}')).toBe(
      assets.length,
    );
    expect(s.get('tally_http_requests_total{method="GET",route="/",status="200"}')).toBe(1);
    expect(routes.filter((k) => k.includes('/assets/'))).toHaveLength(1);
  });

  it("shows the DuckDB store's compaction and checkpoints", async () => {
    t = await ecoApp();
    await t.call('POST', '/v1/events', { body: [ev('1'), ev('2'), ev('3')] });
    const before = samples((await t.call('GET', '/metrics', { key: null })).body);
    expect(before.get('tally_store_compactions')).toBe(0);
    expect(before.get('tally_store_compacted_rows')).toBe(0);
    await t.store.compact();
    const s = samples((await t.call('GET', '/metrics', { key: null })).body);
    expect(s.get('tally_store_compactions')).toBe(1);
    expect(s.get('tally_store_compacted_rows')).toBe(3);
    expect(s.get('tally_store_last_compaction_seconds')).toBeGreaterThan(0);
    expect(s.get('tally_store_checkpoints')).toBeGreaterThanOrEqual(1);
    expect(s.get('tally_store_upkeep_failing')).toBe(0);
    // The pass's steps each held the lane for a part of its time: the longest is within the pass.
    const hold = s.get('tally_store_upkeep_longest_hold_seconds')!;
    expect(hold).toBeGreaterThan(0);
    expect(hold).toBeLessThanOrEqual(s.get('tally_store_last_compaction_seconds')!);
  });

  it('needs TALLY_METRICS_KEY as a Bearer token when it is set', async () => {
    t = await ecoApp({ metricsKey: 'scrape-secret' });
    const none = await t.call('GET', '/metrics', { key: null });
    expect(none.statusCode).toBe(401);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('unauthenticated');
    expect((await t.call('GET', '/metrics', { key: 'wrong' })).statusCode).toBe(401);
    // An admin key is not the metrics key: scraping is its own credential.
    expect((await t.call('GET', '/metrics')).statusCode).toBe(401);
    const ok = await t.call('GET', '/metrics', { key: 'scrape-secret' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('tally_http_requests_total');
  });
});
