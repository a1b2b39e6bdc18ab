/**
 * Errors that say how to fix them (issues 24 and 25): every 400 names the parameter as the
 * client sent it (a JSON pointer inside it), lists what is accepted, and guesses the value
 * meant when one is close; GET and POST /v1/query answer the same. Expected bodies are
 * written by hand from docs/query.md and docs/errors.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, makeApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
  await t.call('PUT', '/v1/orgs/acme', { body: {} });
});
afterAll(async () => {
  await t.close();
});

const RANGE = { org: 'acme', from: '2026-11-01', to: '2026-11-08' };

/** The same parameters as a GET query string: lists repeated, filters as JSON text. */
function queryString(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (k === 'filters') q.append(k, JSON.stringify(v));
    else if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
    else q.append(k, String(v));
  }
  return q.toString();
}

const BUCKETS = 'none, hour, day, week, month, hour_of_day, day_of_week';
const FIELD = 'must be actor, org, type, actor_kind or dims.<key>';

describe('/v1/query faults, GET and POST alike', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'an unknown parameter',
      { groupBy: 'dims.app' },
      'groupBy',
      'is not a known parameter; did you mean group_by?',
    ],
    ['bucket=daily', { bucket: 'daily' }, 'bucket', `must be one of ${BUCKETS}; did you mean day?`],
    ['bucket=Week', { bucket: 'Week' }, 'bucket', `must be one of ${BUCKETS}; did you mean week?`],
    [
      'agg=distinct',
      { agg: 'distinct' },
      'agg',
      'must be one of count, sum, min, max, avg, unique, latest, integral, p50, p90, p95, p99, quantile',
    ],
    [
      'a misspelt timezone',
      { timezone: 'Europe/Amsterdm' },
      'timezone',
      'must be an IANA time zone name such as Europe/Berlin or UTC; did you mean Europe/Amsterdam?',
    ],
    [
      'a filter op',
      { filters: [['eqq', 'actor', ['a']]] },
      'filters/0/0',
      'must be one of eq, in, not_in, prefix, contains, icontains, regex, gt, gte, lt, lte; did you mean eq?',
    ],
    [
      'a filter field',
      { filters: [['eq', 'dim.app', ['a']]] },
      'filters/0/1',
      `${FIELD}; did you mean dims.app?`,
    ],
    [
      'eq with two values',
      { filters: [['eq', 'actor', ['a', 'b']]] },
      'filters/0/2',
      'must hold exactly one value for eq',
    ],
    [
      'prefix of a missing value',
      {
        filters: [
          ['in', 'actor', ['a']],
          ['prefix', 'dims.app', [null]],
        ],
      },
      'filters/1/2/0',
      'cannot be null with prefix: a missing value never matches',
    ],
    [
      'a group_by field',
      { group_by: ['actor', 'dims.app', 'app'] },
      'group_by/2',
      `${FIELD}; for a dim, write dims.app`,
    ],
    ['a repeated of field', { agg: 'unique', of: ['actor', 'actor'] }, 'of/1', 'repeats actor'],
    [
      'a window unit that does not nest',
      { window: 'rolling', window_size: 3, bucket: 'day', window_unit: 'week' },
      'window_unit',
      'must nest in a day bucket: one of hour, day',
    ],
    [
      'a rolling window without a size',
      { window: 'rolling' },
      'window_size',
      'is required with window=rolling',
    ],
    [
      'window_size=0',
      { window: 'rolling', window_size: 0 },
      'window_size',
      'must be an integer from 1 to 1000',
    ],
    ['week_start=9', { week_start: 9 }, 'week_start', 'must be an integer from 0 to 6'],
    ['share=5', { share: 5 }, 'share', 'must be an integer from 0 to 4'],
    ['top without group_by', { top: 3 }, 'top', 'needs a group_by'],
    ['subtree=yes', { subtree: 'yes' }, 'subtree', 'must be true or false (got a string)'],
    ['fill=none', { fill: 'none' }, 'fill', 'must be one of zero, sparse'],
  ])('%s', async (_name, params, path, message) => {
    const want = {
      error: { code: 'invalid_request', message: `${path}: ${message}`, details: [{ path, message }] },
    };
    const get = await t.call('GET', `/v1/query?${queryString({ ...RANGE, ...params })}`);
    expect([get.statusCode, get.json()]).toEqual([400, want]);
    const post = await t.call('POST', '/v1/query', { body: { ...RANGE, ...params } });
    expect([post.statusCode, post.json()]).toEqual([400, want]);
  });

  it('a body that is not an object is reported at body', async () => {
    const res = await t.call('POST', '/v1/query', { body: [1] });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: { path: string }[] } }>().error.details.map((d) => d.path)).toEqual([
      'body',
    ]);
  });
});

