/**
 * FileSpin time-series stats: the request side. Parses the query string of
 * `GET /api/v1/stats/timeseries[/{stat_type}]` into a checked request, and turns
 * that request into the engine's neutral plan (one UTC day bucket per point,
 * sparse). Pure: no I/O, the clock is an argument. Every fault is a
 * `ValidationError` whose message starts with the parameter's name.
 */
import { didYouMean } from '../../core/suggest.js';
import { makeQuery, type Aggregation, type Filter, type Query } from '../../core/query/plan.js';
import { digits, refuseParam, single, type QuerySpec, type RawQuery, type Refuse } from '../query-spec.js';

/** The five stat types FileSpin documents. */
export const STAT_TYPES = ['api', 'addons', 'transcodes', 'storage', 'cdn'] as const;
export type StatType = (typeof STAT_TYPES)[number];

/** The CDN subtypes; `traffic` is the default. */
export const CDN_SUBTYPES = ['traffic', 'request'] as const;

/** FileSpin lets `start_time` reach back at most this many days. */
export const MAX_LOOKBACK_DAYS = 364;
const MAX_LOOKBACK_SECONDS = MAX_LOOKBACK_DAYS * 86_400;
/** A Unix timestamp in seconds has at most this many digits here (beyond year 33658). */
const MAX_SECONDS_DIGITS = 12;

/**
 * The query string, declared once: the parser reads through it and the OpenAPI schema
 * (schema.ts) is built from it. Dims values hold at most 512 characters, org and actor ids 200.
 */
export const FILESPIN_QUERY = {
  stat_type: { type: 'string', values: STAT_TYPES, required: true, maxLength: 64 },
  stat_subtype: {
    type: 'string',
    maxLength: 512,
    description: 'Endpoint, addon, storage kind, or traffic|request.',
  },
  start_time: {
    type: 'string',
    required: true,
    description: `Unix seconds; at most ${MAX_LOOKBACK_DAYS} days ago.`,
  },
  end_time: { type: 'string', required: true, description: 'Unix seconds; not after now.' },
  user_id: { type: 'string', maxLength: 200 },
  usergroup_id: {
    type: 'string',
    maxLength: 200,
    description: 'The org; required when the key reaches several.',
  },
} as const satisfies QuerySpec;

type QueryName = keyof typeof FILESPIN_QUERY;

/** A checked FileSpin request. Times are Unix seconds; `end` is inclusive. */
export interface TimeseriesRequest {
  statType: StatType;
  /** The subtype as the answer echoes it: `traffic`/`request` for cdn, else the value given or null. */
  subtype: string | null;
  startTime: number;
  endTime: number;
  /** The actor asked for, or null for the whole usergroup (`*`). */
  userId: string | null;
  /** The org asked for, or null when the key's single org is meant. */
  usergroupId: string | null;
}

const fail: Refuse = refuseParam;

/** One query-string value as declared: absent or empty is null; a repeated or over-long one is refused. */
function value(query: RawQuery, name: QueryName): string | null {
  const v = single(query, FILESPIN_QUERY, name, fail);
  return v === undefined || v === '' ? null : v;
}

function seconds(query: RawQuery, name: QueryName): number {
  const v = value(query, name);
  if (v === null) fail(name, 'is required (Unix timestamp in seconds)');
  const n = digits(v, MAX_SECONDS_DIGITS);
  if (n === null) fail(name, 'must be an integer Unix timestamp in seconds, like 1652129843');
  return n;
}

function isStatType(s: string): s is StatType {
  return (STAT_TYPES as readonly string[]).includes(s);
}

function statTypeOf(query: RawQuery, pathType: string | undefined): StatType {
  const inQuery = value(query, 'stat_type');
  const inPath = pathType === undefined || pathType === '' ? null : pathType;
  if (inPath !== null && inQuery !== null && inPath !== inQuery)
    fail('stat_type', `is ${inQuery} in the query but ${inPath.slice(0, 64)} in the path; they must agree`);
  const given = inPath ?? inQuery;
  if (given === null) fail('stat_type', `is required: one of ${STAT_TYPES.join(', ')}`);
  if (!isStatType(given))
    fail('stat_type', `must be one of ${STAT_TYPES.join(', ')}${didYouMean(given, STAT_TYPES)}`);
  return given;
}

