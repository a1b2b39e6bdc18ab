/**
 * VIKTOR `GET /api/statistics/`: the query string parsed into a request (scope, UTC days,
 * org domain), and the core query plans each scope needs. Pure: no I/O, no clock.
 * Bad input throws a ValidationError whose details name each parameter at fault, which the
 * route answers in Django REST framework's shape `{"<param>": ["message"]}`.
 */
import { ValidationError, type ErrorDetail } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { makeQuery, type Filter, type Query } from '../../core/query/plan.js';
import {
  isoInstant,
  refuseParam,
  single as readSingle,
  type QuerySpec,
  type RawQuery,
} from '../query-spec.js';

export const DAY = 86_400_000;
/** The longest range served, in days (five years and a bit, leap days included). */
export const MAX_DAYS = 1830;
/** Bound on `org_domain` (a DNS name is at most 253 characters). */
export const MAX_DOMAIN_CHARS = 253;

export const STATS_TYPES = ['users', 'developers', 'workspaces'] as const;
export type StatsType = (typeof STATS_TYPES)[number];

/** A parsed request: the scope, the UTC days [fromDay, toDay) and the optional org domain. */
export interface ViktorRequest {
  statsType: StatsType;
  /** UTC midnight of the first day (epoch ms). */
  fromDay: number;
  /** UTC midnight after the last day (exclusive end). */
  toDay: number;
  orgDomain: string | null;
}

/**
 * The query string, declared once: the parser reads through it and the OpenAPI schema
 * (schema.ts) is built from it. A repeated parameter counts by its last value, as Django's does.
 */
export const VIKTOR_QUERY = {
  stats_type: { type: 'string', values: STATS_TYPES, required: true, repeated: 'last' },
  start: {
    type: 'string',
    required: true,
    repeated: 'last',
    description: 'ISO date or date-time; inclusive, by UTC day.',
  },
  end: {
    type: 'string',
    required: true,
    repeated: 'last',
    description: 'ISO date or date-time; inclusive, by UTC day.',
  },
  org_domain: {
    type: 'string',
    repeated: 'last',
    description: `Only the org with this domain, and its sub-orgs; at most ${MAX_DOMAIN_CHARS} characters.`,
  },
} as const satisfies QuerySpec;

/** DRF-style field names and messages. */
const REQUIRED = 'This field is required.';
const BLANK = 'This field may not be blank.';
const DATE_FORMAT =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
/** Only ISO dates and date-times: a bare number (which parseInstant reads as Unix seconds) is refused. */
const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}(?:$|[Tt ])/;

/** Django's QueryDict.get: the last value of a repeated parameter; non-strings count as missing. */
function single(query: RawQuery, name: keyof typeof VIKTOR_QUERY): string | undefined {
  // Declared with repeated: 'last' and no maxLength, so nothing is refused here.
  return readSingle(query, VIKTOR_QUERY, name, refuseParam);
}

/** The UTC midnight of the day holding the given date or date-time, or an error message. */
function parseDay(text: string, param: string): number | string {
  try {
    const ms = isoInstant(text, param, ISO_PREFIX);
    return ms === null ? DATE_FORMAT : Math.floor(ms / DAY) * DAY;
  } catch (err) {
    if (err instanceof ValidationError) return DATE_FORMAT;
    throw err;
  }
}

/**
 * Parse the query string. Every parameter is checked and all faults are reported together,
 * as DRF does. `start` and `end` are whole UTC days, both inclusive; a time of day (or an
 * offset, after conversion to UTC) selects the day it falls on.
 *
 * @example parseViktorQuery({ stats_type: 'users', start: '2024-01-30', end: '2024-02-02T08:00:00Z' })
 * // { statsType: 'users', fromDay: Date.UTC(2024, 0, 30), toDay: Date.UTC(2024, 1, 3), orgDomain: null }
 */