describe('ingest faults', () => {
  const post = (body: unknown) => t.call('POST', '/v1/events', { body });
  const details = async (body: unknown) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    return res.json<{ error: { details: unknown[] } }>().error.details;
  };

  it.each<[string, Record<string, unknown>, { index: number; path: string; message: string }[]]>([
    [
      'a missing id is one fault',
      { id: undefined },
      [{ index: 0, path: '/id', message: 'is required: a string of 1-200 characters' }],
    ],
    [
      'nested dims',
      { dims: { a: { b: 1 } } },
      [
        {
          index: 0,
          path: '/dims/a',
          message:
            'must be a string of at most 512 characters, a number or a boolean (dims are flat: no objects or arrays) (got an object)',
        },
      ],
    ],
    [
      'a time in milliseconds',
      { time: 1_795_176_000_000 },
      [
        {
          index: 0,
          path: '/time',
          message:
            'is outside 1970..9999 as Unix seconds; it looks like milliseconds: send seconds (1795176000) or an RFC 3339 string',
        },
      ],
    ],
    [
      'a misspelt field',
      { actr: 'u1' },
      [{ index: 0, path: '/actr', message: 'is not a known event field; did you mean actor?' }],
    ],
    [
      'a time of the wrong type',
      { time: true },
      [
        {
          index: 0,
          path: '/time',
          message:
            'must be an RFC 3339 time with an offset or Z (2024-05-01T12:00:00Z) or a number of Unix seconds (got a boolean)',
        },
      ],
    ],
  ])('%s', async (_name, change, want) => {
    const event = JSON.parse(JSON.stringify({ ...ev(), ...change })) as unknown;
    expect(await details(event)).toEqual(want);
  });

  it('NDJSON sent as application/json says so', async () => {
    const lines = [ev({ id: 'n1' }), ev({ id: 'n2' })].map((e) => JSON.stringify(e)).join('\n');
    const res = await t.call('POST', '/v1/events', {
      raw: lines,
      headers: { 'content-type': 'application/json' },
    });
    const message =
      'The body holds one JSON value per line (NDJSON) but says Content-Type: application/json; send it as application/x-ndjson, or send one JSON array.';
    expect([res.statusCode, res.json()]).toEqual([
      400,
      {
        error: {
          code: 'invalid_request',
          message: `content-type: ${message}`,
          details: [{ path: 'content-type', message }],
        },
      },
    ]);
    // Broken JSON that is not NDJSON stays "not valid JSON".
    const broken = await t.call('POST', '/v1/events', {
      raw: '{"id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.json<{ error: { message: string } }>().error.message).toBe('The body is not valid JSON.');
  });

  it('415 names the content types accepted', async () => {
    const res = await t.call('POST', '/v1/events', { raw: 'a,b', headers: { 'content-type': 'text/csv' } });
    const message =
      'Content-Type "text/csv" is not accepted here; send application/json, or application/x-ndjson with one event per line.';
    expect([res.statusCode, res.json()]).toEqual([
      415,
      { error: { code: 'invalid_request', message, details: [{ path: 'content-type', message }] } },
    ]);
    const query = await t.call('POST', '/v1/query', { raw: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(query.json<{ error: { message: string } }>().error.message).toBe(
      'Content-Type "text/csv" is not accepted here; send application/json.',
    );
  });
});

describe('other native bodies', () => {
  it.each<[string, string, string, unknown, string, string]>([
    [
      'an org timezone',
      'PUT',
      '/v1/orgs/globex',
      { timezone: 'Europe/Amsterdm' },
      'timezone',
      'must be an IANA time zone name such as Europe/Berlin or UTC; did you mean Europe/Amsterdam?',
    ],
    [
      'an org field',
      'PUT',
      '/v1/orgs/globex',
      { nam: 'Globex' },
      'nam',
      'is not a known parameter; did you mean name?',
    ],
    [
      'a key role',
      'POST',
      '/v1/keys',
      { name: 'k', role: 'reader', orgs: ['acme'] },
      'role',
      'must be one of admin, ingest, read; did you mean read?',
    ],
  ])('%s', async (_name, method, url, body, path, message) => {
    const res = await t.call(method, url, { body });
    expect([res.statusCode, res.json()]).toEqual([
      400,
      { error: { code: 'invalid_request', message: `${path}: ${message}`, details: [{ path, message }] } },
    ]);
  });
});
