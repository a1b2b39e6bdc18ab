/**
 * CloudEvents ingestion at POST /api/v1/events, driven by OpenMeter's own npm
 * client (@openmeter/sdk) against a listening server, as an OpenMeter user
 * would; the figures are read back through /v1/query. Errors are
 * problem+json, and the neighbouring surfaces (TR50's /api, FileSpin's
 * /api/v1/stats/timeseries) keep theirs.
 */
import { OpenMeter, isHTTPError } from '@openmeter/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flattenData, mapCloudEvent, numericValue } from '../../src/http/cloudevents/map.js';
import { ADMIN, NOW, ecoApp, type EcoApp } from './app.js';

let t: EcoApp;
let url: string;
beforeAll(async () => {
  t = await ecoApp();
  url = await t.listen();
});
afterAll(async () => {
  await t?.close();
});

interface Answer {
  series: { group: Record<string, string | null>; total: number }[];
}
async function totals(query: string): Promise<Record<string, number>> {
  const res = await t.call(
    'GET',
    `/v1/query?${query}&bucket=none&from=2026-11-01&to=2026-11-21&timezone=UTC`,
  );
  expect(res.statusCode).toBe(200);
  const a = res.json<Answer>();
  const label = (g: Record<string, string | null>): string =>
    Object.keys(g).length === 0
      ? '*'
      : Object.values(g)
          .map((v) => v ?? '(none)')
          .join('|');
  return Object.fromEntries(a.series.map((s) => [label(s.group), s.total]));
}

