/**
 * Issue 26, point 1: no single query takes the server down. Every answer holds at most
 * 200,000 points (series x buckets), its computation at most 1,000,000 (groups found x
 * axis units), on every surface; a larger ask is refused at once with 400 in the
 * surface's shape; /healthz answers within a second while the heaviest allowed query runs.
 * The figures below are worked out by hand from the fixture: org `big` has 2,000 actors,
 * actor k with one `activity` event at hour k of the 5,000 hours before NOW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { NOW, relApp, type RelApp } from './harness.js';
import { READS } from './surface-reads.js';
import { readConfig } from '../../src/cli/config.js';
import { createStore } from '../../src/store/index.js';
import { QueryTimeoutError } from '../../src/core/errors.js';
import { timeoutFrom } from '../../src/core/query/bounds.js';
import { makeQuery } from '../../src/core/query/plan.js';
import type { ChClient } from '../../src/store/clickhouse/client.js';
import { all, run } from '../../src/store/duckdb/db.js';
import { fetchRows } from '../../src/store/duckdb/query.js';
import { runQuery } from '../../src/core/query/run.js';
import { createApp } from '../../src/http/app.js';
import { ENGINES } from './engines.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';

const HOUR = 3_600_000;
/** The hour holding NOW, and the 5,000-hour range that ends with it. */
const TO = Math.floor(NOW / HOUR) * HOUR + HOUR;
const FROM = TO - 5000 * HOUR;
const ACTORS = 2000;

function bigOrg(): EventRecord[] {
  return Array.from({ length: ACTORS }, (_, k) => ({
    org: 'big',
    id: `a${k}`,
    type: 'activity',
    ts: FROM + k * HOUR + 60_000,
    actor: `u${String(k).padStart(4, '0')}`,
    value: 1,
    dims: { app: `app${k % 50}` },
  }));
}

