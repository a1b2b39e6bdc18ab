/**
 * Event validation: the JSON an ingest client sends -> EventRecord, or a list
 * of faults with the index and path of each, so a batch can be refused whole.
 * The TypeBox schema is also what the OpenAPI document shows.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ErrorDetail } from './errors.js';
import type { EventRecord } from './model.js';

export const LIMITS = {
  maxEventsPerRequest: 10_000,
  maxBodyBytes: 10 * 1024 * 1024,
  maxFutureSkewMs: 5 * 60 * 1000,
  maxDims: 32,
  maxDimValueChars: 512,
} as const;

const DimValue = Type.Union([Type.String({ maxLength: 512 }), Type.Number(), Type.Boolean()]);

export const EventSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, description: 'Idempotency key, unique per org.' }),
    type: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
    time: Type.Union([Type.String({ maxLength: 64 }), Type.Number()], {
      description: 'RFC 3339 with offset or Z, or Unix seconds.',
    }),
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
    return ms < 0 || ms >= MAX_MS ? 'is outside 1970..9999' : ms;
  }
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

/** True for a string holding an unpaired UTF-16 surrogate (which no UTF-8 store can keep). */
export function hasLoneSurrogate(v: unknown): boolean {
  return typeof v === 'string' && /[\uD800-\uDFFF]/u.test(v);
}

/** Validate one decoded event. */
export function validateEvent(raw: unknown, index: number, nowMs: number): EventRecord | ErrorDetail[] {
  if (!Value.Check(EventSchema, raw)) {
    return [...Value.Errors(EventSchema, raw)].slice(0, 10).map((e) => ({
      index,
      path: e.path === '' ? '/' : e.path,
      message: e.message,
    }));
  }
  const faults: ErrorDetail[] = [];
  // A lone surrogate has no UTF-8 form: the store would turn it into U+FFFD (merging distinct ids) or fail the commit.
  for (const [path, text] of [
    ['/id', raw.id],
    ['/org', raw.org],
    ['/actor', raw.actor],
    ...Object.entries(raw.dims ?? {}).flatMap(([k, v]) => [
      [`/dims/${k}`, k],
      [`/dims/${k}`, v],
    ]),
  ] as [string, unknown][]) {
    if (hasLoneSurrogate(text))
      faults.push({ index, path, message: 'must be valid Unicode (no lone surrogates)' });
  }
  const ts = parseEventTime(raw.time);
  if (typeof ts === 'string') faults.push({ index, path: '/time', message: ts });
  else if (ts > nowMs + LIMITS.maxFutureSkewMs) {
    faults.push({ index, path: '/time', message: 'is more than 5 minutes in the future' });
  }
  if (raw.value !== undefined && !Number.isFinite(raw.value)) {
    faults.push({ index, path: '/value', message: 'must be a finite number' });
  }
  const dims: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.dims ?? {})) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      faults.push({ index, path: `/dims/${k}`, message: 'must be a finite number' });
      continue;
    }
    dims[k] = String(v);
    if (dims[k].length > LIMITS.maxDimValueChars) {
      faults.push({ index, path: `/dims/${k}`, message: 'must be at most 512 characters' });
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

/** Validate a batch: all events, or every fault. */
export function validateBatch(
  raws: unknown[],
  nowMs: number,
): { events: EventRecord[] } | { faults: ErrorDetail[] } {
  const events: EventRecord[] = [];
  const faults: ErrorDetail[] = [];
  raws.forEach((raw, i) => {
    const r = validateEvent(raw, i, nowMs);
    if (Array.isArray(r)) faults.push(...r);
    else events.push(r);
  });
  return faults.length > 0 ? { faults } : { events };
}