export function parseViktorQuery(query: RawQuery): ViktorRequest {
  const details: ErrorDetail[] = [];
  const fault = (path: string, message: string): void => void details.push({ path, message });

  const statsType = single(query, 'stats_type');
  if (statsType === undefined || statsType === '') fault('stats_type', REQUIRED);
  else if (!(STATS_TYPES as readonly string[]).includes(statsType))
    // DRF's own words first; then the choices, and the one meant when it is close.
    fault(
      'stats_type',
      `"${statsType.slice(0, 40)}" is not a valid choice. Choose one of ${STATS_TYPES.join(', ')}${didYouMean(statsType, STATS_TYPES) || '.'}`,
    );

  const days: Record<'start' | 'end', number | null> = { start: null, end: null };
  for (const param of ['start', 'end'] as const) {
    const text = single(query, param);
    if (text === undefined || text === '') {
      fault(param, REQUIRED);
      continue;
    }
    const day = parseDay(text, param);
    if (typeof day === 'string') fault(param, day);
    else days[param] = day;
  }
  if (days.start !== null && days.end !== null) {
    if (days.end < days.start) fault('end', 'End date must be on or after the start date.');
    else if ((days.end - days.start) / DAY + 1 > MAX_DAYS)
      fault('end', `The range may cover at most ${MAX_DAYS} days.`);
  }

  let orgDomain: string | null = null;
  const domain = single(query, 'org_domain');
  if (domain !== undefined) {
    if (domain.trim() === '') fault('org_domain', BLANK);
    else if (domain.length > MAX_DOMAIN_CHARS)
      fault('org_domain', `Ensure this field has no more than ${MAX_DOMAIN_CHARS} characters.`);
    else orgDomain = domain.trim().toLowerCase();
  }

  if (details.length > 0) {
    throw new ValidationError(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  }
  return { statsType: statsType as StatsType, fromDay: days.start!, toDay: days.end! + DAY, orgDomain };
}

/** Every UTC midnight in [fromDay, toDay). */
export function daysOf(req: Pick<ViktorRequest, 'fromDay' | 'toDay'>): number[] {
  const out: number[] = [];
  for (let d = req.fromDay; d < req.toDay; d += DAY) out.push(d);
  return out;
}

/** Actor kinds counted by a scope: developers count as users too; other kinds never count. */
export function kindsOf(statsType: StatsType): string[] {
  return statsType === 'developers' ? ['developer'] : ['user', 'developer'];
}

/** `dims.workspace_type` values a scope's daily activity counts (`null` = missing = standard). */
function dailyWorkspaceTypes(statsType: StatsType): (string | null)[] {
  return statsType === 'developers' ? ['development'] : ['standard', null];
}

type Bucket = 'day' | 'month';

function basePlan(req: ViktorRequest, orgs: string[], bucket: Bucket, filters: Filter[]): Query {
  return makeQuery({
    orgs,
    types: ['activity'],
    range: { from: req.fromDay, to: req.toDay },
    bucket,
    aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
    filters: [{ field: { kind: 'actor_kind' }, op: 'in', values: kindsOf(req.statsType) }, ...filters],
  });
}

/** Plans of the users and developers scopes: distinct actives per month (any workspace) and per day. */
export function actorPlans(req: ViktorRequest, orgs: string[]): { monthly: Query; daily: Query } {
  const typeFilter: Filter = {
    field: { kind: 'dim', key: 'workspace_type' },
    op: 'in',
    values: dailyWorkspaceTypes(req.statsType),
  };
  return { monthly: basePlan(req, orgs, 'month', []), daily: basePlan(req, orgs, 'day', [typeFilter]) };
}

/**
 * Plans of the workspaces scope, grouped by `dims.workspace` (events without one are left out):
 * distinct actives per month, per day, and per day cumulative since the beginning of time.
 */
export function workspacePlans(
  req: ViktorRequest,
  orgs: string[],
): { monthly: Query; daily: Query; cumulative: Query } {
  const hasWorkspace: Filter = { field: { kind: 'dim', key: 'workspace' }, op: 'not_in', values: [null] };
  const grouped = (bucket: Bucket): Query => ({
    ...basePlan(req, orgs, bucket, [hasWorkspace]),
    groupBy: [{ kind: 'dim', key: 'workspace' }],
  });
  return {
    monthly: grouped('month'),
    daily: grouped('day'),
    cumulative: { ...grouped('day'), window: { kind: 'cumulative', since: 'all' } },
  };
}
