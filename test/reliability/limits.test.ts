/**
 * Limits (issue 11): body and batch size, bounded query ranges on every
 * surface, the per-key rate limit (429 + Retry-After, off by default), and
 * DuckDB's memory limit. The HTTP timeouts are in timeouts.test.ts.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/cli/config.js';
import { parseRateLimit } from '../../src/http/limits.js';
import { all } from '../../src/store/duckdb/db.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { createStore } from '../../src/store/index.js';
import { RecoveringDuckDbStore } from '../../src/store/duckdb/recovering.js';
import { NOW, relApp, type RelApp } from './harness.js';
import { ORG, READS, seed } from './surface-reads.js';

const ev = (i: number): Record<string, unknown> => ({
  id: `b${i}`,
  type: 'api.request',
  time: 1_763_000_000 + i,
  org: 'big',
});

describe('body and batch size', () => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp();
  });
  afterAll(async () => {
    await t.close();
  });
  const code = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

  it('takes exactly 10,000 events and refuses 10,001, as JSON and as NDJSON, storing nothing', async () => {
    const ok = await t.call('POST', '/v1/events', { body: Array.from({ length: 10_000 }, (_, i) => ev(i)) });
    expect(ok.json()).toEqual({ accepted: 10_000, duplicates: 0 });
    const over = Array.from({ length: 10_001 }, (_, i) => ev(20_000 + i));
    const json = await t.call('POST', '/v1/events', { body: over });
    expect([json.statusCode, code(json.body)]).toEqual([413, 'payload_too_large']);
    const nd = await t.call('POST', '/v1/events', {
      body: over.map((e) => JSON.stringify(e)).join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect([nd.statusCode, code(nd.body)]).toEqual([413, 'payload_too_large']);
    const q = await t.call('GET', '/v1/query?org=big&from=2025-01-01&to=2026-11-20&bucket=none');
    expect(q.json<{ series: { total: number }[] }>().series[0]!.total).toBe(10_000);
  });

  it('refuses a body over 10 MiB with 413, and a TR50 envelope over 1 MiB in TR50 shape', async () => {
    const huge = `[${JSON.stringify('x'.repeat(10 * 1024 * 1024))}]`;
    const res = await t.call('POST', '/v1/events', {
      body: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect([res.statusCode, code(res.body)]).toEqual([413, 'payload_too_large']);
    const tr50 = await t.call('POST', '/api', { body: JSON.stringify({ a: 'x'.repeat(1024 * 1024) }) });
    expect(tr50.statusCode).toBe(200);
    expect(tr50.json()).toEqual({
      success: false,
      errorCodes: [-90002],
      errorMessages: ['The body is larger than 1 MiB.'],
    });
  });
});

describe('bounded query ranges', () => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp();
    await seed(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses ranges past each surface bound, in its shape', async () => {
    const native = await t.call('GET', `/v1/query?org=${ORG}&from=2020-01-01&to=2026-01-01&bucket=hour`);
    expect(native.statusCode).toBe(400);
    expect(native.json<{ error: { code: string } }>().error.code).toBe('too_many_buckets');

    const viktor = await t.call('GET', '/api/statistics/?stats_type=users&start=2015-01-01&end=2026-11-01');
    expect(viktor.statusCode).toBe(400);
    expect(viktor.json()).toEqual({ end: ['The range may cover at most 1830 days.'] });

    const now = NOW / 1000;
    const filespin = await t.call(
      'GET',
      `/api/v1/stats/timeseries/api?start_time=${now - 365 * 86400}&end_time=${now}&usergroup_id=${ORG}`,
    );
    expect(filespin.statusCode).toBe(400);
    expect(filespin.json<{ error: string }>().error).toMatch(/^start_time: must be at most 364 days/);

    const capgo = await t.call('GET', `/statistics/org/${ORG}/?from=1990-01-01&to=2026-11-20`);
    expect(capgo.statusCode).toBe(400);
    expect(capgo.json()).toEqual({ status: 'Invalid body', error: 'The range covers more than 5000 days' });

    const tr50 = await t.call('POST', '/api', {
      key: await t.newKey('read', [ORG]),
      body: { h: { command: 'usage.api.history', params: { last: '400d', series: 'hour' } } },
    });
    expect(tr50.json<{ h: { errorCodes: number[] } }>().h.errorCodes).toEqual([-90007]);
  });
});

describe('per-key rate limit', () => {
  it('is off by default', async () => {
    const t = await relApp();
    const key = await seed(t);
    for (let i = 0; i < 60; i++) expect((await t.call('GET', '/v1/orgs', { key })).statusCode).toBe(200);
    await t.close();
  });

  it('answers 429 with Retry-After in every surface shape, per key, and refills with time', async () => {
    let now = NOW;
    const t = await relApp({ clock: () => now, rateLimit: { max: 3, windowMs: 60_000 } });
    const key = await seed(t); // three calls of the admin key: its budget is spent
    now += 60_000;
    const other = await t.newKey('read', [ORG]);
    // The budget is the key's, whatever surface or header form it comes through.
    for (const r of READS.slice(0, 3))
      expect((await t.call(r.method, r.url, { key, body: r.body })).statusCode).toBe(200);
    for (const r of READS) {
      const res = await t.call(r.method, r.url, { key, body: r.body });
      expect(res.statusCode, r.surface).toBe(429);
      // 3 per minute: one token every 20 s.
      expect(res.headers['retry-after'], r.surface).toBe('20');
      const b = res.json<Record<string, unknown>>();
      if (r.surface.startsWith('native')) expect((b['error'] as { code: string }).code).toBe('rate_limited');
      if (r.surface === 'viktor') expect(Object.keys(b)).toEqual(['detail']);
      if (r.surface === 'filespin') expect(Object.keys(b)).toEqual(['error']);
      if (r.surface === 'saferme') expect(Object.keys(b)).toEqual(['message']);
      if (r.surface === 'capgo') expect(b['status']).toBe('Too many requests');
      if (r.surface === 'tr50') expect(b).toMatchObject({ success: false, errorCodes: [-90012] });
    }
    expect((await t.call('GET', '/v1/orgs', { key: other })).statusCode).toBe(200);
    now += 20_000;
    expect((await t.call('GET', '/v1/orgs', { key })).statusCode).toBe(200);
    expect((await t.call('GET', '/v1/orgs', { key })).statusCode).toBe(429);
    // TR50 sessions spend the budget of the key that opened them.
    now += 40_000;
    const auth = await t.call('POST', '/api', {
      key: null,
      body: { auth: { command: 'api.authenticate', params: { appToken: key } } },
    });
    const sessionId = auth.json<{ auth: { params: { sessionId: string } } }>().auth.params.sessionId;
    const hist = { h: { command: 'usage.api.history', params: { last: '1d' } } };
    const viaSession = (): Promise<number> =>
      t
        .call('POST', '/api', { key: null, headers: { sessionid: sessionId }, body: hist })
        .then((r) => r.statusCode);
    expect(await viaSession()).toBe(200);
    expect(await viaSession()).toBe(429);
    await t.close();
  });

  it('reads TALLY_RATE_LIMIT', () => {
    expect(parseRateLimit('600/min')).toEqual({ max: 600, windowMs: 60_000 });
    expect(parseRateLimit(' 10 / s ')).toEqual({ max: 10, windowMs: 1_000 });
    expect(parseRateLimit('5000/hour')).toEqual({ max: 5000, windowMs: 3_600_000 });
    for (const off of [undefined, '', 'off', '0']) expect(parseRateLimit(off)).toBeNull();
    for (const bad of ['600', '600/fortnight', '-1/s', '0/s', 'x/min'])
      expect(() => parseRateLimit(bad), bad).toThrow(/TALLY_RATE_LIMIT/);
    expect(readConfig({}).rateLimit).toBeNull();
    expect(readConfig({ TALLY_RATE_LIMIT: '600/min' }).rateLimit).toEqual({ max: 600, windowMs: 60_000 });
    expect(() => readConfig({ TALLY_RATE_LIMIT: 'lots' })).toThrow(/TALLY_RATE_LIMIT/);
  });
});

describe('compaction settings', () => {
  it('default to 262,144 rows and 60 s, take TALLY_COMPACT_ROWS and TALLY_COMPACT_IDLE_MS, refuse junk', () => {
    expect(readConfig({})).toMatchObject({ compactRows: 262_144, compactIdleMs: 60_000 });
    expect(readConfig({ TALLY_COMPACT_ROWS: '500', TALLY_COMPACT_IDLE_MS: ' 200 ' })).toMatchObject({
      compactRows: 500,
      compactIdleMs: 200,
    });
    for (const bad of ['0', '-5', '1.5', 'lots'])
      expect(() => readConfig({ TALLY_COMPACT_ROWS: bad }), bad).toThrow(/TALLY_COMPACT_ROWS/);
    expect(() => readConfig({ TALLY_COMPACT_IDLE_MS: 'soon' })).toThrow(/TALLY_COMPACT_IDLE_MS/);
  });

  it('read the actor rollup unless TALLY_ROLLUP is 0 or off, and refuse junk', () => {
    expect(readConfig({}).rollup).toBe(true);
    expect(readConfig({ TALLY_ROLLUP: ' On ' }).rollup).toBe(true);
    expect(readConfig({ TALLY_ROLLUP: '0' }).rollup).toBe(false);
    expect(readConfig({ TALLY_ROLLUP: 'OFF' }).rollup).toBe(false);
    expect(() => readConfig({ TALLY_ROLLUP: 'maybe' })).toThrow(/TALLY_ROLLUP/);
  });
});

describe('dedupe filter size', () => {
  it('defaults to 128 MiB, takes TALLY_DEDUPE_FILTER_MB, refuses junk, and sizes the saved filter', async () => {
    expect(readConfig({}).dedupeFilterMb).toBe(128);
    expect(readConfig({ TALLY_DEDUPE_FILTER_MB: ' 256 ' }).dedupeFilterMb).toBe(256);
    for (const bad of ['0', '-1', '1.5', 'big', '4097'])
      expect(() => readConfig({ TALLY_DEDUPE_FILTER_MB: bad }), bad).toThrow(/TALLY_DEDUPE_FILTER_MB/);
    const dir = mkdtempSync(join(tmpdir(), 'tally-filter-size-'));
    try {
      const path = join(dir, 'x.duckdb');
      const store = await createStore({ store: 'duckdb', duckdbPath: path, dedupeFilterMb: 1 });
      await store.ingest([{ org: 'a', id: '1', type: 't', ts: NOW, actor: null, value: 1, dims: {} }]);
      await store.close();
      // 1 MiB of filter after the file's 64-byte header.
      expect(statSync(`${path}.dedupe`).size).toBe(2 ** 20 + 64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DuckDB memory limit', () => {
  it('defaults to 1GB, takes TALLY_DUCKDB_MEMORY, and is set on the engine', async () => {
    expect(readConfig({}).duckdbMemory).toBe('1GB');
    expect(readConfig({ TALLY_DUCKDB_MEMORY: '256MB' }).duckdbMemory).toBe('256MB');
    expect(() => readConfig({ TALLY_DUCKDB_MEMORY: 'plenty' })).toThrow(/TALLY_DUCKDB_MEMORY/);
    for (const [asked, shown] of [
      ['256MB', '244.1 MiB'],
      ['1GB', '953.6 MiB'],
    ]) {
      const store = await createStore({ store: 'duckdb', duckdbPath: ':memory:', duckdbMemory: asked });
      if (!(store instanceof RecoveringDuckDbStore)) throw new Error('expected the DuckDB store');
      const rows = await store.read((c) => c.runAndReadAll("SELECT current_setting('memory_limit') AS m"));
      expect(rows.getRowObjectsJS()[0]!['m']).toBe(shown);
      await store.close();
    }
  });

  it('turns work past the limit into a 503 StoreError, and keeps serving', async () => {
    const store = await DuckDbStore.open({ path: ':memory:', memoryLimit: '16MB' });
    await store.init();
    // No temp directory to spill to: a 3M-group aggregate cannot fit in 16 MB.
    const big = store.read((c) =>
      all(
        c,
        "SET temp_directory = ''; SELECT count(*) FROM (SELECT x, list(x) FROM range(3000000) t(x) GROUP BY x)",
      ),
    );
    await expect(big).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
    expect(await store.listOrgs()).toEqual([]);
    await store.close();
  });
});
