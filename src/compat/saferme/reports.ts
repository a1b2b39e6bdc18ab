/**
 * SaferMe analytics v4: run one checked request through a reader held to the key's reach
 * (use-cases/read-within-reach.ts). Aggregates come from the engine (`reader.run`); joins the engine cannot express (field selections and states
 * of the reports created in the range) are composed here from bounded results. Lists of
 * events (`reader.list`) are read only for images and states, with a row limit.
 */
import { ValidationError } from '../../core/errors.js';
import type { EventRecord } from '../../core/model.js';
import type { Query } from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import type { QueryResult } from '../../core/query/result.js';
import { QUERY_LIMITS } from '../../core/query/validate.js';
import type { Reader } from '../../use-cases/read-within-reach.js';
import type { AwarenessField, ReadField, SafermeRequest } from './params.js';
import {
  awarenessPlan,
  createdReportsPlan,
  fieldSelectionsPlan,
  histogramPlan,
  imagesScan,
  overTimePlan,
  perUserPlan,
  readPlan,
  statesScan,
  widthOf,
} from './plans.js';
import {
  awarenessRows,
  fieldSelectionRows,
  histogramRows,
  imageRows,
  overTimeRows,
  perUserRows,
  reportIds,
  stateRows,
  totalOf,
  totalsByActor,
} from './presenter.js';

/** The engine's bound on the values of one filter. */
const MAX_FILTER_VALUES = QUERY_LIMITS.filterValues;

/** The most rows (groups or events) one answer may rest on; beyond it the range is refused. */
export const DEFAULT_MAX_ROWS = 100_000;

function tooMany(max: number): ValidationError {
  return ValidationError.param(
    'end_date',
    `the range holds more than ${max} rows for this report; narrow start_date..end_date`,
  );
}

/** A grouped result, refused when it has more than `max` groups. */
async function bounded(reader: Reader, plan: Query, max: number): Promise<QueryResult> {
  const res = await reader.run(plan);
  if (res.total_groups > max) throw tooMany(max);
  return res;
}

/** The events of a scan, refused when there are more than `max`. */
async function boundedEvents(reader: Reader, scan: Scan, max: number): Promise<EventRecord[]> {
  const events = await reader.list(scan, max + 1);
  if (events.length > max) throw tooMany(max);
  return events;
}

async function userAwareness(reader: Reader, r: SafermeRequest, max: number): Promise<unknown> {
  const base = totalsByActor(await bounded(reader, awarenessPlan(r, 'total_alerts'), max));
  const figures = new Map<string, Map<string, number>>();
  for (const field of r.fields as AwarenessField[]) {
    const totals =
      field === 'total_alerts' ? base : totalsByActor(await bounded(reader, awarenessPlan(r, field), max));
    figures.set(field, totals);
  }
  const users = [...base.keys()];
  const actors = await reader.actors(r.channel, users);
  const names = new Map(actors.map((a) => [a.id, { first_name: a.first_name, last_name: a.last_name }]));
  return awarenessRows(users, figures, names);
}

/** Leeway past `now` for events stamped ahead of the reading clock (ingest allows 5 minutes). */
const FUTURE_LEEWAY = 86_400_000;

/**
 * The part of [from, to) that can hold events: no event lies more than minutes past now, so an
 * end_date in 9999 reads no further than now + a day (the engine's cost grows with the span).
 * Never empty, so that a range wholly in the future is a valid (empty) query.
 */
export function readableRange(
  range: { from: number; to: number },
  now: number,
): { from: number; to: number } {
  return { from: range.from, to: Math.min(range.to, Math.max(range.from + 1, now + FUTURE_LEEWAY)) };
}

/**
 * The vendor JSON for a checked request, read at `now`. Throws `ValidationError` (end_date)
 * when the range holds more than `maxRows` reports, events or users for the report asked.
 */
export async function runReport(
  reader: Reader,
  asked: SafermeRequest,
  now: number,
  maxRows = DEFAULT_MAX_ROWS,
): Promise<unknown> {
  const r = { ...asked, range: readableRange(asked.range, now) };
  const id = r.accountId;
  switch (r.report) {
    case 'reports_images':
      return imageRows(await boundedEvents(reader, imagesScan(r), maxRows), id);
    case 'reports_over_time':
      return overTimeRows(await reader.run(overTimePlan(r, widthOf(asked.range))), id, widthOf(asked.range));
    case 'reports_per_field_selection': {
      const created = reportIds(await bounded(reader, createdReportsPlan(r), maxRows));
      if (created.size === 0) return [];
      // A short list of reports narrows the scan; a long one would pass the engine's filter bound.
      const only = created.size <= MAX_FILTER_VALUES ? [...created] : null;
      const selections = await bounded(reader, fieldSelectionsPlan(r, only), maxRows);
      return fieldSelectionRows(selections, created, r.fieldId ?? '', id);
    }
    case 'reports_per_state':
      return stateRows(await boundedEvents(reader, statesScan(r), maxRows), r.range, id);
    case 'reports_per_user':
      return perUserRows(await bounded(reader, perUserPlan(r), maxRows), id);
    case 'reports_per_day_hour':
      return histogramRows(await reader.run(histogramPlan(r, 'hour_of_day')), id, 'hour');
    case 'reports_per_week_day':
      return histogramRows(await reader.run(histogramPlan(r, 'day_of_week')), id, 'dow');
    case 'reports_read': {
      const out: Record<string, number> = {};
      for (const field of r.fields as ReadField[]) out[field] = totalOf(await reader.run(readPlan(r, field)));
      return out;
    }
    case 'user_awareness':
      return userAwareness(reader, r, maxRows);
  }
}
