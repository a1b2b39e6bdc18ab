/**
 * SaferMe analytics v4: parse a request (report path + query string) into a checked,
 * bounded request. Pure. Every fault is a `ValidationError` whose detail path is the
 * vendor's parameter name, which the surface answers as 422 {"message", "param"}.
 */
import {
  digits,
  isoInstant,
  refuseParam,
  single,
  type QuerySpec,
  type RawQuery,
  type Refuse,
} from '../query-spec.js';

/** The nine reports the surface serves, in the order the document lists them. */
export const REPORTS = [
  'reports_images',
  'reports_over_time',
  'reports_per_field_selection',
  'reports_per_state',
  'reports_per_user',
  'reports_per_day_hour',
  'reports_per_week_day',
  'reports_read',
  'user_awareness',
] as const;
export type Report = (typeof REPORTS)[number];

/** The `fields` a report accepts, in answer order; the first is the default. */
export const READ_FIELDS = ['total_reads', 'unique_reads', 'report_readers', 'reports_seen'] as const;
export const AWARENESS_FIELDS = [
  'total_alerts',
  'alert_source_reports',
  'unique_alerts',
  'alerts_opened',
] as const;
export type ReadField = (typeof READ_FIELDS)[number];
export type AwarenessField = (typeof AWARENESS_FIELDS)[number];

/** A checked request. `channel` is the org id (the integer's decimal form). */
export interface SafermeRequest {
  report: Report;
  channel: string;
  /** The channel id as a number, answered as `account_id`. */
  accountId: number;
  /** Half-open [from, to), epoch ms, UTC. */
  range: { from: number; to: number };
  /** reports_per_field_selection only: the field id as a dim value. */
  fieldId: string | null;
  /** reports_read / user_awareness only: the figures asked for, deduplicated, in the order given. */
  fields: string[];
}

const MAX_TEXT = 200;
const MAX_FIELDS = 8;
/** channel_id and field_id: non-negative integers of at most 15 digits. */
const MAX_DIGITS = 15;
const text = { type: 'string', maxLength: MAX_TEXT } as const;

/**
 * The query string, declared once: the parser reads through it and the OpenAPI schema
 * (schema.ts) is built from it. Every value is at most 200 characters, and given once.
 */
export const SAFERME_QUERY = {
  channel_id: { ...text, type: 'integer', required: true, description: 'The channel (an org).' },
  start_date: { ...text, required: true, description: 'ISO 8601; inclusive.' },
  end_date: { ...text, required: true, description: 'ISO 8601; exclusive.' },
  field_id: { ...text, type: 'integer', description: 'Required by reports_per_field_selection.' },
  fields: {
    ...text,
    description: `Comma-separated. reports_read: ${READ_FIELDS.join(', ')}; user_awareness: ${AWARENESS_FIELDS.join(', ')}.`,
  },
} as const satisfies QuerySpec;

const bad: Refuse = refuseParam;

function required(query: RawQuery, param: keyof typeof SAFERME_QUERY): string {
  const v = single(query, SAFERME_QUERY, param, bad);
  if (v === undefined || v.trim() === '') bad(param, 'is required');
  return v.trim();
}

function integer(text: string, param: string): number {
  return digits(text, MAX_DIGITS) ?? bad(param, 'must be a non-negative integer');
}

/**
 * An ISO 8601 date or date-time read in UTC (no Unix seconds). A `+hh:mm` offset whose `+`
 * arrived unencoded (as a space) is restored, as clients often forget to encode it.
 */
function instant(text: string, param: string): number {
  const repaired = text.replace(/ (\d{2}:?\d{2})$/, '+$1');
  return isoInstant(repaired, param) ?? bad(param, 'must be an ISO 8601 date-time');
}

/** The `fields` list: comma-separated, repeated, or Rails-style `fields[]`; empty means the default. */
function fieldList(query: RawQuery, allowed: readonly string[]): string[] {
  const raw = [query['fields'], query['fields[]']].flatMap((v) =>
    v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v],
  );
  const names: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string' || item.length > MAX_TEXT) bad('fields', 'must be a list of names');
    for (const part of item.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      if (!allowed.includes(name)) bad('fields', `must be among ${allowed.join(', ')}`);
      if (!names.includes(name)) names.push(name);
    }
  }
  if (names.length > MAX_FIELDS) bad('fields', 'lists too many names');
  return names.length === 0 ? [allowed[0]!] : names;
}

/**
 * Check a request. `report` is the path segment; `query` the parsed query string.
 *
 * @example
 * parseRequest('reports_per_user', { channel_id: '1', start_date: '2016-01-01T00:00:00Z', end_date: '2016-11-11' })
 * // { report: 'reports_per_user', channel: '1', accountId: 1, range: { from: 1451606400000, to: 1478822400000 }, ... }
 */
export function parseRequest(report: string, query: RawQuery): SafermeRequest {
  if (!(REPORTS as readonly string[]).includes(report)) bad('report', `must be one of ${REPORTS.join(', ')}`);
  const r = report as Report;
  const accountId = integer(required(query, 'channel_id'), 'channel_id');
  const from = instant(required(query, 'start_date'), 'start_date');
  const to = instant(required(query, 'end_date'), 'end_date');
  if (to <= from) bad('end_date', 'must be later than start_date');
  let fieldId: string | null = null;
  if (r === 'reports_per_field_selection') fieldId = String(integer(required(query, 'field_id'), 'field_id'));
  let fields: string[] = [];
  if (r === 'reports_read') fields = fieldList(query, READ_FIELDS);
  if (r === 'user_awareness') fields = fieldList(query, AWARENESS_FIELDS);
  return { report: r, channel: String(accountId), accountId, range: { from, to }, fieldId, fields };
}
