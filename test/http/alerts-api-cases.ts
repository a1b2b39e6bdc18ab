/**
 * The /v1/alerts API (docs/alerts.md), on one engine: the stored alert without its secret,
 * bad bodies answered 400 naming the path, the bounds (10 thresholds, 100 alerts per org),
 * destinations refused at creation (literal addresses and a host resolving to loopback),
 * and reach: keys outside the org, of another role, or limited to other event types.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemLookup } from '../../src/use-cases/webhook-send.js';
import { ADMIN, makeApp, NOW, type TestApp } from '../helpers.js';

const SECRET = 'whsec_0123456789';
const URL_OK = 'https://hooks.example.com/tally';

export function runAlertApiCases(engine: 'duckdb' | 'clickhouse'): void {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp({
      engine,
      webhooks: {
        tickMs: 60_000,
        // hooks.example.com resolves to a public address; every other name as the system resolves it.
        lookup: (host) =>
          host === 'hooks.example.com'
            ? Promise.resolve([{ address: '93.184.216.34', family: 4 }])
            : systemLookup(host),
      },
    });
    for (const org of ['acme', 'beta']) {
      const res = await t.call('PUT', `/v1/orgs/${org}`, { body: { timezone: 'UTC' } });
      expect(res.statusCode).toBeLessThan(300);
    }
  });
  afterEach(async () => {
    await t.close();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    org: 'acme',
    name: 'API calls per month',
    query: { type: ['api.request'], agg: 'count', filters: [['eq', 'dims.service', ['thing']]] },
    period: 'month',
    thresholds: [10000, 8000],
    webhook: { url: URL_OK, secret: SECRET },
    ...over,
  });
  const post = (over: Record<string, unknown> = {}, key = ADMIN) =>
    t.call('POST', '/v1/alerts', { key, body: body(over) });
  const pathOf = (res: { json: () => unknown }) =>
    (res.json() as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);

  it('answers the stored alert without its secret; lists, reads and deletes it', async () => {
    const res = await post();
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(SECRET);
    const alert = res.json<Record<string, unknown>>();
    expect(alert).toEqual({
      id: alert['id'],
      org: 'acme',
      subtree: false,
      name: 'API calls per month',
      query: { type: ['api.request'], agg: 'count', filters: [['eq', 'dims.service', ['thing']]] },
      period: 'month',
      week_start: 1,
      thresholds: [8000, 10000],
      webhook: { url: URL_OK },
      created_at: new Date(NOW).toISOString(),
    });
    expect(alert['id']).toMatch(/^al_[\w-]{12}$/);
    const list = await t.call('GET', '/v1/alerts');
    expect(list.json()).toEqual({ alerts: [alert] });
    expect(list.body).not.toContain(SECRET);
    expect((await t.call('GET', `/v1/alerts/${String(alert['id'])}`)).json()).toEqual(alert);
    expect((await t.call('GET', `/v1/alerts/${String(alert['id'])}/deliveries`)).json()).toEqual({
      deliveries: [],
    });
    expect((await t.call('DELETE', `/v1/alerts/${String(alert['id'])}`)).statusCode).toBe(204);
    expect((await t.call('GET', `/v1/alerts/${String(alert['id'])}`)).statusCode).toBe(404);
    expect((await t.call('DELETE', `/v1/alerts/${String(alert['id'])}`)).statusCode).toBe(404);
    expect((await t.call('GET', '/v1/alerts')).json()).toEqual({ alerts: [] });
  });

  it('bad bodies are 400 naming the path', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ thresholds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, 'thresholds'],
      [{ thresholds: [] }, 'thresholds'],
      [{ thresholds: [5, 7, 5] }, 'thresholds/2'],
      [{ thresholds: ['8000'] }, 'thresholds/0'],
      [{ period: 'year' }, 'period'],
      [{ week_start: 7 }, 'week_start'],
      [{ name: '' }, 'name'],
      [{ query: { agg: 'median' } }, 'query/agg'],
      [{ query: { bucket: 'day' } }, 'query/bucket'],
      [{ query: { filters: [['eq', 'dim.app', ['ios']]] } }, 'query/filters/0/1'],
      [{ query: { agg: 'quantile' } }, 'query/q'],
      [{ webhook: { url: 'ftp://hooks.example.com/x', secret: SECRET } }, 'webhook/url'],
      [{ webhook: { url: 'not a url', secret: SECRET } }, 'webhook/url'],
      [{ webhook: { url: URL_OK } }, 'webhook/secret'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [over, path] of cases) {
      const res = await post(over);
      expect([res.statusCode, pathOf(res)[0]], JSON.stringify(over)).toEqual([400, path]);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('invalid_request');
    }
    const none = await post({ org: 'nope' });
    expect([none.statusCode, none.json<{ error: { code: string } }>().error.code]).toEqual([
      404,
      'not_found',
    ]);
  });

  it('refuses destinations that are or resolve to loopback, private, link-local or metadata addresses', async () => {
    const refused = [
      'http://127.0.0.1/hook',
      'http://127.1.2.3:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/latest',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/hook',
      'http://192.168.1.1/hook',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://[fe80::1]/hook',
      'http://localhost:8080/hook',
    ];
    for (const url of refused) {
      const res = await post({ webhook: { url, secret: SECRET } });
      expect([res.statusCode, pathOf(res)], url).toEqual([400, ['webhook/url']]);
    }
    expect((await post({ webhook: { url: 'http://93.184.216.34/hook', secret: SECRET } })).statusCode).toBe(
      201,
    );
    expect(
      (await post({ webhook: { url: 'https://[2606:2800:220:1::1]/h', secret: SECRET } })).statusCode,
    ).toBe(201);
  });

  it('holds at most 100 alerts per org', async () => {
    for (let k = 0; k < 100; k++) expect((await post({ name: `a${k}` })).statusCode).toBe(201);
    const res = await post({ name: 'one too many' });
    expect([res.statusCode, pathOf(res)]).toEqual([400, ['org']]);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      'org: already has 100 alerts, the most an org may have',
    );
    expect((await post({ org: 'beta' })).statusCode).toBe(201);
  });

  it('keys see and change only the alerts within their reach, role and event types', async () => {
    const acme = (await post()).json<{ id: string }>().id;
    const beta = (await post({ org: 'beta' })).json<{ id: string }>().id;
    const betaAdmin = await t.newKey('admin', ['beta']);
    const acmeRead = await t.newKey('read', ['acme']);
    const acmeIngest = await t.newKey('ingest', ['acme']);
    const typed = async (role: string, types: string[]) => {
      const res = await t.call('POST', '/v1/keys', { body: { name: 'typed', role, orgs: ['acme'], types } });
      return res.json<{ key: string }>().key;
    };
    const ids = async (key: string) =>
      (await t.call('GET', '/v1/alerts', { key }))
        .json<{ alerts: { id: string }[] }>()
        .alerts.map((a) => a.id);

    expect((await post({}, betaAdmin)).statusCode).toBe(403);
    expect(await ids(betaAdmin)).toEqual([beta]);
    for (const path of ['', '/deliveries', '/status'])
      expect((await t.call('GET', `/v1/alerts/${acme}${path}`, { key: betaAdmin })).statusCode).toBe(404);
    expect((await t.call('DELETE', `/v1/alerts/${acme}`, { key: betaAdmin })).statusCode).toBe(404);

    expect((await post({}, acmeRead)).statusCode).toBe(403);
    expect(await ids(acmeRead)).toEqual([acme]);
    expect((await t.call('GET', `/v1/alerts/${acme}/status`, { key: acmeRead })).statusCode).toBe(200);
    expect((await t.call('DELETE', `/v1/alerts/${acme}`, { key: acmeRead })).statusCode).toBe(403);
    expect((await t.call('GET', '/v1/alerts', { key: acmeIngest })).statusCode).toBe(403);

    // A key limited to page.view sees no alert over api.request, and creates alerts over its types only.
    const pageRead = await typed('read', ['page.view']);
    expect(await ids(pageRead)).toEqual([]);
    expect((await t.call('GET', `/v1/alerts/${acme}`, { key: pageRead })).statusCode).toBe(404);
    const pageAdmin = await typed('admin', ['page.view']);
    expect((await post({}, pageAdmin)).statusCode).toBe(403);
    const own = await post({ query: { agg: 'count' } }, pageAdmin);
    expect([own.statusCode, own.json<{ query: unknown }>().query]).toEqual([
      201,
      { type: ['page.view'], agg: 'count' },
    ]);
    expect(await ids(pageRead)).toEqual([own.json<{ id: string }>().id]);
  });
}
