/**
 * Issue 26, points 4 and 7: every surface reads JSON bodies through one parser. Too-deep
 * JSON is refused with 400 (TR50: -90002 over HTTP 200) before any recursive walk, and a
 * `__proto__` key is refused the same way in a JSON body and in an NDJSON line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../src/compat/index.js';
import { cloudEventsSurface } from '../../src/http/cloudevents/index.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJson } from '../../src/http/json-body.js';
import { NOW, relApp, type RelApp } from './harness.js';

/** `{"a":{"a":...{"a":1}}}` with `levels` objects. */
const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{"a":1' + '}'.repeat(levels);
const time = new Date(NOW - 60_000).toISOString();

type Json = Record<string, unknown>;

describe('JSON depth and prototype keys (issue 26.4, 26.7)', () => {
  let t: RelApp;
  let ingest: string;
  beforeAll(async () => {
    t = await relApp({ surfaces: [...surfaces, cloudEventsSurface] });
    ingest = await t.newKey('ingest', ['acme']);
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (): Promise<number> => {
    const res = await t.call('GET', '/v1/query?org=acme&bucket=none&from=2026-01-01&to=2026-12-01');
    return res.json<{ series: { total: number }[] }>().series[0]?.total ?? 0;
  };

  it('measures depth on the text, skipping strings and escapes', () => {
    expect(nestsDeeperThan(nested(64))).toBe(false);
    expect(nestsDeeperThan(nested(65))).toBe(true);
    expect(nestsDeeperThan(`["${'['.repeat(500)}\\"${'{'.repeat(500)}"]`)).toBe(false);
    expect(nestsDeeperThan('[[[]]]', 2)).toBe(true);
    expect(nestsDeeperThan('[[],[],[]]', 2)).toBe(false);
  });

  it('refuses a CloudEvent whose data nests 5,000 levels (10 KB) with 400, not 500', async () => {
    const body = `{"specversion":"1.0","id":"deep","source":"x","type":"t","subject":"acme","time":"${time}","data":${nested(5000)}}`;
    expect(body.length).toBeLessThan(40_000);
    const res = await t.call('POST', '/api/v1/events', {
      key: ingest,
      body,
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json<Json>()['detail']).toMatch(new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    // Just within the bound, the same event is stored.
    const ok = `{"specversion":"1.0","id":"ok","source":"x","type":"t","subject":"acme","time":"${time}","data":{"value":2,"m":${nested(10)}}}`;
    const stored = await t.call('POST', '/api/v1/events', {
      key: ingest,
      body: ok,
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    expect(stored.statusCode, stored.body).toBeLessThan(300);
  });

  it('refuses too-deep JSON with 400 on the native routes and -90002 on TR50', async () => {
    const deep = nested(MAX_JSON_DEPTH + 1);
    const native: [string, string][] = [
      ['POST', '/v1/events'],
      ['POST', '/v1/actors'],
      ['PUT', '/v1/orgs/acme/actors/u1'],
      ['POST', '/v1/query'],
      ['POST', '/v1/keys'],
    ];
    for (const [method, url] of native) {
      const res = await t.call(method, url, { body: deep, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toBe(
        `The body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      );
    }
    const nd = await t.call('POST', '/v1/events', {
      key: ingest,
      body: `{"id":"n1","type":"t","org":"acme","time":"${time}"}\n${deep}`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(nd.statusCode).toBe(400);
    expect(nd.json<{ error: { details: Json[] } }>().error.details).toEqual([
      { index: 1, path: '/', message: `nests deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
    const tr50 = await t.call('POST', '/api', { body: `{"x":${nested(5000)}}` });
    expect(tr50.statusCode).toBe(200);
    expect(JSON.stringify(tr50.json())).toContain('-90002');
    expect(JSON.stringify(tr50.json())).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('refuses a __proto__ dim the same way as JSON and as NDJSON, storing nothing', async () => {
    const before = await count();
    const event = `{"id":"p1","type":"t","org":"acme","time":"${time}","dims":{"__proto__":"x","a":"1"}}`;
    const json = await t.call('POST', '/v1/events', {
      key: ingest,
      body: event,
      headers: { 'content-type': 'application/json' },
    });
    const nd = await t.call('POST', '/v1/events', {
      key: ingest,
      body: event,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    const fault = { path: '/dims/__proto__', message: 'a "__proto__" key is refused (prototype poisoning)' };
    expect(json.statusCode).toBe(400);
    expect(json.json<{ error: { details: Json[] } }>().error.details).toEqual([fault]);
    expect(nd.statusCode).toBe(400);
    expect(nd.json<{ error: { details: Json[] } }>().error.details).toEqual([{ index: 0, ...fault }]);
    // Spelt with escapes, it is the same key.
    expect(parseJson('{"dims":{"\\u005f_proto__":"x"}}')).toEqual({ fault });
    expect(await count()).toBe(before);
    // Without the key, the same event is stored once.
    const clean = event.replace('"__proto__":"x",', '');
    const ok = await t.call('POST', '/v1/events', {
      key: ingest,
      body: clean,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(ok.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await count()).toBe(before + 1);
  });
});
