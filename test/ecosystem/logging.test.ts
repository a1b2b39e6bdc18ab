/**
 * Logs: one JSON object per line, each request's lines carrying the id that
 * `x-request-id` returns, and no key, session id or password anywhere, in
 * any header form any surface accepts, in TR50 bodies, or in error paths.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/http/logging.js';
import { ADMIN, ecoApp, type EcoApp } from './app.js';

/** Collects everything written, as the log destination. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

let t: EcoApp;
let key: string;
const log = new Capture();

beforeAll(async () => {
  t = await ecoApp({ logger: loggerOptions('trace', log) });
  const res = await t.call('POST', '/v1/keys', { body: { name: 'r', role: 'admin', orgs: ['*'] } });
  key = res.json<{ key: string }>().key;
});
afterAll(async () => {
  await t?.close();
});

describe('logs', () => {
  it('are JSON lines carrying the request id that x-request-id returns', async () => {
    const res = await t.call('GET', '/v1/orgs', { headers: { 'x-request-id': 'trace-me-42' } });
    expect(res.headers['x-request-id']).toBe('trace-me-42');
    const mine = log.lines().filter((l) => l['reqId'] === 'trace-me-42');
    // The arrival at debug (20), the answer at info (30): one info line per request.
    expect(mine.map((l) => [l['msg'], l['level']])).toEqual([
      ['incoming request', 20],
      ['request completed', 30],
    ]);
    const completed = mine[1] as {
      req: { method: string; url: string };
      res: { statusCode: number };
      responseTime: number;
    };
    expect(completed.res.statusCode).toBe(200);
    expect(completed.req).toMatchObject({ method: 'GET', url: '/v1/orgs' });
    expect(typeof completed.responseTime).toBe('number');
    const generated = await t.call('GET', '/healthz');
    const id = generated.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(log.lines().some((l) => l['reqId'] === id)).toBe(true);
  });

  it('never hold a key, a session id or a password', async () => {
    const before = log.text.length;
    const headerForms: Record<string, string>[] = [
      { authorization: `Bearer ${key}` },
      { authorization: key },
      { 'x-api-key': key },
      { capgkey: key },
      { 'x-filespin-api-key': key },
      { authorization: `Token token=${key}` },
      { cookie: `session=${key}` },
    ];
    for (const headers of headerForms) {
      await t.call('GET', '/v1/orgs', { key: null, headers });
      await t.call('GET', '/statistics/user/?from=2026-11-01&to=2026-11-02', { key: null, headers });
      await t.call('GET', '/api/v1/stats/timeseries/api?start_time=1&end_time=2', { key: null, headers });
      await t.call('GET', '/api/v4/analytics/reports_per_user?channel_id=1', { key: null, headers });
    }
    // TR50: the key in appToken and password, then the session id in the header and the auth block.
    const login = await t.call('POST', '/api', {
      key: null,
      body: { auth: { command: 'api.authenticate', params: { appToken: key } } },
    });
    const session = login.json<{ auth: { params: { sessionId: string } } }>().auth.params.sessionId;
    expect(session.length).toBeGreaterThan(8);
    await t.call('POST', '/api', {
      key: null,
      body: { a: { command: 'api.authenticate', params: { username: 'ops', password: key } } },
    });
    const history = { h: { command: 'usage.api.history', params: { last: '1h' } } };
    await t.call('POST', '/api', { key: null, headers: { sessionid: session }, body: history });
    await t.call('POST', '/api', { key: null, body: { auth: { sessionId: session }, ...history } });
    // Bodies that fail to parse, with the secret inside.
    await t.call('POST', '/api', { key: null, raw: `{"auth": {"params": {"appToken": "${key}"` });
    await t.call('POST', '/v1/events', {
      headers: { 'content-type': 'application/json' },
      raw: `{"id": "${key}`,
    });
    await t.call('POST', '/api/v1/events', {
      headers: { 'content-type': 'application/cloudevents+json' },
      raw: `{"subject": "${key}`,
    });
    // Keys sent by mistake in a query string, under the names clients use.
    for (const name of [
      'key',
      'api_key',
      'apiKey',
      'token',
      'access_token',
      'sessionId',
      'password',
      'X-API-KEY',
    ])
      await t.call('GET', `/v1/orgs?${name}=${encodeURIComponent(key)}&x=1`, { key: null });
    await t.call('GET', `/statistics/user/?from=2026-11-01&capgkey=${key}`, { key: null });
    await t.call('POST', `/api?sessionId=${session}`, { key: null, body: history });
    const written = log.text.slice(before);
    expect(written).toContain('"url":"/v1/orgs?api_key=[redacted]&x=1"');
    expect(written.length).toBeGreaterThan(5000);
    expect(written).not.toContain(key);
    // The secret tail alone (the id part may itself hold '_', so split() would cut a short, common fragment).
    expect(written).not.toContain(key.slice(-32));
    expect(written).not.toContain(session);
    expect(written).not.toContain(ADMIN);
  });

  it('redact secrets even where code logs headers or a TR50 body itself', () => {
    const sink = new Capture();
    const logger = pino(loggerOptions('info'), sink);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/x',
          headers: { authorization: 'Bearer s1', 'x-api-key': 's2', 'user-agent': 'ua' },
        },
        headers: { 'x-filespin-api-key': 's5', cookie: 's6', capgkey: 's3', sessionid: 's4' },
        body: { auth: { command: 'api.authenticate', params: { appToken: 's7', password: 's8' } } },
      },
      'debugging',
    );
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(sink.text).not.toContain(`s${n}`);
    const [line] = sink.lines() as [
      {
        req: { headers: Record<string, string> };
        headers: Record<string, string>;
        body: { auth: { params: Record<string, string> } };
      },
    ];
    // A request is logged with harmless headers only; other objects keep their shape, censored.
    expect(line.req.headers).toEqual({ 'user-agent': 'ua' });
    expect(line.headers).toEqual({
      'x-filespin-api-key': '[redacted]',
      cookie: '[redacted]',
      capgkey: '[redacted]',
      sessionid: '[redacted]',
    });
    expect(line.body.auth.params).toEqual({ appToken: '[redacted]', password: '[redacted]' });
  });
});
