/**
 * Descriptions for the OpenAPI document, filled in where a route's own schema
 * has none: each operation (by method and route pattern) and each parameter and
 * body field (by name, or by route and name where a name means something
 * else there). registerOpenApi applies them; test/ecosystem/openapi.test.ts
 * fails when an operation or parameter is left without one.
 */

/** What each operation does, by `METHOD /route/:pattern`. */
export const OPERATION_DESCRIPTIONS: Record<string, string> = {
  'GET /openapi.json':
    'This OpenAPI 3.1 document: every route Tally serves, with its parameters and answers.',
  'GET /healthz':
    'Answers 200 {"status":"ok"} once the server accepts requests; 503 {"status":"unhealthy","reason":...} once the store has met a corrupt file. Needs no key.',
  'POST /v1/keys':
    'Create a key (admin). The secret is in this answer only; Tally keeps a hash. An admin key can only grant orgs within its own reach.',
  'GET /v1/keys':
    'List the keys within the admin key’s reach, without secrets; revoked keys carry revoked_at.',
  'DELETE /v1/keys/:id':
    'Revoke a key (admin). Requests with it get 401 from then on, on every Tally process.',
  'PUT /v1/orgs/:id':
    'Create an org, or change it (admin). Fields left out keep their value; a missing parent, a cycle or an unknown timezone gives 400.',
  'GET /v1/orgs/:id': 'One org within the key’s reach: name, parent, domain, timezone.',
  'GET /v1/orgs': 'Every org within the key’s reach (its orgs and all their descendants).',
  'PUT /v1/orgs/:org/actors/:id':
    'Create or update one actor (ingest or admin). Fields left out keep their value; null clears deleted_at.',
  'GET /v1/orgs/:org/actors/:id': 'One actor of an org within the key’s reach.',
  'POST /v1/actors':
    'Create or update many actors at once (ingest or admin), each with its org and id. Atomic: one bad actor refuses the batch with its index.',
  'GET /v1/query':
    'Statistics from events: counts, sums, unique actors, gauges, by bucket and group, in any timezone (docs/query.md). A read or admin key.',
  'POST /v1/query':
    'The same query as GET /v1/query, with the parameters as a JSON body (lists as arrays, filters as an array or a tree).',
  'GET /v1/orgs/:id/retention':
    'The org’s own retention setting and the period that applies to it (its own, inherited, or the server’s).',
  'DELETE /v1/actors/:id':
    'Erase an actor (GDPR) in every org within the admin key’s reach: its events and profile. Recorded in the audit log.',
  'GET /v1/orgs/:id/export':
    'Stream every raw event of the org (and its sub-orgs) as NDJSON or CSV, oldest first (admin).',
};

/** The VIKTOR surface answers only GET; its other methods exist to answer 405 in VIKTOR's shape. */
const VIKTOR_NOT_ALLOWED =
  'VIKTOR’s statistics endpoint only answers GET; this method gets 405 {"detail": "Method \\"…\\" not allowed."}, as Django REST framework answers.';

/** The description of an operation, or undefined when none is known. */
export function operationDescription(
  method: string,
  url: string,
  summary: string | undefined,
): string | undefined {
  if (summary === 'Not allowed (VIKTOR)') return VIKTOR_NOT_ALLOWED;
  return OPERATION_DESCRIPTIONS[`${method} ${url}`];
}

