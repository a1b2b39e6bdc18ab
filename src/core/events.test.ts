/**
 * Event validation: hand-worked times and faults, then a differential check
 * against a naive second implementation (schema interpreted by Value.Check,
 * every time through a regex and Date.parse) on generated hostile input, so
 * the compiled schema and the fast time path cannot change an answer.
 */
import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { ErrorDetail } from './errors.js';
import { EventSchema, LIMITS, parseEventTime, validateBatch, validateEvent } from './events.js';
import type { EventRecord } from './model.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** The naive time parser: the full regex, a Date probe for the calendar, Date.parse for the instant. */
function naiveTime(t: string | number): number | string {
  const maxMs = Date.UTC(10000, 0, 1);
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) return 'must be a finite number of Unix seconds';
    const ms = Math.round(t * 1000);
    if (ms >= 0 && ms < maxMs) return ms;
    if (t >= 1e12 && t < maxMs)
      return `is outside 1970..9999 as Unix seconds; it looks like milliseconds: send seconds (${Math.floor(t / 1000)}) or an RFC 3339 string`;
    return 'is outside 1970..9999 as Unix seconds (or send an RFC 3339 string)';
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return 'must be RFC 3339 with an offset or Z, e.g. 2024-05-01T12:00:00Z, or Unix seconds';
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d)
    return 'is not a valid calendar date and time';
  if (h > 23 || mi > 59 || s > 59) return 'is not a valid calendar date and time';
  const ms = Date.parse(t.replace(' ', 'T').replace(/\.(\d{3})\d+/, '.$1'));
  if (Number.isNaN(ms)) return 'is not a valid RFC 3339 time';
  return ms < 0 || ms >= maxMs ? 'is outside 1970..9999' : ms;
}

/** The naive validator: every check spelled out in order, faults collected as it goes. */
function naiveEvent(raw: unknown, index: number, nowMs: number): EventRecord | ErrorDetail[] {
  const keyFault = (k: string): ErrorDetail[] =>
    k.length >= 1 && k.length <= 64
      ? []
      : [
          {
            index,
            path: `/dims/${k}`,
            message: `is a dims key of ${k.length} characters; keys must have 1-64`,
          },
        ];
  if (!Value.Check(EventSchema, raw)) {
    // One fault per path (messages are checked by hand in the tests above), then the dims keys.
    const paths = [...new Set([...Value.Errors(EventSchema, raw)].slice(0, 50).map((e) => e.path || '/'))];
    const faults: ErrorDetail[] = paths.map((path) => ({ index, path, message: '' }));
    const dims = (raw as { dims?: unknown } | null)?.dims;
    if (typeof dims === 'object' && dims !== null && !Array.isArray(dims))
      for (const k of Object.keys(dims)) faults.push(...keyFault(k));
    return faults.slice(0, 10);
  }
  const lone = (v: unknown): boolean => typeof v === 'string' && /[\uD800-\uDFFF]/u.test(v);
  const faults: ErrorDetail[] = [];
  const surrogate = (path: string): ErrorDetail => ({
    index,
    path,
    message: 'must be valid Unicode (no lone surrogates)',
  });
  for (const [path, text] of [
    ['/id', raw.id],
    ['/org', raw.org],
    ['/actor', raw.actor],
  ] as const)
    if (lone(text)) faults.push(surrogate(path));
  for (const [k, v] of Object.entries(raw.dims ?? {})) {
    faults.push(...keyFault(k));
    if (lone(k)) faults.push(surrogate(`/dims/${k}`));
    if (lone(v)) faults.push(surrogate(`/dims/${k}`));
  }
  const ts = naiveTime(raw.time);
  if (typeof ts === 'string') faults.push({ index, path: '/time', message: ts });
  else if (ts > nowMs + 5 * 60 * 1000)
    faults.push({ index, path: '/time', message: 'is more than 5 minutes in the future' });
  if (raw.value !== undefined && !Number.isFinite(raw.value))
    faults.push({ index, path: '/value', message: 'must be a finite number' });
  const dims: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.dims ?? {})) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      faults.push({ index, path: `/dims/${k}`, message: 'must be a finite number' });
      continue;
    }
    dims[k] = String(v);
    if ((dims[k]?.length ?? 0) > 512)
      faults.push({ index, path: `/dims/${k}`, message: 'must be at most 512 characters' });
  }
  if (faults.length > 0 || typeof ts === 'string') return faults;
  return {
    org: raw.org,
    id: raw.id,
    type: raw.type,
    ts,
    actor: raw.actor ?? null,
    value: raw.value ?? 1,
    dims,
  };
}

