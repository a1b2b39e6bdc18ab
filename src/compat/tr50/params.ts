/**
 * TR50 command parameters -> core values, pure. `usage.api.history` params become a
 * HistoryParams, then a half-open range in the org's timezone and a core Query plan;
 * `api.authenticate` params become the key secret to check. Every value is bounded and
 * every fault is a Tr50Error naming the parameter (unknown names are refused, so a
 * typo such as "Series" is not silently ignored).
 */
import { makeQuery, type Query } from '../../core/query/plan.js';
import { MAX_RELATIVE, parseInstant, resolveRange } from '../../core/time/index.js';
import type { QuerySpec } from '../query-spec.js';
import { TR50_CODES, Tr50Error } from './errors.js';

export type HistorySeries = 'hour' | 'day';
export type HistoryDimension = 'service' | 'org';

/** The parsed params of `usage.api.history`. */
export interface HistoryParams {
  range: { kind: 'absolute'; start: string; end: string } | { kind: 'last'; last: string };
  series: HistorySeries;
  dimension: HistoryDimension;
  includeSubOrgs: boolean;
  showAll: boolean;
}

const SERIES: HistorySeries[] = ['hour', 'day'];
const DIMENSIONS: HistoryDimension[] = ['org', 'service'];
const timestamp = {
  type: 'string',
  maxLength: 40,
  description: 'ISO 8601 (local to the session org without an offset) or Unix seconds.',
} as const;

/**
 * The params of each command, declared once: the parser reads through them (unknown names
 * are refused) and the OpenAPI schema (schema.ts) is built from them.
 */
export const HISTORY_PARAMS = {
  start: timestamp,
  end: timestamp,
  last: { type: 'string', maxLength: 16, description: '<n><unit>, unit s, m, h or d (e.g. "24h").' },
  series: { type: 'string', values: SERIES, description: 'Default hour.' },
  dimension: { type: 'string', values: DIMENSIONS, description: 'Default service.' },
  includeSubOrgs: { type: 'boolean' },
  showAll: { type: 'boolean', description: 'Every org; admin keys over all orgs only.' },
} as const satisfies QuerySpec;

export const AUTH_PARAMS = {
  appToken: { type: 'string', maxLength: 512, description: 'A Tally key.' },
  username: { type: 'string', maxLength: 256, description: 'Not checked.' },
  password: { type: 'string', maxLength: 512, description: 'A Tally key.' },
  appId: { type: 'string', maxLength: 256, description: 'Accepted and ignored.' },
  thingKey: { type: 'string', maxLength: 256, description: 'Accepted and ignored.' },
} as const satisfies QuerySpec;

const LAST = /^(\d{1,6})([smhd])$/;

function invalid(message: string): Tr50Error {
  return new Tr50Error(TR50_CODES.invalidParam, message);
}

/** `params` as a plain object ({} when absent or null); refuses names outside `known`. */
function paramsObject(raw: unknown, spec: QuerySpec): Record<string, unknown> {
  const known = Object.keys(spec);
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('params must be an object.');
  const params = raw as Record<string, unknown>;
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) {
      throw invalid(
        `Unknown parameter ${JSON.stringify(name.slice(0, 64))}; expected one of ${known.join(', ')}.`,
      );
    }
  }
  return params;
}

/** The value of an optional param; JSON null counts as absent. */
function opt(params: Record<string, unknown>, name: string): unknown {
  const v = params[name];
  return v === null ? undefined : v;
}

function optString<S extends QuerySpec>(
  params: Record<string, unknown>,
  spec: S,
  name: keyof S & string,
): string | undefined {
  const max = spec[name]?.maxLength ?? 0;
  const v = opt(params, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw invalid(`${name} must be a string of 1-${max} characters.`);
  return v;
}

function optBoolean(params: Record<string, unknown>, name: string): boolean {
  const v = opt(params, name);
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalid(`${name} must be true or false.`);
  return v;
}

function oneOf<T extends string>(
  params: Record<string, unknown>,
  name: keyof typeof HISTORY_PARAMS,
  allowed: T[],
  dflt: T,
): T {
  const v = opt(params, name);
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as string[]).includes(v))
    throw invalid(`${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}.`);
  return v as T;
}

