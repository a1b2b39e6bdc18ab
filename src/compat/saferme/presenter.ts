/**
 * SaferMe analytics v4: turn neutral query results and event lists into the rows the
 * vendor's document shows. Pure. Ids made only of digits are answered as numbers;
 * times as `2016-11-07T00:00:00.000Z`; rows are sorted by their key, missing last.
 */
import type { EventRecord } from '../../core/model.js';
import type { QueryResult } from '../../core/query/result.js';
import { formatUtcIsoMs } from '../../core/time/index.js';

/** An id as the vendor writes it. */
export type Id = number | string | null;

/**
 * An id made only of digits (without a leading zero, within JavaScript's exact integers) as a
 * number, anything else as given.
 *
 * @example answerId('42') // 42
 * @example answerId('u-7') // 'u-7'
 */
export function answerId(v: string | null | undefined): Id {
  if (v === null || v === undefined) return null;
  if (/^(0|[1-9]\d{0,15})$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}

/** Numbers ascending, then strings, then missing. */
export function compareIds(a: Id, b: Id): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : 1;
}

/** reports_over_time: one row per non-empty bucket, at its UTC calendar start. */
export function overTimeRows(res: QueryResult, accountId: number, width: string): Record<string, unknown>[] {
  return (res.series[0]?.points ?? [])
    .filter((p) => (p.value ?? 0) > 0)
    .map((p) => ({
      account_id: accountId,
      datetime_range_start: formatUtcIsoMs(p.start),
      report_count: p.value,
      datetime_range_width: width,
    }));
}

/** reports_per_day_hour (`hour`) and reports_per_week_day (`dow`): non-empty slots, ascending. */
export function histogramRows(
  res: QueryResult,
  accountId: number,
  key: 'hour' | 'dow',
): Record<string, unknown>[] {
  return (res.series[0]?.points ?? [])
    .filter((p) => (p.value ?? 0) > 0 && p.slot !== undefined)
    .sort((a, b) => a.slot! - b.slot!)
    .map((p) => ({ account_id: accountId, [key]: p.slot, report_count: p.value }));
}

/** reports_per_user: one row per reporter (reports without one under `user_id: null`). */
export function perUserRows(res: QueryResult, accountId: number): Record<string, unknown>[] {
  return res.series
    .map((s) => ({ user_id: answerId(s.group['actor']), account_id: accountId, report_count: s.total ?? 0 }))
    .filter((row) => row.report_count > 0)
    .sort((a, b) => compareIds(a.user_id, b.user_id));
}

/** The `dims.report` values of a grouped result with at least one event. */
export function reportIds(res: QueryResult): Set<string> {
  const out = new Set<string>();
  for (const s of res.series) {
    const id = s.group['dims.report'];
    if (id !== null && id !== undefined && (s.total ?? 0) > 0) out.add(id);
  }
  return out;
}

/**
 * reports_per_field_selection: distinct reports created in the range per (value, name) selected
 * for the field. `selections` is grouped by dims.value, dims.name, dims.report.
 */
export function fieldSelectionRows(
  selections: QueryResult,
  created: Set<string>,
  fieldId: string,
  accountId: number,
): Record<string, unknown>[] {
  const counts = new Map<string, { value: string; name: string | null; reports: Set<string> }>();
  for (const s of selections.series) {
    const value = s.group['dims.value'] ?? null;
    const name = s.group['dims.name'] ?? null;
    const report = s.group['dims.report'] ?? null;
    if (value === null || report === null || !created.has(report)) continue;
    const key = JSON.stringify([value, name]);
    const entry = counts.get(key) ?? { value, name, reports: new Set<string>() };
    entry.reports.add(report);
    counts.set(key, entry);
  }
  return [...counts.values()]
    .sort((a, b) => (a.value === b.value ? compareIds(a.name, b.name) : a.value < b.value ? -1 : 1))
    .map((e) => ({
      field_id: answerId(fieldId),
      account_id: accountId,
      name: e.name,
      value: e.value,
      report_count: e.reports.size,
    }));
}

/** At equal times a creation comes before a state change, so the change wins. */
const TYPE_RANK: Record<string, number> = { 'report.created': 0, 'report.state_changed': 1 };

/**
 * reports_per_state: each report created in [from, to) by its latest state at `to` (creations
 * before `to`, state changes at or before it). Latest = the largest time, then a change over a
 * creation, then the larger event id. A state's name is the one its latest-setting event gave.
 */
export function stateRows(
  events: readonly EventRecord[],
  range: { from: number; to: number },
  accountId: number,
): Record<string, unknown>[] {
  const created = new Set<string>();
  for (const e of events) {
    const report = e.dims['report'];
    if (e.type === 'report.created' && report !== undefined && e.ts >= range.from && e.ts < range.to)
      created.add(report);
  }
  const ordered = [...events].sort(
    (a, b) => a.ts - b.ts || (TYPE_RANK[a.type] ?? 0) - (TYPE_RANK[b.type] ?? 0) || (a.id < b.id ? -1 : 1),
  );
  const latest = new Map<string, { state: string; name: string | null; at: number }>();
  ordered.forEach((e, at) => {
    const { report, state } = e.dims;
    if (report === undefined || state === undefined || !created.has(report)) return;
    if (e.ts > range.to || (e.type === 'report.created' && e.ts >= range.to)) return;
    latest.set(report, { state, name: e.dims['state_name'] ?? null, at });
  });
  const byState = new Map<string, { name: string | null; at: number; count: number }>();
  for (const { state, name, at } of latest.values()) {
    const row = byState.get(state) ?? { name, at, count: 0 };
    if (at >= row.at) Object.assign(row, { name, at });
    row.count += 1;
    byState.set(state, row);
  }
  return [...byState.entries()]
    .map(([state, row]) => ({
      id: answerId(state),
      name: row.name,
      account_id: accountId,
      report_count: row.count,
    }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** reports_images: one row per `report.image_added` event, in time order. */
export function imageRows(events: readonly EventRecord[], accountId: number): Record<string, unknown>[] {
  return events.map((e) => ({
    report_image_id: answerId(e.dims['image']),
    account_id: accountId,
    report_id: answerId(e.dims['report']),
    created_at: formatUtcIsoMs(e.ts),
    styles: { thumb: e.dims['thumb'] ?? null, medium: e.dims['medium'] ?? null },
  }));
}

/** The one total of an ungrouped `none`-bucket result (0 when empty). */
export function totalOf(res: QueryResult): number {
  return res.series[0]?.total ?? 0;
}

/** Per-actor totals of a result grouped by actor; events without an actor are left out. */
export function totalsByActor(res: QueryResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of res.series) {
    const actor = s.group['actor'];
    if (actor !== null && actor !== undefined) out.set(actor, s.total ?? 0);
  }
  return out;
}

/**
 * user_awareness: one row per user with `alert.sent` events in the range (`users`, in any order),
 * with the asked figures (absent users count 0) and the user's names.
 */
export function awarenessRows(
  users: readonly string[],
  figures: Map<string, Map<string, number>>,
  names: Map<string, { first_name: string | null; last_name: string | null }>,
): Record<string, unknown>[] {
  return users
    .map((user) => {
      const row: Record<string, unknown> = {};
      for (const [field, totals] of figures) row[field] = totals.get(user) ?? 0;
      row['user_id'] = answerId(user);
      row['first_name'] = names.get(user)?.first_name ?? null;
      row['last_name'] = names.get(user)?.last_name ?? null;
      return row;
    })
    .sort((a, b) => compareIds(a['user_id'] as Id, b['user_id'] as Id));
}
