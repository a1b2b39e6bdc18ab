/**
 * Event validation: the JSON an ingest client sends -> EventRecord, or a list
 * of faults with the index and path of each, so a batch can be refused whole.
 * The TypeBox schema is also what the OpenAPI document shows.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { ValidationError, type ErrorDetail } from './errors.js';
import { expecting, friendlyFaults, type SchemaFault } from './faults.js';
import type { EventRecord } from './model.js';

export const LIMITS = {
  maxEventsPerRequest: 10_000,
  maxBodyBytes: 10 * 1024 * 1024,
  maxFutureSkewMs: 5 * 60 * 1000,
  maxDims: 32,
  maxDimKeyChars: 64,
  maxDimValueChars: 512,
} as const;

const DimValue = expecting(
  Type.Union([Type.String({ maxLength: 512 }), Type.Number(), Type.Boolean()]),
  'a string of at most 512 characters, a number or a boolean (dims are flat: no objects or arrays)',
);

export const EventSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, description: 'Idempotency key, unique per org.' }),
    type: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
    time: expecting(
      Type.Union([Type.String({ maxLength: 64 }), Type.Number()], {
        description: 'RFC 3339 with offset or Z, or Unix seconds.',
      }),
      'an RFC 3339 time with an offset or Z (2024-05-01T12:00:00Z) or a number of Unix seconds',
    ),
    org: Type.String({ minLength: 1, maxLength: 200 }),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    value: Type.Optional(Type.Number({ description: 'Finite number; default 1.' })),
    dims: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), DimValue, { maxProperties: 32 }),
    ),
  },
  { additionalProperties: false },
);
export type EventInput = Static<typeof EventSchema>;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parse an event time: RFC 3339 with an offset, or Unix seconds. Returns epoch ms or an error text. */
export function parseEventTime(t: string | number): number | string {
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) return 'must be a finite number of Unix seconds';
    const ms = Math.round(t * 1000);
    if (ms >= 0 && ms < MAX_MS) return ms;
    // 1e12 seconds is year 33658; a number that large is milliseconds (or finer) by mistake.
    if (t >= 1e12 && t < MAX_MS)
      return `is outside 1970..9999 as Unix seconds; it looks like milliseconds: send seconds (${Math.floor(t / 1000)}) or an RFC 3339 string`;
    return 'is outside 1970..9999 as Unix seconds (or send an RFC 3339 string)';
  }
  const fast = commonTimeMs(t);
  if (!Number.isNaN(fast)) return fast < 0 || fast >= MAX_MS ? 'is outside 1970..9999' : fast;
  const m = RFC3339.exec(t);
  if (!m) return 'must be RFC 3339 with an offset or Z, e.g. 2024-05-01T12:00:00Z, or Unix seconds';
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    probe.getUTCFullYear() !== y ||
    probe.getUTCMonth() !== mo - 1 ||
    probe.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return 'is not a valid calendar date and time';
  }
  const ms = Date.parse(t.replace(' ', 'T').replace(/\.(\d{3})\d+/, '.$1'));
  if (Number.isNaN(ms)) return 'is not a valid RFC 3339 time';
  return ms < 0 || ms >= MAX_MS ? 'is outside 1970..9999' : ms;
}
const MAX_MS = Date.UTC(10000, 0, 1);

/** The decimal value of the `n` digits of `t` from `at`, or -1 if one is not a digit. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The fast path of parseEventTime, read with charCodeAt instead of a regex,
 * Date objects and Date.parse: epoch ms of a valid time in the shape nearly
 * every client sends (`YYYY-MM-DDTHH:MM:SS`, years 1000..9999, an optional
 * fraction of 1..9 digits truncated to ms, then `Z` or `±HH:MM` with HH <= 23),
 * or NaN for anything else, which then takes the general path and its messages.
 */
