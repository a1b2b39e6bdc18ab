/**
 * Hostile input on the native write side (issue 11):
 * - batches of events near valid ones (hostile ids, orgs, types, times, huge
 *   and non-finite values, SQL fragments and unicode in dims keys and values),
 *   as a JSON object, an array, or NDJSON: no 5xx, errors in shape, and the
 *   store holds exactly the sum of what was acknowledged (a 400 stores nothing);
 * - a differential property: events planted with a hostile dims key and value
 *   are counted back exactly through filters and group-by, so no fragment of
 *   either ever reaches SQL as code;
 * - the admin and actor bodies (orgs, keys, actors) near valid ones.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evil, hostileJson, mutatedObject } from './arbitraries.js';
import {
  credential,
  credentialHeaders,
  fire,
  fuzzFixture,
  runs,
  TALLIES,
  type FuzzFixture,
} from './fuzz-setup.js';
import { hasLoneSurrogate } from '../../src/core/events.js';
import { NOW } from './harness.js';

let f: FuzzFixture;
beforeAll(async () => {
  f = await fuzzFixture();
});
afterAll(async () => {
  await f.t.close();
});

/** Every event stored, over all orgs and all time (the admin key reaches every org). */
async function storedTotal(): Promise<number> {
  const to = new Date(NOW + 3_600_000).toISOString();
  const res = await f.t.call('GET', `/v1/query?from=1970-01-01T00:00:00Z&to=${to}&bucket=none`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ series: { total: number }[] }>().series[0]?.total ?? 0;
}

let serial = 0;
const dimsArb = fc.dictionary(
  evil,
  fc.oneof(evil, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), hostileJson),
  { maxKeys: 4 },
);
const eventArb = fc
  .tuple(
    mutatedObject(
      {
        type: ['api.request', 'activity', 'a:b.c-d_e'],
        time: ['2026-11-19T10:00:00Z', 1795046400, 1795046400.5, '2026-11-19T10:00:00.123456789+05:45'],
        org: ['fz', 'fz-2', "fz'; DROP TABLE events; --"],
        actor: ['u1', 'ü', null],
        value: [1, 0, -1.5, 1e300, 5e-324],
      },
      ['type', 'time', 'org'],
    ),
    dimsArb,
    fc.boolean(),
  )
  .map(([e, dims, withDims]) => ({
    id: `fz-${serial++}`,
    type: 'api.request',
    time: '2026-11-19T10:00:00Z',
    org: 'fz',
    ...e,
    ...(withDims ? { dims } : {}),
  }));

describe('hostile event batches', () => {
  it(`POST /v1/events: ${runs(600)} cases, exactly the acknowledged events are stored`, async () => {
    const before = await storedTotal();
    let acknowledged = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('array', 'object', 'ndjson'),
        fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: credential }),
        async (events, form, cred) => {
          const sent = form === 'object' ? events.slice(0, 1) : events;
          const payload =
            form === 'ndjson'
              ? sent.map((e) => JSON.stringify(e)).join('\n')
              : JSON.stringify(form === 'object' ? sent[0] : sent);
          const headers = {
            'content-type': form === 'ndjson' ? 'application/x-ndjson' : 'application/json',
            ...(cred ? credentialHeaders(f, cred) : { authorization: `Bearer ${f.secrets.admin}` }),
          };
          const res = await fire(f, 'POST /v1/events', {
            method: 'POST',
            url: '/v1/events',
            headers,
            payload,
          });
          if (res.statusCode === 200) {
            const r = res.json<{ accepted: number; duplicates: number }>();
            expect(r.accepted + r.duplicates).toBe(sent.length);
            acknowledged += r.accepted;
          } else if (res.statusCode === 400) {
            const details = res.json<{ error: { details: { index?: number }[] } }>().error.details;
            for (const d of details) if (d.index !== undefined) expect(d.index).toBeLessThan(sent.length);
          }
        },
      ),
      { numRuns: runs(600) },
    );
    expect(await storedTotal()).toBe(before + acknowledged);
    const t = TALLIES['POST /v1/events']!;
    expect(t.byStatus[200] ?? 0).toBeGreaterThan(t.cases * 0.04);
    expect(t.byStatus[400] ?? 0).toBeGreaterThan(t.cases * 0.1);
  });
});

/** A dims key and value as a client could store them: the bounds of the event schema. */
/**
 * Keys left out, each a known limit (docs/reliability.md, "Findings"): `__proto__` is refused as
 * prototype poisoning before any event is read; group_by splits its items on commas and trims
 * them, even the items of a JSON array, so a key with a comma or surrounding spaces cannot be
 * grouped by (it can be filtered on).
 */
const dimKey = evil.filter(
  (k) =>
    k.length >= 1 &&
    k.length <= 58 &&
    k !== '__proto__' &&
    !k.includes(',') &&
    k.trim() === k &&
    !hasLoneSurrogate(k),
);
// Non-empty: a stored "" cannot be asked for, as filter values must have 1-512 characters.
const dimValue = fc
  .oneof(evil, fc.string({ unit: 'binary', maxLength: 40 }))
  .filter((v) => v.length >= 1 && v.length <= 512 && !hasLoneSurrogate(v));