/** A client that encodes the endpoint itself and then lets its HTTP library encode it again sends `%2F...`. */
function decodeTwiceEncoded(endpoint: string): string {
  if (!/^%2f/i.test(endpoint)) return endpoint;
  try {
    return decodeURIComponent(endpoint);
  } catch {
    return endpoint;
  }
}

function subtypeOf(statType: StatType, raw: string | null): string | null {
  switch (statType) {
    case 'cdn':
      if (raw === null) return 'traffic';
      if (!(CDN_SUBTYPES as readonly string[]).includes(raw))
        fail('stat_subtype', 'must be traffic or request for stat_type cdn');
      return raw;
    case 'transcodes':
      if (raw !== null) fail('stat_subtype', 'is not supported for stat_type transcodes');
      return null;
    case 'api':
      return raw === null ? null : decodeTwiceEncoded(raw);
    case 'addons':
    case 'storage':
      return raw;
  }
}

/**
 * Parse and check a request. `pathType` is the `{stat_type}` path segment, if the route has one;
 * `nowMs` is the server clock. Throws `ValidationError` (400) naming the parameter at fault.
 *
 * @example
 * parseTimeseriesRequest({ start_time: '1794268800', end_time: '1795176000', usergroup_id: '42' }, 'api', NOW)
 * // { statType: 'api', subtype: null, startTime: 1794268800, endTime: 1795176000, userId: null, usergroupId: '42' }
 */
export function parseTimeseriesRequest(
  query: RawQuery,
  pathType: string | undefined,
  nowMs: number,
): TimeseriesRequest {
  const statType = statTypeOf(query, pathType);
  const subtype = subtypeOf(statType, value(query, 'stat_subtype'));
  const startTime = seconds(query, 'start_time');
  const endTime = seconds(query, 'end_time');
  const nowSeconds = Math.floor(nowMs / 1000);
  if (startTime < nowSeconds - MAX_LOOKBACK_SECONDS)
    fail(
      'start_time',
      `must be at most ${MAX_LOOKBACK_DAYS} days before now (not before ${nowSeconds - MAX_LOOKBACK_SECONDS})`,
    );
  if (endTime > nowSeconds) fail('end_time', `must not be after the current time (${nowSeconds})`);
  if (startTime > endTime) fail('start_time', 'must not be after end_time');
  const user = value(query, 'user_id');
  const usergroupId = value(query, 'usergroup_id');
  return { statType, subtype, startTime, endTime, userId: user === '*' ? null : user, usergroupId };
}

const EVENT_TYPES: Record<StatType, string> = {
  api: 'api.request',
  addons: 'addon.run',
  transcodes: 'transcode',
  storage: 'storage',
  cdn: 'bandwidth',
};

/** The dim a subtype filters on, for the types whose subtype is a filter. */
const SUBTYPE_DIMS: Partial<Record<StatType, string>> = { api: 'endpoint', addons: 'addon', storage: 'kind' };

function aggregationOf(r: TimeseriesRequest): Aggregation {
  if (r.statType === 'storage') return { fn: 'latest', per: [{ kind: 'dim', key: 'kind' }] };
  if (r.statType === 'cdn' && r.subtype === 'traffic') return { fn: 'sum' };
  return { fn: 'count' };
}

/**
 * The engine plan for a request over one org (that org alone, no sub-orgs): UTC day buckets,
 * sparse, over `[start_time, end_time + 1 s)` so that both ends are inclusive to the second.
 */
export function planOf(r: TimeseriesRequest, org: string): Query {
  const filters: Filter[] = [];
  const dim = SUBTYPE_DIMS[r.statType];
  if (dim !== undefined && r.subtype !== null)
    filters.push({ field: { kind: 'dim', key: dim }, op: 'eq', values: [r.subtype] });
  if (r.userId !== null) filters.push({ field: { kind: 'actor' }, op: 'eq', values: [r.userId] });
  return makeQuery({
    orgs: [org],
    types: [EVENT_TYPES[r.statType]],
    range: { from: r.startTime * 1000, to: (r.endTime + 1) * 1000 },
    aggregation: aggregationOf(r),
    filters,
    fill: 'sparse',
  });
}
