/**
 * SaferMe analytics v4: parse a request (report path + query string) into a checked,
 * bounded request. Pure. Every fault is a `ValidationError` whose detail path is the
 * vendor's parameter name, which the surface answers as 422 {"message", "param"}.
 */
import { ValidationError } from '../../core/errors.js';
import { parseInstant } from '../../core/time/index.js';

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
const INTEGER = /^\d{1,15}$/;

function bad(param: string, message: string): never {
  throw ValidationError.param(param, message);
}

/** One value of a query parameter: a repeated parameter or an over-long one is bad input. */
function single(query: Record<string, unknown>, param: string): string | null {
  const v = query[param];
  if (v === undefined) return null;
  if (typeof v !== 'string') bad(param, 'must be given once');
  if (v.length > MAX_TEXT) bad(param, `must be at most ${MAX_TEXT} characters`);
  return v;
}

function required(query: Record<string, unknown>, param: string): string {
  const v = single(query, param);
  if (v === null || v.trim() === '') bad(param, 'is required');
  return v.trim();
}

function integer(text: string, param: string): number {
  const n = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(n)) bad(param, 'must be a non-negative integer');
  return n;
}

/**
 * An ISO 8601 date or date-time read in UTC (no Unix seconds). A `+hh:mm` offset whose `+`
 * arrived unencoded (as a space) is restored, as clients often forget to encode it.
 */
function instant(text: string, param: string): number {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) bad(param, 'must be an ISO 8601 date-time');
  const repaired = text.replace(/ (\d{2}:?\d{2})$/, '+$1');
  return parseInstant(repaired, 'UTC', param);
}

/** The `fields` list: comma-separated, repeated, or Rails-style `fields[]`; empty means the default. */
function fieldList(query: Record<string, unknown>, allowed: readonly string[]): string[] {
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
export function parseRequest(report: string, query: Record<string, unknown>): SafermeRequest {
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