function commonTimeMs(t: string): number {
  const n = t.length;
  if (
    n < 20 ||
    t.charCodeAt(4) !== 45 || // -
    t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 || // T
    t.charCodeAt(13) !== 58 || // :
    t.charCodeAt(16) !== 58
  ) {
    return NaN;
  }
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const s = digits(t, 17, 2);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23) return NaN;
  if (mi < 0 || mi > 59 || s < 0 || s > 59) return NaN;
  let i = 19;
  let frac = 0;
  if (t.charCodeAt(i) === 46) {
    // .
    const from = ++i;
    while (i < n && i - from < 10 && digits(t, i, 1) >= 0) i++;
    const count = i - from;
    if (count < 1 || count > 9) return NaN;
    frac = digits(t, from, Math.min(count, 3)) * 10 ** Math.max(0, 3 - count);
  }
  let offsetMin = 0;
  if (i === n - 1 && t.charCodeAt(i) === 90) {
    // Z
  } else if (i === n - 6 && t.charCodeAt(i + 3) === 58) {
    const sign = t.charCodeAt(i) === 43 ? 1 : t.charCodeAt(i) === 45 ? -1 : 0; // + or -
    const oh = digits(t, i + 1, 2);
    const om = digits(t, i + 4, 2);
    if (sign === 0 || oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMin = sign * (oh * 60 + om);
  } else {
    return NaN;
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, frac) - offsetMin * 60_000;
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Any UTF-16 surrogate, paired or not: a cheap first test before the exact one. */
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
/** With the u flag a pair is one code point, so only an unpaired surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True for a string holding an unpaired UTF-16 surrogate (which no UTF-8 store can keep). */
export function hasLoneSurrogate(v: unknown): boolean {
  return typeof v === 'string' && ANY_SURROGATE.test(v) && LONE_SURROGATE.test(v);
}

export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode (no lone surrogates)';

/**
 * The paths (`/a/0/b`, keys as written) of every string and object key in a decoded JSON body
 * that holds a lone surrogate: such text reaches a store only as U+FFFD, so two distinct values
 * would become one. Bodies other than events' (which check their fields themselves) use this.
 */
export function loneSurrogatePaths(v: unknown, path = ''): string[] {
  if (typeof v === 'string') return hasLoneSurrogate(v) ? [path === '' ? '/' : path] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => loneSurrogatePaths(x, `${path}/${i}`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [
    ...(hasLoneSurrogate(k) ? [`${path}/${k}`] : []),
    ...loneSurrogatePaths(x, `${path}/${k}`),
  ]);
}

/**
 * Refuse a body of parameters (400 invalid_request, a detail per place) holding lone surrogates;
 * see loneSurrogatePaths. Places are named as docs/errors.md says: `name`, `props/k`.
 */
export function assertNoLoneSurrogates(body: unknown, what: string): void {
  const paths = loneSurrogatePaths(body);
  if (paths.length > 0)
    throw new ValidationError(
      `The ${what} is invalid.`,
      paths.map((path) => ({ path: path === '/' ? 'body' : path.slice(1), message: LONE_SURROGATE_MESSAGE })),
    );
}

/**
 * The schema compiled once into a plain function: the per-event check of every
 * accepted batch. Only a refused event is walked again by Value.Errors, which
 * names each fault's path (the two read the same schema and agree; see the tests).
 */
const checkEvent = TypeCompiler.Compile(EventSchema);
const NO_DIMS: Record<string, string | number | boolean> = {};

/**
 * The decoded dims themselves when they are already what the record holds (a
 * plain object, every value a string of at most 512 characters, no `__proto__`
 * key, which a copy would drop), so the common event costs no copy; null otherwise.
 */
function plainDims(
  dims: Record<string, string | number | boolean> | undefined,
  keys: string[],
): Record<string, string> | null {
  if (dims === undefined || Object.getPrototypeOf(dims) !== Object.prototype) return null;
  for (const k of keys) {
    const v = dims[k];
    if (typeof v !== 'string' || v.length > LIMITS.maxDimValueChars || k === '__proto__') return null;
  }
  return dims as Record<string, string>;
}

function dimKeyMessage(k: string): string {
  return `is a dims key of ${k.length} characters; keys must have 1-${LIMITS.maxDimKeyChars}`;
}

function loneSurrogate(index: number, path: string): ErrorDetail {
  return { index, path, message: LONE_SURROGATE_MESSAGE };
}

/**
 * Why an event failed the schema: one fault per field (core/faults.ts), naming what is
 * accepted and the field meant when one is close. Only ever run on a refused event.
 */
function schemaFaults(raw: unknown, index: number): ErrorDetail[] {
  const found: SchemaFault[] = [...Value.Errors(EventSchema, raw)].slice(0, 50).map((e) => ({
    path: e.path,
    kind:
      e.type === ValueErrorType.ObjectRequiredProperty
        ? 'required'
        : e.type === ValueErrorType.ObjectAdditionalProperties
          ? 'unknown'
          : 'invalid',
    schema: e.schema,
    value: e.value,
  }));
  const details = friendlyFaults(found, { noun: 'event field', name: (p) => (p === '' ? '/' : p) });
  const dims = (raw as { dims?: unknown } | null)?.dims;
  if (typeof dims === 'object' && dims !== null && !Array.isArray(dims)) {
    for (const k of Object.keys(dims))
      if (k.length === 0 || k.length > LIMITS.maxDimKeyChars)
        details.push({ path: `/dims/${k}`, message: dimKeyMessage(k) });
  }
  return details.slice(0, 10).map((d) => ({ index, ...d }));
}

/** Validate one decoded event. */
export function validateEvent(raw: unknown, index: number, nowMs: number): EventRecord | ErrorDetail[] {
  if (!checkEvent.Check(raw)) return schemaFaults(raw, index);
  const faults: ErrorDetail[] = [];
  // A lone surrogate has no UTF-8 form: the store would turn it into U+FFFD (merging distinct ids) or fail the commit.
  if (hasLoneSurrogate(raw.id)) faults.push(loneSurrogate(index, '/id'));
  if (hasLoneSurrogate(raw.org)) faults.push(loneSurrogate(index, '/org'));
  if (hasLoneSurrogate(raw.actor)) faults.push(loneSurrogate(index, '/actor'));
  const rawDims = raw.dims ?? NO_DIMS;
  const keys = Object.keys(rawDims);
  for (const k of keys) {
    // TypeBox's Record does not check key lengths; README promises 1-64.
    if (k.length === 0 || k.length > LIMITS.maxDimKeyChars)
      faults.push({ index, path: `/dims/${k}`, message: dimKeyMessage(k) });
    if (hasLoneSurrogate(k)) faults.push(loneSurrogate(index, `/dims/${k}`));
    if (hasLoneSurrogate(rawDims[k])) faults.push(loneSurrogate(index, `/dims/${k}`));
  }
  const ts = parseEventTime(raw.time);
  if (typeof ts === 'string') faults.push({ index, path: '/time', message: ts });
  else if (ts > nowMs + LIMITS.maxFutureSkewMs) {
    faults.push({ index, path: '/time', message: 'is more than 5 minutes in the future' });
  }
  if (raw.value !== undefined && !Number.isFinite(raw.value)) {
    faults.push({ index, path: '/value', message: 'must be a finite number' });
  }
  const dims = plainDims(raw.dims, keys) ?? {};
  if (dims !== raw.dims) {
    for (const k of keys) {
      const v = rawDims[k];
      if (typeof v === 'number' && !Number.isFinite(v)) {
        faults.push({ index, path: `/dims/${k}`, message: 'must be a finite number' });
        continue;
      }
      dims[k] = String(v);
      if (dims[k].length > LIMITS.maxDimValueChars) {
        faults.push({ index, path: `/dims/${k}`, message: 'must be at most 512 characters' });
      }
    }
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

/** A batch's outcome: all its events, or every fault (the batch is then refused whole). */
export type BatchResult = { events: EventRecord[] } | { faults: ErrorDetail[] };

/** Check every item of a batch with `check` (an event, or that item's faults). */
export function checkBatch(
  raws: unknown[],
  check: (raw: unknown, index: number) => EventRecord | ErrorDetail[],
): BatchResult {
  const events: EventRecord[] = [];
  const faults: ErrorDetail[] = [];
  raws.forEach((raw, i) => {
    const r = check(raw, i);
    if (Array.isArray(r)) faults.push(...r);
    else events.push(r);
  });
  return faults.length > 0 ? { faults } : { events };
}

/** Validate a batch: all events, or every fault. */
export function validateBatch(raws: unknown[], nowMs: number): BatchResult {
  return checkBatch(raws, (raw, i) => validateEvent(raw, i, nowMs));
}