type Json = Record<string, unknown>;
const range = (from: number, to: number): string =>
  `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;

describe('points per answer (issue 26.1)', () => {
  let t: RelApp;
  let read: string;
  beforeAll(async () => {
    t = await relApp();
    await t.store.ingest(bigOrg());
    read = await t.newKey('read', ['big']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the 2,000-actor x 4,999-hour reproduction at once with 400 too_many_points', async () => {
    const started = Date.now();
    const res = await t.call('GET', '/v1/query?org=big&bucket=hour&last=4999h&group_by=actor', { key: read });
    const ms = Date.now() - started;
    expect(res.statusCode).toBe(400);
    const error = res.json<{ error: { code: string; message: string; details: { path: string }[] } }>().error;
    expect(error.code).toBe('too_many_points');
    // NOW is on the hour: 4,999 whole hour buckets.
    expect(error.message).toMatch(
      /^The answer would hold 2,000 series x 4,999 hour buckets = 9,998,000 points; at most 200,000 .*top.*fill=sparse.*coarser bucket/,
    );
    expect(error.details.map((d) => d.path)).toEqual(['group_by', 'bucket']);
    expect(ms).toBeLessThan(3000);
  });

  it('answers exactly 200,000 points and refuses 200,001 (groups x buckets, zero fill)', async () => {
    // 40 actors x 5,000 buckets: the first 40 actors' events (hours 0-39) with an `in` filter.
    const actors = (n: number): string =>
      encodeURIComponent(
        JSON.stringify([
          ['in', 'actor', Array.from({ length: n }, (_, k) => `u${String(k).padStart(4, '0')}`)],
        ]),
      );
    const ok = await t.call(
      'GET',
      `/v1/query?org=big&bucket=hour&${range(FROM, TO)}&group_by=actor&filters=${actors(40)}`,
      { key: read },
    );
    expect(ok.statusCode).toBe(200);
    const series = ok.json<{ series: { points: { value: number }[]; total: number }[] }>().series;
    expect(series.length).toBe(40);
    expect(series.reduce((n, s) => n + s.points.length, 0)).toBe(200_000);
    expect(series.map((s) => s.total)).toEqual(Array.from({ length: 40 }, () => 1));
    // One more actor tips it over: 41 x 5,000 = 205,000.
    const over = await t.call(
      'GET',
      `/v1/query?org=big&bucket=hour&${range(FROM, TO)}&group_by=actor&filters=${actors(41)}`,
      { key: read },
    );
    expect(over.statusCode).toBe(400);
    expect(over.json<{ error: { code: string; message: string } }>().error.message).toMatch(
      /41 series x 5,000 hour buckets = 205,000 points; at most 200,000 .*top.*fill=sparse.*coarser bucket/,
    );
  });

  it('answers the same groups with top or fill=sparse, which the refusal suggests', async () => {
    // 600 hours hold 600 actors: 600 x 600 = 360,000 to compute (allowed) and to answer (refused).
    const q = `/v1/query?org=big&bucket=hour&${range(FROM, FROM + 600 * HOUR)}&group_by=actor`;
    const zero = await t.call('GET', q, { key: read });
    expect([zero.statusCode, zero.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'too_many_points',
    ]);
    const top = (await t.call('GET', `${q}&top=10`, { key: read })).json<Json>();
    expect(top['total_groups']).toBe(600);
    const series = top['series'] as { group: { actor: string }; points: unknown[]; total: number }[];
    // Every actor has total 1; ties go by actor, so the first ten actors are kept.
    expect(series.map((s) => s.group.actor)).toEqual(
      Array.from({ length: 10 }, (_, k) => `u${String(k).padStart(4, '0')}`),
    );
    expect(series.every((s) => s.points.length === 600)).toBe(true);
    expect((top['other'] as { total: number }).total).toBe(590);
    const sparse = (await t.call('GET', `${q}&fill=sparse`, { key: read })).json<Json>();
    const points = (sparse['series'] as { points: { value: number }[] }[]).flatMap((s) => s.points);
    expect(points.length).toBe(600);
    expect(points.every((p) => p.value === 1)).toBe(true);
  });

  it('refuses past the computation bound even with top: groups x buckets over 1,000,000', async () => {
    const res = await t.call('GET', `/v1/query?org=big&bucket=hour&${range(FROM, TO)}&group_by=actor&top=5`, {
      key: read,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toContain(
      '2,000 groups x 5,000 hour buckets = 10,000,000 points to compute; at most 1,000,000',
    );
  });

  it('counts a rolling window’s lookback units: 2,000 actors x (4,500 + 999) hours is over', async () => {
    const res = await t.call(
      'GET',
      `/v1/query?org=big&bucket=day&${range(TO - 4500 * HOUR, TO)}&group_by=actor&agg=unique&of=actor&window=rolling&window_size=1000&window_unit=hour`,
      { key: read },
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(
      /hour units \(rolling window included\)/,
    );
  });

  it('answers /healthz within a second while the heaviest allowed query runs', async () => {
    // 900 actors x (900 + 99 lookback) hour units = 899,100 cells to compute, 101 series answered.
    const heavy = t.call(
      'GET',
      `/v1/query?org=big&bucket=hour&${range(FROM, FROM + 900 * HOUR)}&group_by=actor&agg=unique&of=actor&window=rolling&window_size=100&window_unit=hour&top=100`,
      { key: read },
    );
    let done = false;
    void heavy.finally(() => (done = true));
    const waits: number[] = [];
    while (!done) {
      const started = Date.now();
      const h = await t.call('GET', '/healthz', { key: null });
      expect(h.statusCode).toBe(200);
      waits.push(Date.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await heavy;
    expect(res.statusCode, res.body).toBe(200);
    expect(waits.length).toBeGreaterThan(1);
    expect(Math.max(...waits)).toBeLessThan(1000);
  });
});

describe('points per answer on the compatibility surfaces (issue 26.1)', () => {
  let t: RelApp;
  const DAY = 86_400_000;
  beforeAll(async () => {
    t = await relApp();
    await t.store.ingest(bigOrg());
    // 45 orgs with one API call each (TR50 showAll by org), 110 workspaces used once (VIKTOR).
    await t.store.ingest([
      ...Array.from({ length: 45 }, (_, k) => ({
        org: `o${k}`,
        id: `api${k}`,
        type: 'api.request',
        ts: NOW - HOUR,
        actor: null,
        value: 1,
        dims: { service: 'thing' },
      })),
      ...Array.from({ length: 110 }, (_, k) => ({
        org: 'vk',
        id: `ws${k}`,
        type: 'activity',
        ts: NOW - DAY,
        actor: 'someone',
        value: 1,
        dims: { workspace: `w${k}` },
      })),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('Capgo breakdown: 50 apps x 4,101 days is refused as Invalid body, naming from..to', async () => {
    const from = new Date(NOW - 4100 * DAY).toISOString().slice(0, 10);
    const res = await t.call('GET', `/statistics/org/big/?from=${from}&to=2026-11-21&breakdown=true`);
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json<{ status: string; error: string }>();
    expect(body.status).toBe('Invalid body');
    // 2022-08-08 .. 2026-11-20 (today; later days are left out): 4,101 days.
    expect(body.error).toBe(
      'from..to covers 50 apps x 4,101 days = 205,050 values; at most 200,000 are allowed. Ask for a shorter from..to.',
    );
  });

  it('TR50 showAll by org: 45 counters x 5,000 hours fails with -90013 over HTTP 200', async () => {
    const res = await t.call('POST', '/api', {
      body: {
        h: {
          command: 'usage.api.history',
          params: {
            start: new Date(TO - 5000 * HOUR).toISOString(),
            end: new Date(TO).toISOString(),
            dimension: 'org',
            showAll: true,
          },
        },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      h: {
        success: false,
        errorCodes: [-90013],
        errorMessages: [
          'The answer would hold 45 counters x 5,000 buckets = 225,000 values; at most 200,000 are allowed. Use series "day" or a shorter start..end.',
        ],
      },
    });
  });

  it('VIKTOR workspaces: 110 workspaces over five years is a 400 on end', async () => {
    const res = await t.call('GET', '/api/statistics/?stats_type=workspaces&start=2021-11-21&end=2026-11-19');
    expect(res.statusCode, res.body).toBe(400);
    // 1,825 days and 61 months (counted twice: two monthly tables) per workspace: 110 x 1,947.
    expect(res.json()).toEqual({
      end: [
        'Too many workspaces over this range: 110 workspaces x 1,825 days (and their months) = 214,170 values, at most 200,000; ask for a shorter range.',
      ],
    });
  });
});

/** A string matcher, typed for use inside toEqual. */
const matching = (re: RegExp): unknown => expect.stringMatching(re) as unknown;

/** The messages of an error and its causes. */
function causes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) out.push(e.message);
  return out;
}

describe.each(ENGINES)('TALLY_QUERY_TIMEOUT_MS on $name (issue 26.1)', ({ name, open }) => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp({ store: await open(1) });
    await t.store.ingest(slowData('101'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 in each surface’s shape', async () => {
    const expected: Record<string, (status: number, b: Record<string, unknown>) => void> = {
      native: (status, b) => {
        expect(status).toBe(503);
        expect((b['error'] as { code: string }).code).toBe('query_timeout');
      },
      viktor: (status, b) => {
        expect([status, b]).toEqual([503, { detail: matching(/./) }]);
      },
      filespin: (status, b) => {
        expect([status, b]).toEqual([503, { error: matching(/time limit/) }]);
      },
      saferme: (status, b) => {
        expect([status, b]).toEqual([503, { message: 'service unavailable' }]);
      },
      capgo: (status, b) => {
        expect([status, b]).toEqual([
          503,
          {
            status: 'Cannot get organization statistics',
            error: matching(/time limit of 1 ms/),
          },
        ]);
      },
      tr50: (status, b) => {
        expect(status).toBe(200);
        expect(b).toEqual({
          get: { success: false, errorCodes: [-90014], errorMessages: [matching(/time limit/)] },
        });
      },
    };
    for (const r of READS) {
      // The admin key covers every org: TR50 then needs showAll.
      const body =
        r.surface === 'tr50'
          ? { get: { ...(r.body as { get: object }).get, params: { ...tr50Params(r.body), showAll: true } } }
          : r.body;
      const res = await t.call(r.method, r.url, { body });
      expected[r.surface.split(' ')[0]!]!(res.statusCode, res.json());
    }
  });

  it('holds the explorer’s raw reads to it too: /v1/schema and /v1/events/latest answer 503', async () => {
    // Both scan the org's 24,000 events (the schema unnests every event's dims keys; the latest
    // sorts them all), far past the 1 ms limit, on each engine.
    for (const url of ['/v1/schema?org=101&last=30d', '/v1/events/latest?org=101&last=30d&limit=100']) {
      const res = await t.call('GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(503);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('query_timeout');
    }
  });

  it('stops the engine’s own work, not only the wait', { timeout: 60_000 }, async () => {
    const ac = new AbortController();
    let err: unknown;
    let started = Date.now();
    if (name === 'duckdb') {
      // 2,000,000 events written straight into the table (ingest would take minutes), then a rolling
      // distinct count over them: the statement is interrupted on its connection. (400,000 were
      // enough before rolling distinct counts dropped DISTINCT from their lists; since then that
      // statement sometimes ended inside the 300 ms.)
      const duck = t.store;
      if (!(duck instanceof DuckDbStore)) throw new Error('the DuckDB case needs the DuckDB store');
      await duck.putOrg({
        id: 'bulk',
        name: null,
        parent: null,
        domain: null,
        timezone: 'UTC',
        created_at: NOW,
      });
      await duck.read((c) =>
        run(
          c,
          `INSERT INTO events (org, type, ts, id, actor, value, dims, received, org_no)
           SELECT 'bulk', 'activity', ${NOW} - (i % 17000000) * 1000, 'b' || i, 'u' || (i % 300000), 1,
                  MAP {'report': 'r' || (i % 1000)}, ${NOW}, (SELECT no FROM orgs WHERE id = 'bulk')
           FROM range(2000000) r(i)`,
        ),
      );
      const plan = makeQuery({
        orgs: ['bulk'],
        range: { from: NOW - 4999 * HOUR, to: NOW },
        bucket: 'hour',
        aggregation: { fn: 'unique', of: [{ kind: 'actor' }, { kind: 'dim', key: 'report' }] },
        window: { kind: 'rolling', size: 1000, unit: 'hour' },
      });
      // Uninterrupted, it runs for seconds.
      setTimeout(() => {
        ac.abort(new QueryTimeoutError(300));
      }, 300);
      started = Date.now();
      err = await runQuery(plan, NOW, (r) => duck.read((c) => fetchRows(c, r, undefined, ac.signal)), {
        signal: ac.signal,
      }).catch((e: unknown) => e);
      // The connection serves the next statement: the interrupt did not outlive its query.
      expect(await duck.read((c) => all(c, 'SELECT 42 AS x'))).toEqual([{ x: 42 }]);
    } else {
      // A 3-second statement: the request is aborted, and the client's error is the cause.
      const client = (t.store as unknown as { client: ChClient }).client;
      setTimeout(() => {
        ac.abort(new QueryTimeoutError(20));
      }, 20);
      err = await client
        .query('SELECT sleep(3) AS s', {}, ac.signal)
        .then(() => null)
        .catch((e: unknown) => timeoutFrom(ac.signal, e));
    }
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect(causes(err).join(' | ')).toMatch(name === 'duckdb' ? /interrupt/i : /abort/i);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('TALLY_QUERY_TIMEOUT_MS configuration', () => {
  it('defaults to 30 s, takes a positive integer, 0 or off for none, and refuses junk', () => {
    expect(readConfig({}).queryTimeoutMs).toBe(30_000);
    expect(readConfig({ TALLY_QUERY_TIMEOUT_MS: ' 2500 ' }).queryTimeoutMs).toBe(2500);
    expect(readConfig({ TALLY_QUERY_TIMEOUT_MS: '0' }).queryTimeoutMs).toBeNull();
    expect(readConfig({ TALLY_QUERY_TIMEOUT_MS: 'off' }).queryTimeoutMs).toBeNull();
    for (const bad of ['-1', '1.5', 'soon'])
      expect(() => readConfig({ TALLY_QUERY_TIMEOUT_MS: bad }), bad).toThrow(/TALLY_QUERY_TIMEOUT_MS/);
  });

  it('reaches the store through createStore', async () => {
    const store = await createStore(
      { store: 'duckdb', duckdbPath: ':memory:', queryTimeoutMs: 1 },
      () => NOW,
    );
    try {
      await store.ingest(slowData('101'));
      const plan = makeQuery({
        orgs: ['101'],
        range: { from: NOW - 4999 * HOUR, to: NOW },
        bucket: 'hour',
        aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
        window: { kind: 'rolling', size: 1000, unit: 'hour' },
      });
      // The query runner the routes use (http/app.ts) sets the store's deadline.
      const app = await createApp({ store, clock: () => NOW });
      await expect(app.ctx.query(plan)).rejects.toBeInstanceOf(QueryTimeoutError);
      await app.close();
    } finally {
      await store.close();
    }
  });
});

function tr50Params(body: unknown): object {
  return (body as { get: { params: object } }).get.params;
}

/** 8,000 events of each type the surfaces read, on 2026-11-19 in `org`: every read scans them. */
function slowData(org: string): EventRecord[] {
  const day = Date.UTC(2026, 10, 19);
  const types = ['api.request', 'activity', 'report.created'];
  return types.flatMap((type, j) =>
    Array.from({ length: 8000 }, (_, k) => ({
      org,
      id: `${j}-${k}`,
      type,
      ts: day + k * 10_000,
      actor: `u${k}`,
      value: 1,
      dims: { service: 'thing', workspace: `w${k % 9}`, app: `app${k % 5}`, report: `r${k}` },
    })),
  );
}
