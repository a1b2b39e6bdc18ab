/**
 * CloudEvents (OpenMeter's event format) -> Tally events, pure. The mapping
 * (docs/cloudevents.md): `subject` is the org, `id` the idempotency key, `type`
 * the type, `time` the time (now when absent), a numeric `data.value` the
 * value; every other `data` field becomes a dim, nested objects flattened to
 * dotted keys. Faults name CloudEvents paths (`/subject`, `/data/model`).
 */
import type { ErrorDetail } from '../../core/errors.js';
import { checkBatch, validateEvent, type BatchResult } from '../../core/events.js';
import type { EventRecord } from '../../core/model.js';

/** How deep nested `data` objects are flattened; deeper values are kept as JSON text. */
const MAX_DEPTH = 8;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `data.value` as a number when it is numeric (a JSON number, or a string holding one). */
export function numericValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * The dims for a `data` object: primitives as they are, nested objects
 * flattened (`{"model": {"name": "x"}}` -> `model.name`), arrays as JSON text,
 * nulls left out.
 *
 * @example flattenData({ model: { name: 'gpt' }, tokens: 3, tags: ['a'] })
 * // { 'model.name': 'gpt', tokens: 3, tags: '["a"]' }
 */
export function flattenData(data: Record<string, unknown>, skip?: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (prefix === '' && k === skip) continue;
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (v === null || v === undefined) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
      else if (isObject(v) && depth < MAX_DEPTH) walk(v, key, depth + 1);
      else out[key] = JSON.stringify(v);
    }
  };
  walk(data, '', 1);
  return out;
}

/** Tally's field paths in CloudEvents terms. */
function cePath(path: string): string {
  if (path === '/org') return '/subject';
  if (path === '/value') return '/data/value';
  if (path.startsWith('/dims')) return `/data${path.slice('/dims'.length)}`;
  return path;
}

/** The native event for one CloudEvent, or its faults. `now` is the default time (ms). */
export function mapCloudEvent(raw: unknown, index: number, now: number): EventRecord | ErrorDetail[] {
  const fault = (path: string, message: string): ErrorDetail[] => [{ index, path, message }];
  if (!isObject(raw)) return fault('/', 'must be a CloudEvent (a JSON object)');
  const faults: ErrorDetail[] = [];
  if (raw['specversion'] !== undefined && raw['specversion'] !== '1.0')
    faults.push(...fault('/specversion', 'must be "1.0"'));
  for (const name of ['id', 'type', 'subject'] as const) {
    if (typeof raw[name] !== 'string' || raw[name] === '')
      faults.push(...fault(`/${name}`, 'is required: a non-empty string'));
  }
  if (raw['time'] !== undefined && raw['time'] !== null && typeof raw['time'] !== 'string')
    faults.push(...fault('/time', 'must be an RFC 3339 string'));
  const ct = raw['datacontenttype'];
  if (ct !== undefined && ct !== null && ct !== 'application/json')
    faults.push(...fault('/datacontenttype', 'only application/json is accepted'));
  if (raw['data_base64'] !== undefined) faults.push(...fault('/data_base64', 'is not supported; send data'));
  const data = raw['data'] ?? {};
  if (!isObject(data)) faults.push(...fault('/data', 'must be a JSON object'));
  if (faults.length > 0) return faults;

  const d = data as Record<string, unknown>;
  const value = numericValue(d['value']);
  const dims = flattenData(d, value === null ? undefined : 'value');
  const event: Record<string, unknown> = {
    id: raw['id'],
    type: raw['type'],
    org: raw['subject'],
    time: typeof raw['time'] === 'string' ? raw['time'] : new Date(now).toISOString(),
  };
  if (value !== null) event['value'] = value;
  if (Object.keys(dims).length > 0) event['dims'] = dims;
  const r = validateEvent(event, index, now);
  return Array.isArray(r) ? r.map((f) => ({ ...f, path: cePath(f.path) })) : r;
}

/** Map a batch: every event, or every fault (the batch is then refused whole). */
export function mapCloudEvents(raws: unknown[], now: number): BatchResult {
  return checkBatch(raws, (raw, i) => mapCloudEvent(raw, i, now));
}
