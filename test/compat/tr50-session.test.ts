/**
 * TR50 authentication over POST /api: api.authenticate (appToken, username + password),
 * the session id in the `sessionId` header or the envelope's `auth` block, native key
 * headers, 30-minute idle expiry, revocation with the key, sessions shared by two Tally
 * processes on one store, and every authentication error.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tr50Surface } from '../../src/compat/tr50/index.js';
import { hashSecret } from '../../src/core/keys.js';
import { createApp } from '../../src/http/app.js';
import { ADMIN, NOW, type TestApp } from '../helpers.js';
import { fixture, history, setupTr50, tr50 } from './tr50-setup.js';

let now = NOW;
let t: TestApp;
let acme: string;
beforeEach(async () => {
  now = NOW;
  t = await setupTr50(() => now);
  acme = await t.newKey('read', ['acme']);
});
afterEach(async () => {
  await t.close();
});

const FALL_HOURS = { start: '2026-11-01T00:00:00-04:00', end: '2026-11-01T04:00:00-05:00' };
const MINUTE = 60_000;

function failure(code: number): Record<string, unknown> {
  return { success: false, errorCodes: [code], errorMessages: [expect.any(String)] };
}

function login(params: Record<string, unknown>): Record<string, unknown> {
  return { auth: { command: 'api.authenticate', params } };
}

async function sessionOf(params: Record<string, unknown>): Promise<string> {
  const res = await tr50(t, login(params), { key: null });
  expect(res['auth']).toMatchObject({ success: true });
  const { sessionId } = res['auth']!['params'] as { sessionId: unknown };
  expect(Object.keys(res['auth']!['params'] as object)).toEqual(['sessionId']);
  // 24 random bytes, base64url
  expect(sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
  return sessionId as string;
}

/** The hour-fall answer for acme under the id `get`, as a session (header) sees it. */
async function historyWithHeader(sessionId: string): Promise<Record<string, unknown>> {
  return tr50(t, history(FALL_HOURS), { key: null, headers: { sessionId } });
}

describe('api.authenticate and sessions', () => {
  it('appToken: the session id works in the header and in the auth block; only its hash is stored', async () => {
    const sessionId = await sessionOf({ appToken: acme });
    expect(await historyWithHeader(sessionId)).toEqual(fixture('history-hour-fall'));
    const withBlock = await tr50(t, { auth: { sessionId }, ...history(FALL_HOURS) }, { key: null });
    expect(withBlock).toEqual(fixture('history-hour-fall')); // the auth block itself is not answered
    const stored = await t.store.getSession(hashSecret(sessionId));
    expect(stored).toMatchObject({ keyId: acme.slice(4, 16), org: 'acme', created_at: NOW, last_used: NOW });
    expect(await t.store.getSession(sessionId)).toBeNull();
  });

  it('username + password, as deviceWISE admin tools send it (the username is not checked)', async () => {
    const sessionId = await sessionOf({ username: 'ops@example.com', password: acme });
    expect(await historyWithHeader(sessionId)).toEqual(fixture('history-hour-fall'));
  });

  it('authenticate and query in one envelope: auth runs first whatever the key order', async () => {
    const body = { ...history(FALL_HOURS), ...login({ appToken: acme, appId: 'dash', thingKey: 'x' }) };
    const res = await tr50(t, body, { key: null });
    expect(Object.keys(res)).toEqual(['get', 'auth']);
    expect(res['auth']).toMatchObject({ success: true });
    expect(res['get']).toEqual((fixture('history-hour-fall') as Record<string, unknown>)['get']);
  });

  it('native key headers work too: Bearer, raw authorization, x-api-key', async () => {
    const expected = fixture('history-hour-fall');
    expect(await tr50(t, history(FALL_HOURS), { key: acme })).toEqual(expected);
    const forms: Record<string, string>[] = [{ authorization: acme }, { 'x-api-key': acme }];
    for (const headers of forms) {
      expect(await tr50(t, history(FALL_HOURS), { key: null, headers })).toEqual(expected);
    }
  });

  it('the operator key opens a session with no org: showAll only', async () => {
    const sessionId = await sessionOf({ appToken: ADMIN });
    const res = await tr50(
      t,
      {
        byOrg: { command: 'usage.api.history', params: { ...FALL_HOURS, showAll: true, dimension: 'org' } },
        mine: { command: 'usage.api.history', params: FALL_HOURS },
      },
      { key: null, headers: { sessionId } },
    );
    expect(res['byOrg']).toEqual((fixture('history-show-all') as Record<string, unknown>)['byOrg']);
    expect(res['mine']).toEqual(failure(-90011));
    expect(await t.store.getSession(hashSecret(sessionId))).toMatchObject({ org: '*' });
  });

  it('expires after 30 minutes idle; each use restarts the idle clock', async () => {
    const sessionId = await sessionOf({ appToken: acme });
    now = NOW + 30 * MINUTE - 1; // idle 29:59.999: still valid, and this use is recorded
    expect((await historyWithHeader(sessionId))['get']).toMatchObject({ success: true });
    now += 30 * MINUTE - 1;
    expect((await historyWithHeader(sessionId))['get']).toMatchObject({ success: true });
    now += 30 * MINUTE; // idle exactly 30:00
    expect((await historyWithHeader(sessionId))['get']).toEqual(failure(-90009));
  });

  it('deletes expired sessions when a new one opens, at most once per 30 minutes', async () => {
    const first = await sessionOf({ appToken: acme });
    const second = await sessionOf({ appToken: acme });
    now = NOW + 10 * MINUTE;
    expect((await historyWithHeader(second))['get']).toMatchObject({ success: true });
    // first: idle 30:00 (expired); second: idle 20:00. Opening a session deletes only first.
    now = NOW + 30 * MINUTE;
    const third = await sessionOf({ appToken: acme });
    await expect.poll(() => t.store.getSession(hashSecret(first)), { timeout: 20_000 }).toBeNull();
    expect(await t.store.getSession(hashSecret(second))).not.toBeNull();
    // 29 minutes on, second has expired too, but the last purge was under 30 minutes ago.
    now = NOW + 59 * MINUTE;
    await sessionOf({ appToken: acme });
    expect(await t.store.getSession(hashSecret(second))).not.toBeNull();
    expect((await historyWithHeader(second))['get']).toEqual(failure(-90009));
    now = NOW + 60 * MINUTE;
    await sessionOf({ appToken: acme });
    // On ClickHouse the deletion is a mutation that reaches each part in turn: wait for both.
    await expect.poll(() => t.store.getSession(hashSecret(second)), { timeout: 20_000 }).toBeNull();
    await expect.poll(() => t.store.getSession(hashSecret(third)), { timeout: 20_000 }).toBeNull();
  });

  it('is revoked with its key; the key itself then fails too', async () => {
    const created = await t.call('POST', '/v1/keys', {
      body: { name: 'dash', role: 'read', orgs: ['acme'] },
    });
    const { id, key } = created.json<{ id: string; key: string }>();
    const sessionId = await sessionOf({ appToken: key });
    expect((await historyWithHeader(sessionId))['get']).toMatchObject({ success: true });
    expect((await t.call('DELETE', `/v1/keys/${id}`)).statusCode).toBe(204);
    expect((await historyWithHeader(sessionId))['get']).toEqual(failure(-90009));
    expect((await tr50(t, history(FALL_HOURS), { key }))['get']).toEqual(failure(-90008));
    expect((await tr50(t, login({ appToken: key }), { key: null }))['auth']).toEqual(failure(-90010));
  });

  it('is served by another Tally process on the same store; a new TALLY_ADMIN_KEY ends operator sessions', async () => {
    const sessionId = await sessionOf({ appToken: acme });
    const operator = await sessionOf({ appToken: ADMIN });
    const other = await createApp({ store: t.store, clock: () => now, adminKey: 'rotated-admin' }, [
      tr50Surface,
    ]);
    const ask = async (sid: string, params: Record<string, unknown>): Promise<unknown> => {
      const res = await other.inject({
        method: 'POST',
        url: '/api',
        headers: { sessionid: sid },
        payload: history(params),
      });
      return res.json<Record<string, unknown>>()['get'];
    };
    expect(await ask(sessionId, FALL_HOURS)).toEqual(
      (fixture('history-hour-fall') as Record<string, unknown>)['get'],
    );
    expect(await ask(operator, { ...FALL_HOURS, showAll: true })).toEqual(failure(-90009));
    await other.close();
  });
});