/** Faults of a schema refusal compare by place; their words are checked by hand elsewhere. */
function comparable(r: EventRecord | ErrorDetail[], raw: unknown): unknown {
  if (!Array.isArray(r) || Value.Check(EventSchema, raw)) return r;
  return r.map((f) => [f.index, f.path]);
}

describe('parseEventTime', () => {
  it.each([
    ['2026-11-20T12:00:00Z', 1_795_176_000_000],
    ['2026-11-20T12:00:00.5Z', 1_795_176_000_500],
    ['2026-11-20T12:00:00.12Z', 1_795_176_000_120],
    ['2026-11-20T12:00:00.123987654Z', 1_795_176_000_123],
    ['2026-11-20T17:30:00+05:30', 1_795_176_000_000],
    ['2026-11-20T11:00:00.250-01:00', 1_795_176_000_250],
    ['2026-11-20 12:00:00z', 1_795_176_000_000],
    ['2026-11-20t12:00:00Z', 1_795_176_000_000],
    ['2024-02-29T00:00:00Z', 1_709_164_800_000],
    ['2000-02-29T00:00:00Z', 951_782_400_000],
    ['1970-01-01T00:00:00Z', 0],
    [1_795_176_000.5, 1_795_176_000_500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseEventTime(text)).toBe(ms);
  });

  it.each([
    ['2023-02-29T00:00:00Z', 'is not a valid calendar date and time'],
    ['2100-02-29T00:00:00Z', 'is not a valid calendar date and time'],
    ['2026-04-31T00:00:00Z', 'is not a valid calendar date and time'],
    ['2026-11-20T24:00:00Z', 'is not a valid calendar date and time'],
    ['2026-11-20T12:00:60Z', 'is not a valid calendar date and time'],
    ['0050-01-01T00:00:00Z', 'is not a valid calendar date and time'],
    ['2026-11-20T12:00:00+24:00', 'is not a valid RFC 3339 time'],
    ['2026-11-20T12:00:00+05:60', 'is not a valid RFC 3339 time'],
    ['1969-12-31T23:59:59.999Z', 'is outside 1970..9999'],
    ['1970-01-01T00:30:00+01:00', 'is outside 1970..9999'],
    ['9999-12-31T23:59:59-00:01', 'is outside 1970..9999'],
    ['2026-11-20T12:00:00.1234567890Z', expect.stringMatching(/^must be RFC 3339/)],
    ['2026-11-20T12:00:00', expect.stringMatching(/^must be RFC 3339/)],
    ['2026-11-20T12:00:00.Z', expect.stringMatching(/^must be RFC 3339/)],
    ['2026-11-20T12:00:00+0530', expect.stringMatching(/^must be RFC 3339/)],
    [Number.NaN, 'must be a finite number of Unix seconds'],
  ])('refuses %s: %s', (text, message) => {
    expect(parseEventTime(text)).toEqual(message);
  });

  const two = (hi: number): fc.Arbitrary<string> =>
    fc.integer({ min: 0, max: hi }).map((n) => String(n).padStart(2, '0'));
  const timeText = fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '0000',
          '0050',
          '0100',
          '0999',
          '1000',
          '1969',
          '1970',
          '2000',
          '2024',
          '2100',
          '9999',
        ),
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      ),
      two(13),
      two(32),
      fc.constantFrom('T', 't', ' ', 'x'),
      two(25),
      two(61),
      two(61),
      fc.oneof(fc.constant(''), fc.constant('.'), fc.stringMatching(/^\.[0-9]{1,11}$/)),
      fc.oneof(
        fc.constantFrom('Z', 'z', '', 'ZZ', ' Z', '+0530', '+5:00'),
        fc.tuple(fc.constantFrom('+', '-', '~'), two(99), two(99)).map(([s, h, m]) => `${s}${h}:${m}`),
      ),
    )
    .map(([y, mo, d, sep, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`);

  it('agrees with the naive parser on 20,000 generated texts and numbers', () => {
    fc.assert(
      fc.property(fc.oneof(timeText, fc.string({ maxLength: 40 }), fc.double()), (t) => {
        expect(parseEventTime(t)).toBe(naiveTime(t));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('validateEvent', () => {
  const ok = { id: 'e1', type: 'api.request', time: '2026-11-20T11:00:00Z', org: 'acme' };

  it('returns the record, value defaulting to 1 and dims as strings', () => {
    expect(validateEvent({ ...ok, actor: 'u1', dims: { n: 2, b: true, s: 'x' } }, 0, NOW)).toStrictEqual({
      org: 'acme',
      id: 'e1',
      type: 'api.request',
      ts: Date.UTC(2026, 10, 20, 11),
      actor: 'u1',
      value: 1,
      dims: { n: '2', b: 'true', s: 'x' },
    });
  });

  it('reports lone surrogates, a future time and a bad time in order, with index and path', () => {
    expect(
      validateEvent({ ...ok, id: 'a\uD800', dims: { ['k\uDC00']: 'v', ok: '\uD83D' } }, 7, NOW),
    ).toStrictEqual([
      { index: 7, path: '/id', message: 'must be valid Unicode (no lone surrogates)' },
      { index: 7, path: '/dims/k\uDC00', message: 'must be valid Unicode (no lone surrogates)' },
      { index: 7, path: '/dims/ok', message: 'must be valid Unicode (no lone surrogates)' },
    ]);
    // A pair is fine: U+1F600.
    expect(Array.isArray(validateEvent({ ...ok, id: 'a\uD83D\uDE00' }, 0, NOW))).toBe(false);
    expect(validateEvent({ ...ok, time: '2026-11-20T12:05:00.001Z' }, 1, NOW)).toStrictEqual([
      { index: 1, path: '/time', message: 'is more than 5 minutes in the future' },
    ]);
    expect(Array.isArray(validateEvent({ ...ok, time: '2026-11-20T12:05:00Z' }, 1, NOW))).toBe(false);
    expect(validateEvent({ ...ok, time: '2026-13-01T00:00:00Z' }, 2, NOW)).toStrictEqual([
      { index: 2, path: '/time', message: 'is not a valid calendar date and time' },
    ]);
  });

  it('reports schema faults by path', () => {
    const r = validateEvent({ ...ok, type: 'a b', extra: 1 }, 3, NOW) as ErrorDetail[];
    expect(r).toEqual([
      {
        index: 3,
        path: '/extra',
        message: 'is not a known event field; known: id, type, time, org, actor, value, dims',
      },
      { index: 3, path: '/type', message: 'must be a string of 1-100 characters from A-Za-z0-9_.:-' },
    ]);
    expect(validateEvent(null, 0, NOW)).toStrictEqual([
      {
        index: 0,
        path: '/',
        message: 'must be an object with id, type, time, org, actor, value, dims (got null)',
      },
    ]);
  });

  const tricky = [
    '',
    ' ',
    'a',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(100),
    'x'.repeat(101),
    'x'.repeat(200),
    'x'.repeat(201),
    'x'.repeat(512),
    'x'.repeat(513),
    '\uD800',
    '\uDFFF',
    'a\uD83D\uDE00',
    '\uDE00\uD83D',
    '__proto__',
    'constructor',
    'a\nb',
    '\n',
    'api.request',
    'a:b-c_d',
    '2026-11-20T11:00:00Z',
    '2026-11-20T12:06:00+00:00',
  ];
  const text = fc.oneof(
    fc.constantFrom(...tricky),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ maxLength: 8 }),
  );
  const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Infinity, -Infinity, NaN, -0));
  const scalar = fc.oneof(text, num, fc.boolean(), fc.constant(null));
  const dimValue = fc.oneof(
    { weight: 6, arbitrary: fc.oneof(text, num, fc.boolean()) },
    { weight: 1, arbitrary: fc.constantFrom(null, [], {}) },
  );
  const dims = fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(text, dimValue, { maxKeys: 34 }) },
    { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":"x","a":"b"}') as unknown) },
    { weight: 1, arbitrary: scalar },
  );
  const time = fc.oneof(
    fc.constantFrom(
      '2026-11-20T11:00:00Z',
      '2026-11-20T12:04:59.999+00:00',
      '2026-11-20 11:00:00Z',
      '2026-11-20T12:05:00.001Z',
      '2026-02-29T00:00:00Z',
      '1969-12-31T23:59:59Z',
      1e12,
    ),
    text,
    num,
    fc.integer({ min: 0, max: 2_000_000_000 }),
  );
  const change = fc.oneof(
    fc.record({ id: text }),
    fc.record({ type: fc.oneof(text, fc.stringMatching(/^[a-z.:_-]{1,12}$/)) }),
    fc.record({ time }),
    fc.record({ org: text }),
    fc.record({ actor: fc.oneof(text, scalar) }),
    fc.record({ value: fc.oneof(num, scalar) }),
    fc.record({ dims }),
    fc.record({ extra: scalar }),
  );
  const event = fc.array(change, { maxLength: 3 }).map((cs) => Object.assign({ ...ok }, ...cs) as unknown);
  // Mostly one-field changes from a valid event, so that cases reach the checks after the schema.
  const raw = fc.oneof(
    { weight: 4, arbitrary: event },
    {
      weight: 1,
      arbitrary: fc.record({ id: text, type: text, time, org: text, dims }, { requiredKeys: [] }),
    },
    { weight: 1, arbitrary: fc.anything() },
  );

  it('agrees with the naive validator on 20,000 generated events', () => {
    const seen = { accepted: 0, schema: 0, after: 0 };
    fc.assert(
      fc.property(raw, fc.nat(50), (r, index) => {
        const want = naiveEvent(r, index, NOW);
        expect(comparable(validateEvent(r, index, NOW), r)).toStrictEqual(comparable(want, r));
        if (!Array.isArray(want)) seen.accepted++;
        else if (Value.Check(EventSchema, r)) seen.after++;
        else seen.schema++;
      }),
      { numRuns: 20_000 },
    );
    // The cases reach every outcome: accepted, refused by the schema, refused by the later checks.
    expect(Math.min(seen.accepted, seen.schema, seen.after)).toBeGreaterThan(500);
  });

  it('validateBatch returns every event, or every fault of every event', () => {
    fc.assert(
      fc.property(fc.array(raw, { maxLength: 20 }), (raws) => {
        const each = raws.map((r, i) => naiveEvent(r, i, NOW));
        const faults = each.flatMap((r, i) => (Array.isArray(r) ? [comparable(r, raws[i])].flat() : []));
        const got = validateBatch(raws, NOW);
        if ('events' in got) expect(faults).toEqual([]);
        if ('events' in got) expect(got.events).toStrictEqual(each);
        else {
          const mine = raws.flatMap((r, i) => {
            const one = validateEvent(r, i, NOW);
            return Array.isArray(one) ? [comparable(one, r)].flat() : [];
          });
          expect(mine).toStrictEqual(faults);
          expect(got.faults.map((f) => [f.index, f.path])).toStrictEqual(
            each.flatMap((r) => (Array.isArray(r) ? r.map((f) => [f.index, f.path]) : [])),
          );
        }
      }),
      { numRuns: 2_000 },
    );
    expect(LIMITS.maxDimValueChars).toBe(512);
  });
});
