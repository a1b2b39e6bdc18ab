/**
 * The shapes of /v1/alerts (docs/alerts.md): the create body with its bounds, the
 * answers, and the alert's native plan. An alert's `query` is the native query's
 * vocabulary (type, agg, of, per, q, filters) and its plan is the one /v1/query builds
 * (planOf) with bucket = the alert's period, so a period's value is the query's answer.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ALERT_LIMITS, type AlertRecord, type DeliveryRecord } from '../../core/alerts.js';
import type { Query } from '../../core/query/plan.js';
import { normaliseQuery } from '../../core/query/validate.js';
import { OrgId } from '../schemas.js';
import { listOf, planOf, QueryParams, within, type QueryParamsT } from './query-params.js';

const Q = QueryParams.properties;

export const AlertQueryBody = Type.Object(
  {
    type: Type.Optional({
      ...Q.type,
      description: 'Event type(s) to count; none: every type the key reads.',
    }),
    agg: Type.Optional({ ...Q.agg, description: 'The aggregation, as in /v1/query (default count).' }),
    of: Type.Optional({
      ...Q.of,
      description: 'For agg=unique: the field(s) counted distinct (default actor).',
    }),
    per: Type.Optional({ ...Q.per, description: 'For agg=latest: the field(s) a gauge is kept per.' }),
    q: Type.Optional({ ...Q.q, description: 'For agg=quantile: the quantile, between 0 and 1.' }),
    filters: Type.Optional({ ...Q.filters, description: 'Filters as in /v1/query: a list or a tree.' }),
  },
  {
    additionalProperties: false,
    description: 'What to measure, in the native query’s words (no bucket, no range).',
  },
);

export const CreateAlertBody = Type.Object(
  {
    org: { ...OrgId, description: 'The org the alert watches (within the admin key’s reach).' },
    subtree: Type.Optional(Type.Boolean({ description: 'Count the org’s sub-orgs too (default false).' })),
    name: Type.String({ minLength: 1, maxLength: ALERT_LIMITS.nameChars, description: 'A name for people.' }),
    query: AlertQueryBody,
    period: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
      description: 'The calendar period a value covers, in the org’s timezone.',
    }),
    week_start: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 6,
        description: 'For period=week: its first day, 0 = Sunday (default 1).',
      }),
    ),
    thresholds: Type.Array(Type.Number(), {
      minItems: 1,
      maxItems: ALERT_LIMITS.thresholds,
      description: `1-${ALERT_LIMITS.thresholds} distinct numbers; each fires once per period when the value reaches it.`,
    }),
    webhook: Type.Object(
      {
        url: Type.String({
          minLength: 1,
          maxLength: ALERT_LIMITS.urlChars,
          description: 'An http or https URL.',
        }),
        secret: Type.String({
          minLength: 1,
          maxLength: ALERT_LIMITS.secretChars,
          description: 'The HMAC-SHA256 key of Tally-Signature; never shown again.',
        }),
      },
      {
        additionalProperties: false,
        description: 'Where fired thresholds are posted, and the signing secret.',
      },
    ),
  },
  { additionalProperties: false },
);
export type CreateAlertBodyT = Static<typeof CreateAlertBody>;

const Iso = Type.String({ description: 'Local ISO time in the org’s timezone.' });
const PeriodView = Type.Object({ from: Iso, to: Iso });

export const AlertView = Type.Object({
  id: Type.String(),
  org: Type.String(),
  subtree: Type.Boolean(),
  name: Type.String(),
  query: Type.Object({}, { additionalProperties: true }),
  period: Type.String(),
  week_start: Type.Integer(),
  thresholds: Type.Array(Type.Number()),
  webhook: Type.Object({ url: Type.String() }),
  created_at: Type.String(),
});

export const DeliveryView = Type.Object({
  id: Type.String({ description: 'The Tally-Delivery header of every attempt.' }),
  period: PeriodView,
  threshold: Type.Number(),
  value: Type.Union([Type.Number(), Type.Null()]),
  fired_at: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Array(
    Type.Object({
      at: Type.String(),
      status: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
});

export const StatusView = Type.Object({
  period: PeriodView,
  value: Type.Union([Type.Number(), Type.Null()]),
  thresholds: Type.Array(
    Type.Object({ threshold: Type.Number(), fired_at: Type.Union([Type.String(), Type.Null()]) }),
  ),
  remaining: Type.Number(),
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** An alert as answered: everything but the secret. */
export function alertView(a: AlertRecord): Record<string, unknown> {
  return {
    id: a.id,
    org: a.org,
    subtree: a.subtree,
    name: a.name,
    query: a.query,
    period: a.period,
    week_start: a.week_start,
    thresholds: a.thresholds,
    webhook: { url: a.webhook_url },
    created_at: iso(a.created_at),
  };
}

/** A delivery as answered; its period, value and firing time are those of the body it sends. */
export function deliveryView(d: DeliveryRecord): Record<string, unknown> {
  const sent = JSON.parse(d.body) as { period: unknown; value: unknown; fired_at: unknown };
  return {
    id: d.id,
    period: sent.period,
    threshold: d.threshold,
    value: sent.value,
    fired_at: sent.fired_at,
    state: d.state,
    attempts: d.attempts.map((t) => ({ at: iso(t.at), status: t.status, error: t.error })),
    next_attempt_at: d.state === 'pending' ? iso(d.next_at) : null,
  };
}

/** The alert's query as stored: lists as arrays, nothing left undefined. */
export function storedQuery(q: CreateAlertBodyT['query']): AlertRecord['query'] {
  const out: AlertRecord['query'] = { type: listOf(q.type) };
  if (q.agg !== undefined) out.agg = q.agg;
  if (q.of !== undefined) out.of = listOf(q.of);
  if (q.per !== undefined) out.per = listOf(q.per);
  if (q.q !== undefined) out.q = q.q;
  if (q.filters !== undefined) out.filters = q.filters;
  return out;
}

/** The native plan of an alert for one period: /v1/query's, with bucket = the period. */
export function alertPlan(
  a: Pick<AlertRecord, 'query' | 'period' | 'week_start'>,
  orgs: string[],
  range: { from: number; to: number },
  tz: string,
): Query {
  const params = { ...a.query, bucket: a.period, week_start: a.week_start } as QueryParamsT;
  return planOf(params, orgs, range, tz);
}

/** alertPlan, checked as the runner checks a plan, with a fault in the query reported under `query/` (as the body names it). */
export function checkedAlertPlan(...args: Parameters<typeof alertPlan>): Query {
  return within('query', () => normaliseQuery(alertPlan(...args)));
}
