/**
 * SaferMe analytics v4 in-process: the key forms (Token token=..., native), 401/403, and
 * every bad parameter as 422 {"message": "client error", "param"}; nothing answers 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafermeSurface, safermeSurface } from '../../src/compat/saferme/index.js';
import { ADMIN, makeApp, type TestApp } from '../helpers.js';
import { loadChannel, MAIN } from './saferme-data.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ surfaces: [safermeSurface] });
  await loadChannel(t);
});
afterAll(async () => {
  await t.close();
});

const URL = `/api/v4/analytics/reports_per_user?${MAIN}`;
/** Reporter 3 made 101 and 102 in the main range. */
const USER_3 = { user_id: 3, account_id: 1, report_count: 2 };

async function status(url: string, opts: Parameters<TestApp['call']>[2] = {}) {
  const res = await t.call('GET', url, opts);
  return { code: res.statusCode, body: res.json<unknown>() };
}

/** 401 and 403 answer {"message": "..."} and nothing else. */
function expectMessageOnly(body: unknown): void {
  expect(Object.keys(body as object)).toEqual(['message']);
  expect(typeof (body as { message: unknown }).message).toBe('string');
}

describe('SaferMe analytics v4: keys', () => {
  it('accepts Token token=<key>, quoted or not, and the native forms', async () => {
    const forms: Record<string, string>[] = [
      { authorization: `Token token=${ADMIN}` },
      { authorization: `Token token="${ADMIN}"` },
      { authorization: `Bearer ${ADMIN}` },
      { authorization: ADMIN },
      { 'x-api-key': ADMIN },
    ];
    for (const headers of forms) {
      const res = await status(URL, { key: null, headers });
      expect(res.code).toBe(200);
      expect((res.body as unknown[])[0]).toEqual(USER_3);
    }
  });

  it('401 without a key, with an unknown key, or a malformed Token header', async () => {
    const forms: Record<string, string>[] = [
      {},
      { authorization: 'Token token=nope' },
      { authorization: 'Token abc' },
    ];
    for (const headers of forms) {
      const res = await status(URL, { key: null, headers });
      expect(res.code).toBe(401);
      expectMessageOnly(res.body);
    }
  });

  it('a read key reaches its channel and the channel’s sub-orgs, 403 beyond', async () => {
    const read1 = await t.newKey('read', ['1']);
    expect((await status(URL, { key: read1 })).code).toBe(200);
    expect((await status(URL.replace('channel_id=1', 'channel_id=11'), { key: read1 })).code).toBe(200);
    const read11 = await t.newKey('read', ['11']);
    const res = await status(URL, { key: read11 });
    expect(res.code).toBe(403);
    expectMessageOnly(res.body);
    const read2 = await t.newKey('read', ['2']);
    expect((await status(URL, { key: read2 })).code).toBe(403);
    // A channel that does not exist is outside a scoped key too.
    expect((await status(URL.replace('channel_id=1', 'channel_id=999'), { key: read1 })).code).toBe(403);
  });

  it('403 for an ingest key; an admin key over the channel reads', async () => {
    const ingest = await t.newKey('ingest', ['1']);
    expect((await status(URL, { key: ingest })).code).toBe(403);
    const admin = await t.newKey('admin', ['1']);
    expect((await status(URL, { key: admin })).code).toBe(200);
  });

  it('an unknown channel under the operator key is empty', async () => {
    expect(await status(URL.replace('channel_id=1', 'channel_id=999'))).toEqual({ code: 200, body: [] });
  });
});

describe('SaferMe analytics v4: 422 client error', () => {
  const base = '/api/v4/analytics';
  const cases: [string, string][] = [
    [`${base}/reports_per_user?start_date=2016-11-07T00:00:00Z&end_date=2016-11-14T00:00:00Z`, 'channel_id'],
    [`${base}/reports_per_user?channel_id=abc&start_date=2016-11-07&end_date=2016-11-14`, 'channel_id'],
    [`${base}/reports_per_user?channel_id=-1&start_date=2016-11-07&end_date=2016-11-14`, 'channel_id'],
    [`${base}/reports_per_user?channel_id=1.5&start_date=2016-11-07&end_date=2016-11-14`, 'channel_id'],
    [
      `${base}/reports_per_user?channel_id=1&channel_id=2&start_date=2016-11-07&end_date=2016-11-14`,
      'channel_id',
    ],
    [
      `${base}/reports_per_user?channel_id=${'9'.repeat(16)}&start_date=2016-11-07&end_date=2016-11-14`,
      'channel_id',
    ],
    [`${base}/reports_per_user?channel_id=1&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=yesterday&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-13-01&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-02-30&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=1478476800&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=${'2'.repeat(300)}&end_date=2016-11-14`, 'start_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-11-07`, 'end_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-11-07&end_date=2016-11-07T25:00:00Z`, 'end_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-11-14&end_date=2016-11-07`, 'end_date'],
    [`${base}/reports_per_user?channel_id=1&start_date=2016-11-07&end_date=2016-11-07`, 'end_date'],
    [`${base}/reports_per_field_selection?${MAIN}`, 'field_id'],
    [`${base}/reports_per_field_selection?${MAIN}&field_id=status`, 'field_id'],
    [`${base}/reports_read?${MAIN}&fields=total_reads,bogus`, 'fields'],
    [`${base}/reports_read?${MAIN}&fields=total_alerts`, 'fields'],
    [`${base}/user_awareness?${MAIN}&fields=total_reads`, 'fields'],
    [`${base}/reports_nowhere?${MAIN}`, 'report'],
    [`${base}?${MAIN}`, 'report'],
  ];
  it.each(cases)('%s -> param %s', async (url, param) => {
    expect(await status(url)).toEqual({ code: 422, body: { message: 'client error', param } });
  });

  it('checks the key before the parameters', async () => {
    expect((await status(`${base}/reports_nowhere`, { key: null })).code).toBe(401);
  });
});

describe('SaferMe analytics v4: bounded lists', () => {
  it('refuses with 422 on end_date when a range holds more rows than the bound', async () => {
    const small = await makeApp({ surfaces: [createSafermeSurface({ maxRows: 2 })] });
    try {
      await loadChannel(small);
      const get = async (report: string, q = MAIN) => {
        const res = await small.call('GET', `/api/v4/analytics/${report}?${q}`);
        return { code: res.statusCode, body: res.json<unknown>() };
      };
      const refused = { code: 422, body: { message: 'client error', param: 'end_date' } };
      // 2 images in the main range fit; [Nov 6, Nov 15) holds 4.
      expect((await get('reports_images')).code).toBe(200);
      expect(await get('reports_images', 'channel_id=1&start_date=2016-11-06&end_date=2016-11-15')).toEqual(
        refused,
      );
      // 5 creations + 7 state changes in the main range; 5 reports; 4 reporters; 3 alerted users.
      expect(await get('reports_per_state')).toEqual(refused);
      expect(await get('reports_per_field_selection', `${MAIN}&field_id=2`)).toEqual(refused);
      expect(await get('reports_per_user')).toEqual(refused);
      expect(await get('user_awareness')).toEqual(refused);
      // Aggregates without groups are not bounded by it.
      expect((await get('reports_read')).body).toEqual({ total_reads: 7 });
    } finally {
      await small.close();
    }
  });
});