describe('SQL fragments and unicode in dims keys and values', () => {
  it(`are counted back exactly through filters and group-by: ${runs(150)} cases`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        dimKey,
        dimValue,
        dimValue,
        fc.integer({ min: 1, max: 4 }),
        async (key, v1, v2, k1) => {
          fc.pre(v1 !== v2);
          const org = `probe-${n++}`;
          const events = [
            ...Array.from({ length: k1 }, (_, i) => ({ id: `a${i}`, dims: { [key]: v1 } })),
            { id: 'b0', dims: { [key]: v2 } },
            { id: 'c0', dims: {} },
          ].map((e) => ({ ...e, type: 'probe', org, time: '2026-11-19T10:00:00Z' }));
          const put = await f.t.call('POST', '/v1/events', { body: events });
          expect(put.json(), put.body).toEqual({ accepted: k1 + 2, duplicates: 0 });
          const base = { org, type: 'probe', from: '2026-11-19', to: '2026-11-20', bucket: 'none' };
          const field = `dims.${key}`;
          const filtered = await f.t.call('POST', '/v1/query', {
            body: { ...base, filters: [['eq', field, [v1]]] },
          });
          expect(filtered.statusCode, filtered.body).toBe(200);
          expect(filtered.json<{ series: { total: number }[] }>().series[0]!.total).toBe(k1);
          const grouped = await f.t.call('POST', '/v1/query', { body: { ...base, group_by: [field] } });
          expect(grouped.statusCode, grouped.body).toBe(200);
          const got = grouped
            .json<{ series: { group: Record<string, string | null>; total: number }[] }>()
            .series.map((s): [unknown, number] => [
              Object.hasOwn(s.group, field) ? s.group[field] : 'MISSING KEY',
              s.total,
            ]);
          // Series are ordered by group values, missing first; v1 and v2 in the engine's string order.
          expect(new Map(got)).toEqual(
            new Map<unknown, number>([
              [null, 1],
              [v1, k1],
              [v2, 1],
            ]),
          );
        },
      ),
      { numRuns: runs(150) },
    );
  });
});

describe('lone surrogates', () => {
  it('are refused with 400 before they reach a commit another batch shares', async () => {
    const ev = (id: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
      id,
      type: 'x',
      org: 'sur',
      time: '2026-11-19T10:00:00Z',
      ...over,
    });
    const bad = [
      [ev('a', { dims: { k: '\ud800' } })],
      [ev('b', { dims: { '\udfff': 'v' } })],
      [ev('c\ud800')],
      [ev('d', { org: 'sur\udc00' })],
      [ev('e', { actor: 'u\ud800' })],
    ];
    const good = [ev('ok-1', { actor: 'u1', dims: { k: '𝕋' } }), ev('ok-2', { actor: '👩‍👩‍👧‍👦' })];
    const answers = await Promise.all([
      ...bad.map((b) => f.t.call('POST', '/v1/events', { body: b })),
      f.t.call('POST', '/v1/events', { body: good }),
    ]);
    for (const res of answers.slice(0, -1)) {
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { code: string; details: { message: string }[] } }>().error).toMatchObject({
        code: 'invalid_event',
        details: [{ message: 'must be valid Unicode (no lone surrogates)' }],
      });
    }
    expect(answers.at(-1)!.json()).toEqual({ accepted: 2, duplicates: 0 });
  });
});

describe('hostile admin and actor bodies', () => {
  const targets: { name: string; method: string; url: fc.Arbitrary<string>; body: fc.Arbitrary<unknown> }[] =
    [
      {
        name: 'PUT /v1/orgs/:id',
        method: 'PUT',
        url: fc.constantFrom('/v1/orgs/o-1', '/v1/orgs/o-2', `/v1/orgs/${encodeURIComponent("x'--")}`),
        body: mutatedObject({
          name: ['Acme', null],
          parent: ['101', 'o-1', 'o-2', null],
          domain: ['acme.com', 'a.b', null],
          timezone: ['UTC', 'Asia/Kathmandu', 'Mars/Olympus'],
        }),
      },
      {
        name: 'POST /v1/keys',
        method: 'POST',
        url: fc.constant('/v1/keys'),
        body: mutatedObject(
          {
            name: ['k'],
            role: ['read', 'ingest', 'admin'],
            orgs: [['101'], ['*'], ['102', '101']],
          },
          ['name', 'role', 'orgs'],
        ),
      },
      {
        name: 'PUT /v1/orgs/:org/actors/:id',
        method: 'PUT',
        url: fc.constantFrom('/v1/orgs/101/actors/u9', '/v1/orgs/102/actors/%F0%9F%92%A9'),
        body: mutatedObject({
          kind: ['user', 'developer', 'device'],
          created_at: ['2026-01-01T00:00:00Z', null],
          deleted_at: ['2026-12-01T00:00:00Z', null],
          first_name: ['Ann', "O'Brien"],
          props: [{ a: 1 }, { nested: { deep: [1, 2] } }],
        }),
      },
      {
        name: 'POST /v1/actors',
        method: 'POST',
        url: fc.constant('/v1/actors'),
        body: fc.array(
          mutatedObject(
            {
              org: ['101', '102'],
              id: ['u1', 'u7'],
              kind: ['user', 'device'],
              last_name: ['Z'],
            },
            ['org', 'id'],
          ),
          { maxLength: 3 },
        ),
      },
    ];
  for (const tg of targets) {
    it(`${tg.name}: ${runs(150)} cases`, async () => {
      await fc.assert(
        fc.asyncProperty(tg.url, tg.body, credential, async (url, body, cred) => {
          const headers = { 'content-type': 'application/json', ...credentialHeaders(f, cred) };
          await fire(f, tg.name, { method: tg.method, url, headers, payload: JSON.stringify(body) });
        }),
        { numRuns: runs(150) },
      );
      expect(TALLIES[tg.name]!.byStatus[200] ?? TALLIES[tg.name]!.byStatus[201] ?? 0).toBeGreaterThan(0);
    });
  }
});

afterAll(() => {
  const lines = Object.entries(TALLIES).map(
    ([k, v]) => `${k}: ${v.cases} cases ${JSON.stringify(v.byStatus)}`,
  );
  console.log(`fuzz (native writes):\n  ${lines.join('\n  ')}`);
});
