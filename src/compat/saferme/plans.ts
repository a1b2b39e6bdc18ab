/**
 * SaferMe analytics v4: the core query plans and event scans each report runs. Pure.
 * Every plan covers the channel's org alone, in UTC, with ISO (Monday) weeks.
 */
import {
  makeQuery,
  type Aggregation,
  type Field,
  type Filter,
  type Query,
  type TimeUnit,
} from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import type { AwarenessField, ReadField, SafermeRequest } from './params.js';
import { DAY_MS } from '../../core/time/units.js';

const ACTOR: Field = { kind: 'actor' };
const dim = (key: string): Field => ({ kind: 'dim', key });

/**
 * The `datetime_range_width` of reports_over_time for a range: hour up to 2 days, day up to
 * 31 days, week up to 366 days, month beyond; each limit inclusive.
 *
 * @example widthOf({ from: 0, to: 48 * 3600000 }) // 'hour'
 */
export function widthOf(range: { from: number; to: number }): TimeUnit {
  const span = range.to - range.from;
  if (span <= 2 * DAY_MS) return 'hour';
  if (span <= 31 * DAY_MS) return 'day';
  if (span <= 366 * DAY_MS) return 'week';
  return 'month';
}

function plan(r: SafermeRequest, over: Partial<Query>): Query {
  return makeQuery({
    orgs: [r.channel],
    types: ['report.created'],
    range: r.range,
    bucket: 'none',
    fill: 'sparse',
    ...over,
  });
}

/** reports_over_time: reports created per UTC calendar bucket of `width` (see widthOf), non-empty only. */
export function overTimePlan(r: SafermeRequest, width: TimeUnit): Query {
  return plan(r, { bucket: width });
}

/** reports_per_user: reports created per reporter (the event's actor). */
export function perUserPlan(r: SafermeRequest): Query {
  return plan(r, { groupBy: [ACTOR] });
}

/** reports_per_day_hour / reports_per_week_day: created reports by UTC hour or weekday, non-empty slots. */
export function histogramPlan(r: SafermeRequest, bucket: 'hour_of_day' | 'day_of_week'): Query {
  return plan(r, { bucket });
}

/** The reports created in the range, one group per `dims.report`. */
export function createdReportsPlan(r: SafermeRequest): Query {
  return plan(r, { groupBy: [dim('report')] });
}

/**
 * The (value, name, report) tuples selected for the field from `start_date` to `end_date`
 * inclusive (a report's selections as of the end of the range; a report created in the range
 * is filled in only after it was created). With `reports` (at most 1000), only those reports.
 */
export function fieldSelectionsPlan(r: SafermeRequest, reports: string[] | null = null): Query {
  const filters: Filter[] = [{ field: dim('field'), op: 'eq', values: [r.fieldId ?? ''] }];
  if (reports !== null) filters.push({ field: dim('report'), op: 'in', values: reports });
  return plan(r, {
    types: ['report.field_selected'],
    range: { from: r.range.from, to: r.range.to + 1 },
    filters,
    groupBy: [dim('value'), dim('name'), dim('report')],
  });
}

const READ_AGG: Record<ReadField, Aggregation> = {
  total_reads: { fn: 'count' },
  unique_reads: { fn: 'unique', of: [ACTOR, dim('report')] },
  report_readers: { fn: 'unique', of: [ACTOR] },
  reports_seen: { fn: 'unique', of: [dim('report')] },
};

/** reports_read: one total over `report.read` events in the range. */
export function readPlan(r: SafermeRequest, field: ReadField): Query {
  return plan(r, { types: ['report.read'], aggregation: READ_AGG[field], fill: 'zero' });
}

const AWARENESS_AGG: Record<AwarenessField, { type: string; agg: Aggregation }> = {
  total_alerts: { type: 'alert.sent', agg: { fn: 'count' } },
  alert_source_reports: { type: 'alert.sent', agg: { fn: 'unique', of: [dim('report')] } },
  unique_alerts: { type: 'alert.sent', agg: { fn: 'unique', of: [dim('alert')] } },
  alerts_opened: { type: 'alert.opened', agg: { fn: 'unique', of: [dim('alert')] } },
};

/** user_awareness: one figure per user (actor) over alert events in the range. */
export function awarenessPlan(r: SafermeRequest, field: AwarenessField): Query {
  const { type, agg } = AWARENESS_AGG[field];
  return plan(r, { types: [type], aggregation: agg, groupBy: [ACTOR] });
}

/** reports_images: `report.image_added` events in the range. */
export function imagesScan(r: SafermeRequest): Scan {
  return {
    orgs: [r.channel],
    types: ['report.image_added'],
    filters: [],
    from: r.range.from,
    to: r.range.to,
  };
}

/**
 * reports_per_state: creations and state changes from `start_date` to `end_date` inclusive.
 * A report created in the range changes state only after it was created, so nothing earlier is needed.
 */
export function statesScan(r: SafermeRequest): Scan {
  return {
    orgs: [r.channel],
    types: ['report.created', 'report.state_changed'],
    filters: [],
    from: r.range.from,
    to: r.range.to + 1,
  };
}