/**
 * Parse `usage.api.history` params: `start` and `end`, or `last`; `series` hour (default)
 * or day; `dimension` "org" (or "service", the default); `includeSubOrgs`, `showAll`.
 *
 * @example parseHistoryParams({ last: '24h' }) // { range: { kind: 'last', last: '24h' }, series: 'hour', ... }
 */
export function parseHistoryParams(raw: unknown): HistoryParams {
  const params = paramsObject(raw, HISTORY_PARAMS);
  const start = optString(params, HISTORY_PARAMS, 'start');
  const end = optString(params, HISTORY_PARAMS, 'end');
  const last = optString(params, HISTORY_PARAMS, 'last');
  if (last !== undefined && (start !== undefined || end !== undefined)) {
    throw new Tr50Error(TR50_CODES.conflictingParams, 'Give either start and end, or last, not both.');
  }
  let range: HistoryParams['range'];
  if (last !== undefined) {
    const m = LAST.exec(last);
    const n = Number(m?.[1]);
    if (m === null || n < 1 || n > MAX_RELATIVE) {
      throw invalid(
        `last must be <n><unit> with n from 1 to ${MAX_RELATIVE} and unit s, m, h or d (e.g. "24h").`,
      );
    }
    range = { kind: 'last', last };
  } else if (start !== undefined && end !== undefined) {
    range = { kind: 'absolute', start, end };
  } else {
    const missing =
      start === undefined && end === undefined
        ? 'start and end, or last'
        : start === undefined
          ? 'start'
          : 'end';
    throw new Tr50Error(TR50_CODES.missingParam, `Missing parameter: ${missing}.`);
  }
  return {
    range,
    series: oneOf(params, 'series', SERIES, 'hour'),
    dimension: oneOf(params, 'dimension', DIMENSIONS, 'service'),
    includeSubOrgs: optBoolean(params, 'includeSubOrgs'),
    showAll: optBoolean(params, 'showAll'),
  };
}

/**
 * The half-open [from, to) of a history request in `tz`: `start`/`end` as timestamps
 * (an offset or `Z`, or local in `tz` without one; digits are Unix seconds); `last`
 * ends at `nowMs` (s/m/h exact, d calendar days in `tz`). Core errors propagate
 * (a ValidationError maps to -90004).
 */
export function resolveHistoryRange(
  p: HistoryParams,
  nowMs: number,
  tz: string,
): { from: number; to: number } {
  if (p.range.kind === 'last') return resolveRange({ last: p.range.last }, nowMs, tz);
  const from = parseInstant(p.range.start, tz, 'start');
  const to = parseInstant(p.range.end, tz, 'end');
  if (!(from < to)) throw invalid('end must be later than start.');
  return { from, to };
}

/**
 * The engine plan: `api.request` events counted per `series` bucket in `tz`, zero-filled,
 * grouped by org, or by (dims.service, dims.command) for the presenter to fold into services.
 */
export function historyPlan(
  p: HistoryParams,
  orgs: string[],
  range: { from: number; to: number },
  tz: string,
): Query {
  return makeQuery({
    orgs,
    types: ['api.request'],
    range,
    timezone: tz,
    bucket: p.series,
    groupBy:
      p.dimension === 'org'
        ? [{ kind: 'org' }]
        : [
            { kind: 'dim', key: 'service' },
            { kind: 'dim', key: 'command' },
          ],
  });
}

/**
 * The key secret of `api.authenticate`: `appToken`, or `password` (deviceWISE's admin
 * tools send `username` + `password`; the username is not checked). `appId` and
 * `thingKey`, which device clients also send, are accepted and ignored.
 */
export function parseAuthenticateParams(raw: unknown): { secret: string } {
  const params = paramsObject(raw, AUTH_PARAMS);
  const appToken = optString(params, AUTH_PARAMS, 'appToken');
  const password = optString(params, AUTH_PARAMS, 'password');
  optString(params, AUTH_PARAMS, 'username');
  optString(params, AUTH_PARAMS, 'appId');
  optString(params, AUTH_PARAMS, 'thingKey');
  if (appToken !== undefined && password !== undefined) {
    throw new Tr50Error(
      TR50_CODES.conflictingParams,
      'Give either appToken, or username and password, not both.',
    );
  }
  const secret = appToken ?? password;
  if (secret === undefined) {
    throw new Tr50Error(TR50_CODES.missingParam, 'Missing parameter: appToken, or username and password.');
  }
  return { secret };
}