describe('OpenMeter client -> Tally', () => {
  it('ingests single events and batches; subject, id, type, time, data map as documented', async () => {
    const om = new OpenMeter({ baseUrl: url, apiKey: ADMIN });
    await om.events.ingest({
      id: 'tok-1',
      type: 'ai-tokens',
      subject: 'acme',
      source: 'llm-gateway',
      time: new Date('2026-11-19T10:00:00Z'),
      data: { value: 850, model: 'gpt-4', kind: 'input' },
    });
    await om.events.ingest([
      {
        id: 'tok-2',
        type: 'ai-tokens',
        subject: 'acme',
        time: new Date('2026-11-19T11:00:00Z'),
        data: { value: '400', model: 'gpt-4', kind: 'output' },
      },
      {
        id: 'tok-3',
        type: 'ai-tokens',
        subject: 'globex',
        time: new Date('2026-11-20T09:00:00Z'),
        data: { value: 1250, model: 'claude', kind: 'input', meta: { region: 'eu' } },
      },
      // No value: counts 1.
      { id: 'login-1', type: 'login', subject: 'acme', time: new Date(NOW), data: { user: 'u1' } },
    ]);
    // The client always sends a time; without one, an event takes the time of receipt (the test clock).
    const noTime = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: 'login-2',
        type: 'login',
        source: 's',
        subject: 'acme',
        data: { user: 'u2' },
      }),
    });
    expect(noTime.status).toBe(204);
    // 850 + 400 (a numeric string is a number) for acme; 1250 for globex.
    expect(await totals('type=ai-tokens&agg=sum&group_by=org')).toEqual({ acme: 1250, globex: 1250 });
    expect(await totals('type=ai-tokens&agg=sum&group_by=dims.model,dims.kind')).toEqual({
      'claude|input': 1250,
      'gpt-4|input': 850,
      'gpt-4|output': 400,
    });
    expect(await totals('org=globex&agg=count&group_by=dims.meta.region')).toEqual({ eu: 1 });
    const login = await t.call(
      'GET',
      '/v1/query?org=acme&type=login&bucket=hour&from=2026-11-20T11:00:00Z&to=2026-11-20T13:00:00Z',
    );
    expect(
      login.json<{ series: { points: { value: number }[] }[] }>().series[0]!.points.map((p) => p.value),
    ).toEqual([0, 2]);
    expect(await totals('org=acme&type=login&agg=unique&of=dims.user')).toEqual({ '*': 2 });
    // `source` is accepted and not stored: no dim appears for it.
    expect(await totals('org=acme&type=ai-tokens&group_by=dims.source')).toEqual({ '(none)': 2 });
  });

  it('an id sent again is a duplicate: not counted twice, the first one stands', async () => {
    const om = new OpenMeter({ baseUrl: url, apiKey: ADMIN });
    const ev = { id: 'dup-1', type: 'download', subject: 'initech', time: new Date(NOW - 3600_000) };
    await om.events.ingest({ ...ev, data: { value: 10 } });
    await om.events.ingest([{ ...ev, data: { value: 99 } }]);
    expect(await totals('org=initech&agg=sum')).toEqual({ '*': 10 });
    const raw = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ ...ev, specversion: '1.0', source: 'x' }),
    });
    expect(raw.status).toBe(204);
    expect(raw.headers.get('x-tally-accepted')).toBe('0');
    expect(raw.headers.get('x-tally-duplicates')).toBe('1');
  });

  it('errors reach the client as OpenMeter problems: 401, 403, 400 with the faults', async () => {
    const denied = new OpenMeter({ baseUrl: url, apiKey: 'not-a-key' });
    const e401 = await denied.events.ingest({ type: 'x', subject: 'acme' }).catch((e: unknown) => e);
    expect(isHTTPError(e401) && e401.status).toBe(401);
    expect(isHTTPError(e401) && e401.title).toBe('Unauthorized');

    const read = await t.call('POST', '/v1/keys', { body: { name: 'r', role: 'read', orgs: ['acme'] } });
    const reader = new OpenMeter({ baseUrl: url, apiKey: read.json<{ key: string }>().key });
    const e403 = await reader.events.ingest({ type: 'x', subject: 'acme' }).catch((e: unknown) => e);
    expect(isHTTPError(e403) && e403.status).toBe(403);

    const om = new OpenMeter({ baseUrl: url, apiKey: ADMIN });
    const bad = await om.events
      .ingest([
        { id: 'ok-1', type: 'fine', subject: 'acme', time: new Date(NOW) },
        { id: 'bad-1', type: 'has spaces', subject: 'acme', time: new Date(NOW) },
        { id: 'bad-2', type: 'fine', subject: 'acme', time: new Date(NOW + 3_600_000) },
      ])
      .catch((e: unknown) => e);
    expect(isHTTPError(bad) && bad.status).toBe(400);
    const faults = isHTTPError(bad)
      ? (bad.getField('extensions') as { validationErrors: { index: number; path: string }[] })
          .validationErrors
      : [];
    expect(faults.map((f) => [f.index, f.path])).toEqual([
      [1, '/type'],
      [2, '/time'],
    ]);
    // Atomic: the valid event of the refused batch was not stored.
    expect(await totals('org=acme&type=fine')).toEqual({ '*': 0 });
  });

  it('checks content types and body shapes; answers problem+json exactly', async () => {
    const post = (type: string, body: string): Promise<Response> =>
      fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type },
        body,
      });
    const one = { specversion: '1.0', id: 'ct-1', type: 't', subject: 'acme', source: 's' };
    const arrayAsSingle = await post('application/cloudevents+json', JSON.stringify([one]));
    expect(arrayAsSingle.status).toBe(400);
    expect(arrayAsSingle.headers.get('content-type')).toBe('application/problem+json');
    const body = (await arrayAsSingle.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(body['instance']).toBe(`urn:request:${arrayAsSingle.headers.get('x-request-id')}`);
    expect((await post('application/cloudevents-batch+json', JSON.stringify(one))).status).toBe(400);
    expect((await post('application/cloudevents+json', '{"id": ')).status).toBe(400);
    expect((await post('text/plain', JSON.stringify(one))).status).toBe(415);
    expect((await post('application/json', JSON.stringify(one))).status).toBe(204);
    const unknown = await fetch(`${url}/api/v1/events/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
  });

  it('leaves TR50 (/api) and FileSpin (/api/v1/stats/timeseries) their own shapes', async () => {
    const tr50 = await t.call('POST', '/api', { key: null, body: { x: { command: 'nope' } } });
    expect(tr50.json<{ x: { success: boolean } }>().x.success).toBe(false);
    const fs = await t.call('GET', '/api/v1/stats/timeseries/api?start_time=x');
    expect(fs.json<{ error: string }>().error).toEqual(expect.any(String));
  });
});

describe('the mapping, unit by unit', () => {
  it('numeric values: numbers and numeric strings', () => {
    expect([1.5, '42', ' -3e2 ', '0x10', 'abc', true, null, Infinity].map(numericValue)).toEqual([
      1.5,
      42,
      -300,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('flattens data: dotted keys, arrays as JSON, nulls left out', () => {
    expect(flattenData({ a: { b: { c: 1 } }, l: [1, 'x'], n: null, s: 's', f: false })).toEqual({
      'a.b.c': 1,
      l: '[1,"x"]',
      s: 's',
      f: false,
    });
  });

  it('a non-numeric data.value is a dim; missing id, subject or type are faults at their paths', () => {
    const e = mapCloudEvent(
      { id: 'i', type: 't', subject: 'o', time: '2026-11-19T00:00:00Z', data: { value: 'n/a' } },
      0,
      NOW,
    );
    expect(e).toEqual({
      org: 'o',
      id: 'i',
      type: 't',
      ts: Date.UTC(2026, 10, 19),
      actor: null,
      value: 1,
      dims: { value: 'n/a' },
    });
    const f = mapCloudEvent({ specversion: '0.3', data: 'text' }, 7, NOW);
    expect(Array.isArray(f) && f.map((x) => `${x.index}${x.path}`)).toEqual([
      '7/specversion',
      '7/id',
      '7/type',
      '7/subject',
      '7/data',
    ]);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
    const tooMany = mapCloudEvent({ id: 'i', type: 't', subject: 'o', data: many }, 0, NOW);
    expect(Array.isArray(tooMany) && tooMany[0]!.path).toBe('/data');
  });
});