describe('authentication errors', () => {
  it('no credentials at all: -90008 for each command that needs them', async () => {
    const res = await tr50(
      t,
      { a: { command: 'usage.api.history', params: FALL_HOURS }, b: { command: 'usage.api.history' } },
      { key: null },
    );
    expect(res).toEqual({ a: failure(-90008), b: failure(-90008) });
  });

  it('an unknown, malformed or missing session id: -90009 / -90002', async () => {
    expect((await historyWithHeader('not-a-session'))['get']).toEqual(failure(-90009));
    expect(
      (await tr50(t, { auth: { sessionId: 'x'.repeat(129) }, ...history(FALL_HOURS) }, { key: null }))['get'],
    ).toEqual(failure(-90009));
    expect(
      (await tr50(t, { auth: { sessionId: 42 }, ...history(FALL_HOURS) }, { key: null }))['get'],
    ).toEqual(failure(-90009));
    expect((await tr50(t, { auth: { token: acme }, ...history(FALL_HOURS) }, { key: null }))['get']).toEqual(
      failure(-90002),
    );
  });

  it('the auth block wins over the header and a native key: a bad one fails even with a good key', async () => {
    const res = await tr50(t, { auth: { sessionId: 'stale' }, ...history(FALL_HOURS) }, { key: acme });
    expect(res['get']).toEqual(failure(-90009));
  });

  it('api.authenticate: bad key -90010, ingest key -90011, missing -90005, both forms -90006, bad type -90004', async () => {
    const ingest = await t.newKey('ingest', ['acme']);
    const cases: [Record<string, unknown>, number][] = [
      [{ appToken: 'tly_nope' }, -90010],
      [{ username: 'u', password: 'wrong' }, -90010],
      [{ appToken: ingest }, -90011],
      [{}, -90005],
      [{ username: 'u' }, -90005],
      [{ appToken: acme, password: acme }, -90006],
      [{ appToken: 42 }, -90004],
      [{ appToken: 'x'.repeat(513) }, -90004],
      [{ appToken: acme, mfa: '123456' }, -90004],
    ];
    for (const [params, code] of cases) {
      expect((await tr50(t, login(params), { key: null }))['auth'], JSON.stringify(params)).toEqual(
        failure(code),
      );
    }
  });
});
