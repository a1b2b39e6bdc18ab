/**
 * GET and POST /v1/query: the native query endpoint (docs/query.md). A `read` or
 * `admin` key; the orgs must lie within its reach. Resolves orgs (and subtrees),
 * the range and the timezone (the first org's by default), runs the engine, and
 * writes times as ISO strings in the query's timezone.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../core/errors.js';
import type { OrgTree } from '../../core/orgs.js';
import type { ComparePoint, Point, QueryResult, Series, SeriesCompare } from '../../core/query/result.js';
import { formatLocalIso, formatUtcIsoMs, resolveRange } from '../../core/time/index.js';
import { openReader } from '../../use-cases/read-within-reach.js';
import { requireReach, requireRole, type Principal } from '../auth.js';
import { listOf, metricsOf, planOf, QueryParams, type QueryParamsT } from './query-params.js';
import { runMetrics } from '../../core/query/metrics.js';
import { CSV_TYPE, queryCsv, wantsCsv, yieldToLoop } from './query-csv.js';
import { nativeErrors } from '../doc-schemas.js';
import { QueryAnswer } from './query-answer.js';

/** The orgs a request covers: those named (with subtrees if asked), or every org the key reaches. */
export function resolveOrgs(
  p: Principal,
  tree: OrgTree,
  params: { org?: string | string[]; subtree?: boolean },
): string[] {
  const named = listOf(params.org);
  if (named.length === 0) {
    const all = tree.reachable(p.orgs);
    if (all.length === 0) throw new NotFoundError('No org is within this key\u2019s reach.');
    return all;
  }
  const out = new Set<string>();
  for (const id of named) {
    requireReach(p, tree, id);
    if (!tree.get(id)) throw new NotFoundError(`No org ${id}.`);
    for (const o of params.subtree ? tree.subtree(id) : [id]) out.add(o);
  }
  return [...out];
}

function pointView(tz: string, pt: Point): Record<string, unknown> {
  const out: Record<string, unknown> = {
    start: formatLocalIso(tz, pt.start),
    end: formatLocalIso(tz, pt.end),
  };
  if (pt.slot !== undefined) out['slot'] = pt.slot;
  if (pt.values) out['values'] = pt.values;
  else out['value'] = pt.value;
  if (pt.share !== undefined) out['share'] = pt.share;
  if (pt.window) {
    out['window'] = {
      from: pt.window.from === null ? null : formatLocalIso(tz, pt.window.from),
      to: formatLocalIso(tz, pt.window.to),
    };
  }
  return out;
}

function comparePointView(tz: string, pt: ComparePoint): Record<string, unknown> {
  const out: Record<string, unknown> = {
    start: pt.start === null ? null : formatLocalIso(tz, pt.start),
    end: pt.end === null ? null : formatLocalIso(tz, pt.end),
  };
  if (pt.slot !== undefined) out['slot'] = pt.slot;
  if (pt.values) out['values'] = pt.values;
  else out['value'] = pt.value;
  if (pt.share !== undefined) out['share'] = pt.share;
  return out;
}

function compareView(tz: string, c: SeriesCompare): Record<string, unknown> {
  return {
    range: {
      from: formatUtcIsoMs(c.range.from),
      to: formatUtcIsoMs(c.range.to),
      from_ms: c.range.from,
      to_ms: c.range.to,
    },
    total: c.totals ?? c.total,
    points: c.points.map((pt) => comparePointView(tz, pt)),
  };
}

function seriesView(tz: string, s: Series): Record<string, unknown> {
  const out: Record<string, unknown> = {
    group: s.group,
    total: s.totals ?? s.total,
    points: s.points.map((pt) => pointView(tz, pt)),
  };
  if (s.compare) out['compare'] = compareView(tz, s.compare);
  return out;
}

/** `resultView` as JSON text, built series by series with a turn of the event loop between them. */
async function resultJson(r: QueryResult): Promise<string> {
  const head = resultView({ ...r, series: [] });
  delete head['series'];
  const parts: string[] = [];
  for (const s of r.series) {
    parts.push(JSON.stringify(seriesView(r.timezone, s)));
    await yieldToLoop();
  }
  return `{"series":[${parts.join(',')}],${JSON.stringify(head).slice(1)}`;
}

/** The JSON answer: the neutral result with local ISO times (see docs/query.md). */
export function resultView(r: QueryResult): Record<string, unknown> {
  const tz = r.timezone;
  return {
    range: { from: r.range.from_iso, to: r.range.to_iso, from_ms: r.range.from, to_ms: r.range.to },
    timezone: tz,
    bucket: r.bucket,
    week_start: r.week_start,
    series: r.series.map((s) => seriesView(tz, s)),
    other: r.other ? seriesView(tz, r.other) : null,
    total_groups: r.total_groups,
    meta: {
      read_at: new Date(r.meta.read_at).toISOString(),
      last_bucket_open: r.meta.last_bucket_open,
      buckets: r.meta.buckets,
    },
  };
}

export function queryRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  const handle = async (
    req: FastifyRequest,
    reply: FastifyReply,
    params: QueryParamsT,
  ): Promise<Record<string, unknown> | FastifyReply> => {
    const p = req.principal!;
    requireRole(p, 'read');
    const reader = await openReader(app.ctx, p);
    const tree = reader.tree;
    const orgs = resolveOrgs(p, tree, params);
    const timezone = params.timezone ?? tree.get(orgs[0]!)?.timezone ?? 'UTC';
    const now = app.ctx.clock();
    const range = resolveRange({ from: params.from, to: params.to, last: params.last }, now, timezone);
    const plan = planOf(params, orgs, range, timezone);
    const metrics = metricsOf(params);
    // One deadline for the request, however many plans it runs (metrics, a comparison).
    const result = await app.ctx.deadline((signal) =>
      metrics ? runMetrics(plan, metrics, (q) => reader.run(q, { signal })) : reader.run(plan, { signal }),
    );
    if (wantsCsv(req, params.format))
      return reply.type(CSV_TYPE).send(await queryCsv(result, listOf(params.group_by)));
    // Built and serialised one series at a time, yielding between them: an answer of 200,000
    // points must not hold the event loop (and /healthz) for seconds.
    return reply.type('application/json; charset=utf-8').send(await resultJson(result));
  };

  const response = {
    200: {
      description: 'The series (docs/query.md), as JSON or, when asked, CSV.',
      content: {
        'application/json': { schema: QueryAnswer },
        'text/csv': { schema: { type: 'string' } },
      },
    },
    ...nativeErrors(400, 401, 403, 404),
  };
  const summary = 'Query statistics';
  app.get('/v1/query', { schema: { summary, querystring: QueryParams, response } }, (req, reply) =>
    handle(req, reply, req.query),
  );
  app.post('/v1/query', { schema: { summary, body: QueryParams, response } }, (req, reply) =>
    handle(req, reply, req.body),
  );
}