/** Parameters and body fields whose name means one thing everywhere. */
const BY_NAME: Record<string, string> = {
  name: 'A display name.',
  role: 'admin (everything, including orgs and keys), ingest (write events and actors) or read (read statistics).',
  orgs: 'The org ids the key covers, each with all its descendants; ["*"] for every org.',
  parent: 'The parent org’s id (it must exist), or null for a root org.',
  domain: 'The org’s domain, e.g. acme.com (VIKTOR’s org_domain matches it).',
  timezone: 'An IANA timezone, e.g. Europe/Berlin.',
  kind: 'What the actor is: user (the default), developer, device, or any other word.',
  created_at: 'When the actor came to exist, RFC 3339.',
  deleted_at: 'When the actor stopped existing, RFC 3339; null clears it.',
  first_name: 'Given name (SaferMe answers show it).',
  last_name: 'Family name.',
  props: 'Any other properties, as a JSON object.',
  org: 'Org id(s); repeat or comma-separate for several. Default: every org within the key’s reach.',
  subtree: 'true: each org with all its sub-orgs.',
  type: 'Event type(s) to count; repeat or comma-separate. Default: every type.',
  from: 'Start of the range, inclusive: RFC 3339, a date (midnight in the timezone), or Unix seconds.',
  to: 'End of the range, exclusive (default now), in the same forms as from.',
  last: 'A relative range instead of from/to, ending now: 24h, 7d, 30d, 12mo, today, yesterday, week, month, year.',
  week_start: 'The first day of a week bucket, 0 = Sunday … 6 = Saturday (default 1, ISO weeks).',
  bucket:
    'Bucket size: hour, day (default), week, month, none (one total), hour_of_day or day_of_week (histograms).',
  agg: 'Aggregation: count (default), sum, min, max, avg (of value), unique (distinct of), latest (a gauge), integral (time-weighted sum of a gauge, in unit), p50, p90, p95, p99 or quantile (with q): exact percentiles of value by nearest rank.',
  q: 'For agg=quantile: the percentile in (0, 1), at most 6 decimals; the value at rank ceil(q * n) ascending.',
  of: 'For agg=unique: the field(s) counted distinct, e.g. actor (the default) or dims.workspace.',
  per: 'For agg=latest or integral: the fields keying separate gauges that are summed, e.g. dims.kind.',
  unit: 'For agg=integral: second, minute, hour (default) or day (24 hours); 10 GB held 36 hours is 360 GB-hours.',
  compare:
    'previous_period (the same calendar length just before) or previous_year (the same local dates a year earlier): each series gains compare {range, total, points} aligned with its points.',
  filters:
    'Filters: [[op, field, [values]], …] (AND) or a tree of {"and"|"or": […]} and {"not": f}; op eq, in, not_in, prefix, contains, icontains, regex (RE2), gt, gte, lt, lte (on value or numeric dims); JSON text in a GET.',
  metrics:
    'Up to 10 named metrics [{"name", "agg", "type"?, "of"?, "per"?, "q"?, "unit"?, "filters"?}], instead of agg; points carry values by name (JSON text in a GET).',
  group_by: 'Field(s) to group by: actor, org, type, actor_kind or dims.<key>; repeat or comma-separate.',
  window: 'none (default), rolling (trailing window at each bucket) or cumulative (running total).',
  window_size: 'For window=rolling: its length, in window_unit.',
  window_unit: 'For window=rolling: hour, day, week or month (default: the bucket).',
  since: 'For window=cumulative: range (from `from`, the default) or all (from the beginning).',
  fill: 'zero (default): every bucket; sparse: only buckets with matching events.',
  share: 'Add each series’ percent share of each bucket, rounded to this many decimals (0-4).',
  top: 'Keep the n groups with the largest totals.',
  other: 'With top: fold the remaining groups into one "other" series (default true).',
  format: 'Output format.',
  days: 'Days to keep raw events (a whole number), null for forever, or "inherit" to follow the parent org.',
  events: 'The events to delete, each as {org, id}.',
  limit: 'At most this many entries.',
  stats_type: 'users, developers or workspaces.',
  stat_type: 'api, addons, transcodes, storage or cdn; when the path names it too, both must agree.',
  user_id: 'Only this user’s events (the event’s actor); data is then keyed by it.',
  report:
    'The report: reports_over_time, reports_per_state, reports_per_field_selection, reports_per_user, reports_per_day_hour, reports_per_week_day, reports_images, reports_read or user_awareness.',
  app_id: 'The app: a dims.app value of activity, bandwidth and storage events.',
  org_id: 'The Capgo organization: an org id.',
  noAccumulate: 'true: each series per day instead of running from `from` (exactly true or false).',
  breakdown: 'true: add a per-app breakdown ({"global", "byApp"}).',
};

/** Names that mean something else on a given route (`/route/:pattern name`). */
const BY_ROUTE: Record<string, string> = {
  '/v1/keys/:id id': 'The key id (from GET /v1/keys or the create answer).',
  '/v1/keys name': 'A name to recognise the key by (1-200 characters).',
  '/v1/orgs/:id id': 'The org id.',
  '/v1/orgs/:id/retention id': 'The org id.',
  '/v1/orgs/:id/export id': 'The org id; its sub-orgs are exported with it.',
  '/v1/orgs/:id/export format': 'ndjson (the default) or csv.',
  '/v1/orgs/:org/actors/:id org': 'The org the actor belongs to.',
  '/v1/orgs/:org/actors/:id id': 'The actor id (the actor of events).',
  '/v1/actors/:id id': 'The actor id to erase.',
  '/v1/audit org': 'Only entries about this org.',
  '/v1/audit limit': 'At most this many entries, newest first.',
  '/v1/orgs/:id name': 'The org’s display name.',
};

/** The description of parameter or body field `name` of route `url`, or undefined when none is known. */
export function paramDescription(url: string, name: string): string | undefined {
  return BY_ROUTE[`${url} ${name}`] ?? BY_NAME[name];
}

type Props = Record<string, Record<string, unknown>>;

/**
 * A route schema with the descriptions above filled in where it has none: the
 * operation's, and those of its query, path and body fields (the document only; validation is untouched).
 */
export function describeSchema(
  schema: Record<string, unknown>,
  method: string,
  url: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  if (out['description'] === undefined) {
    const d = operationDescription(method, url, schema['summary'] as string | undefined);
    if (d !== undefined) out['description'] = d;
  }
  for (const part of ['querystring', 'params', 'body']) {
    const p = out[part] as { properties?: Props } | undefined;
    if (p?.properties === undefined) continue;
    const properties: Props = {};
    for (const [name, s] of Object.entries(p.properties)) {
      const d = s['description'] === undefined ? paramDescription(url, name) : undefined;
      properties[name] = d === undefined ? s : { ...s, description: d };
    }
    out[part] = { ...p, properties };
  }
  return out;
}
