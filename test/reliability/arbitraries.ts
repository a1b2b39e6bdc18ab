/**
 * Hostile input for the fuzz tests (fast-check arbitraries): strings that
 * have broken parsers before (SQL fragments, huge and non-finite numbers,
 * lone surrogates, NULs, bidi marks, prototype names, bad dates, malformed
 * percent-encodings), deep JSON, broken JSON, and query strings and headers
 * built from them, mixed with valid values so that cases get past the
 * parameter checks into the engine.
 */
import fc from 'fast-check';

/** Strings with a history. */
export const NASTY: readonly string[] = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  "'; DROP TABLE events; --",
  '1 OR 1=1',
  "') OR ('1'='1",
  '%',
  '_',
  '*',
  ',',
  ',,,',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  '\uFFFF',
  '\u202E',
  '𝕋𝕒𝕝𝕝𝕪',
  'Ω≈ç√',
  'ﷺ',
  '👩‍👩‍👧‍👦',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e-400',
  '-0',
  '0x10',
  '1_000',
  '9007199254740993',
  '99999999999999999999999',
  '-99999999999999999999999',
  '2147483648',
  '-1',
  '0',
  'null',
  'undefined',
  'true',
  'false',
  '[]',
  '{}',
  '[[[[[[[[[[',
  '{"a":',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '2024-02-30',
  '2024-13-01',
  '0000-00-00',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '275760-09-13',
  '+275760-09-13T00:00:00Z',
  '2026-11-20T12:00:00+25:00',
  '1970-01-01',
  '2026-11-19',
  '2026-11-19T10:00:00Z',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'dims.',
  'dims.x',
  'dims.a.b',
  'actor',
  'org',
  'a'.repeat(300),
  'b'.repeat(5000),
  '%ZZ',
  '%E0%A4%A',
  '%00',
];

/** Valid-looking values of the parameters the surfaces share. */
const PLAUSIBLE: readonly string[] = [
  '101',
  'acme',
  'api',
  'users',
  'developers',
  'workspaces',
  'day',
  'hour',
  'week',
  'month',
  'none',
  'unique',
  'sum',
  'latest',
  'rolling',
  'cumulative',
  'api.request',
  'activity',
  '1795046400',
  '1795176000',
  '1793491200',
  '2026-11-01',
  '2026-11-20',
  '2026-11-01T00:00:00Z',
  '7d',
  '24h',
  'UTC',
  'Asia/Kathmandu',
  'America/New_York',
  'Mars/Olympus',
];

/** A hostile or plausible string. */
export const evil: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
);

/** Nested arrays and objects `depth` deep, as JSON text (deep JSON). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A JSON value with hostile leaves, up to a small depth. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    evil,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(evil, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** A request body as text: JSON of any shape, deep JSON, broken JSON, NDJSON, or bytes. */
export const body: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(10, 1000, 100_000)
      .chain((d) => fc.constantFrom(deepJson(d, 'array'), deepJson(d, 'object'))),
  },
  { weight: 1, arbitrary: hostileJson.map((v) => (JSON.stringify(v) ?? 'null').slice(0, -1)) },
  {
    weight: 1,
    arbitrary: fc
      .array(hostileJson, { maxLength: 5 })
      .map((xs) => xs.map((x) => JSON.stringify(x)).join('\n')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('NaN', '[NaN]', '{"value": Infinity}', '1e999999', '-', '\uFEFF{}', ''),
  },
);

/** Percent-encode, writing lone surrogates as the malformed UTF-8 that a careless client would send. */
function pct(s: string): string {
  return s
    .split(/([\uD800-\uDFFF])/u)
    .map((part) => (/^[\uD800-\uDFFF]$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

/** Encode a query-string piece: properly, raw (possibly malformed), or double-encoded. */
const encoded = (s: string, how: number): string =>
  how === 0 ? pct(s) : how === 1 ? s.replace(/[#\s]/g, '') : pct(pct(s));

/** A query string (with its leading `?`, or empty) from names that matter and random ones. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: evil });
  return fc.array(fc.tuple(name, evil, fc.nat(9)), { maxLength: 8 }).map((pairs) => {
    if (pairs.length === 0) return '';
    const how = (k: number): number => (k < 7 ? 0 : k < 9 ? 1 : 2);
    return `?${pairs.map(([n, v, k]) => `${encoded(n, how(k))}=${encoded(v, how(k))}`).join('&')}`;
  });
}

/** The credential a fuzzed request carries, by name; the test maps names to real secrets. */
export const KEY_KINDS = ['admin', 'read', 'ingest', 'none', 'bogus', 'hostile'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Headers besides the credential: content types, encodings, and junk. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'application/x-ndjson',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json; charset=',
      '*/*',
      ';;;',
    ),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x-unknown'),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', '\u00ff'),
    'x-request-id': evil.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    sessionid: evil.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    capgkey: evil.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  },
  { requiredKeys: [] },
);

/** A request's parameters: each name with the valid values it may take (null: left out). */
export type Template = Record<string, readonly (string | null)[]>;

/**
 * Query strings near a valid one: each parameter kept (a valid value), replaced
 * by a hostile one, dropped, or repeated; plus a few extra names.
 */
export function mutatedQuery(template: Template, extraNames: readonly string[]): fc.Arbitrary<string> {
  const parts = Object.entries(template).map(([name, values]) =>
    fc.oneof(
      { weight: 14, arbitrary: fc.constantFrom(...values).map((v) => (v === null ? [] : [[name, v]])) },
      { weight: 1, arbitrary: evil.map((v) => [[name, v]]) },
      { weight: 1, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(...values), evil).map(([a, b]) => [
          [name, a ?? ''],
          [name, b],
        ]),
      },
    ),
  );
  const extra = fc.array(fc.tuple(fc.constantFrom(...extraNames, ...Object.keys(template)), evil), {
    maxLength: 2,
  });
  return fc.tuple(fc.tuple(...parts), extra, fc.nat(19)).map(([kept, more, k]) => {
    const pairs = [...kept.flat(), ...more] as [string, string][];
    const how = k < 17 ? 0 : k < 19 ? 1 : 2;
    return pairs.length === 0
      ? ''
      : `?${pairs.map(([n, v]) => `${encoded(n, how)}=${encoded(v, how)}`).join('&')}`;
  });
}

/** JSON objects near a valid one: values kept, replaced by hostile JSON, or dropped; an extra key at times. */
export function mutatedObject(
  template: Record<string, readonly unknown[]>,
  required: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  const parts = Object.entries(template).map(([name, values]) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...values).map((v) => [name, v] as const) },
      { weight: 1, arbitrary: hostileJson.map((v) => [name, v] as const) },
      // Optional members are mostly left out; required ones mostly kept.
      { weight: required.includes(name) ? 1 : 10, arbitrary: fc.constant(null) },
    ),
  );
  return fc
    .tuple(fc.tuple(...parts), fc.dictionary(evil, hostileJson, { maxKeys: 1 }))
    .map(([kept, more]) => {
      const out: Record<string, unknown> = {};
      for (const p of kept)
        if (p) Object.defineProperty(out, p[0], { value: p[1], enumerable: true, writable: true });
      for (const [k, v] of Object.entries(more))
        Object.defineProperty(out, k, { value: v, enumerable: true });
      return out;
    });
}
