/**
 * /v1/alerts (docs/alerts.md): create and delete with an admin key whose reach covers
 * the org; list, read, deliveries and status with any read or admin key that reaches
 * the alert's org. A key limited to some event types sees only the alerts whose every
 * type it reads (others answer 404, as anything outside a key's reach does).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ALERT_LIMITS, periodOf, type AlertRecord } from '../../core/alerts.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { assertNoLoneSurrogates } from '../../core/events.js';
import { planWithin } from '../../core/key-scope.js';
import type { OrgTree } from '../../core/orgs.js';
import { formatLocalIso } from '../../core/time/range.js';
import { periodValue } from '../../use-cases/alert-watch.js';
import { openReader } from '../../use-cases/read-within-reach.js';
import { destinationFault } from '../../use-cases/webhook-send.js';
import { loadOrgTree, requireReach, requireRole, type Principal } from '../auth.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';
import {
  alertPlan,
  AlertView,
  alertView,
  checkedAlertPlan,
  CreateAlertBody,
  DeliveryView,
  deliveryView,
  StatusView,
  storedQuery,
} from './alert-shapes.js';

const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'The alert id (from the create answer).' }),
});

/** Whether a key sees an alert: its org within reach, and (for a key with types) only types it reads. */
function visible(p: Principal, tree: OrgTree, a: AlertRecord): boolean {
  if (!tree.reaches(p.orgs, a.org)) return false;
  return p.types === null || (a.query.type.length > 0 && a.query.type.every((t) => p.types!.includes(t)));
}

export function alertRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  /** The alert `id` if the key sees it, else 404. */
  const visibleAlert = async (p: Principal, id: string): Promise<{ alert: AlertRecord; tree: OrgTree }> => {
    const [alert, tree] = await Promise.all([ctx.alerts.getAlert(id), loadOrgTree(ctx)]);
    if (alert === null || !visible(p, tree, alert)) throw new NotFoundError(`No alert ${id}.`);
    return { alert, tree };
  };

  const createSchema = {
    summary: 'Create an alert',
    description:
      'Create an alert (admin, over the org): thresholds on a period’s value, posted to a webhook when first reached (docs/alerts.md). The secret is never returned.',
    body: CreateAlertBody,
    response: {
      201: jsonResponse('The stored alert, without its secret.', AlertView),
      ...nativeErrors(400, 401, 403, 404),
    },
  };
  app.post('/v1/alerts', { schema: createSchema }, async (req, reply) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const body = req.body;
    assertNoLoneSurrogates(body, 'alert');
    const tree = await loadOrgTree(ctx);
    requireReach(p, tree, body.org);
    const org = tree.get(body.org);
    if (!org) throw new NotFoundError(`No org ${body.org}.`);
    const repeated = body.thresholds.findIndex((t, k) => body.thresholds.indexOf(t) !== k);
    if (repeated >= 0) throw ValidationError.param(`thresholds/${repeated}`, 'repeats an earlier threshold');
    const shape = { query: storedQuery(body.query), period: body.period, week_start: body.week_start ?? 1 };
    const now = ctx.clock();
    const period = periodOf(shape, org.timezone, now);
    const plan = checkedAlertPlan(shape, [org.id], { from: period.start, to: period.end }, org.timezone);
    // A key with event types creates alerts over those alone (none named: all of its own).
    const scoped = planWithin(p.types, plan);
    if (p.types !== null) shape.query.type = scoped.types;
    const fault = await destinationFault(body.webhook.url, ctx.alerting.destination);
    if (fault !== null) throw ValidationError.param('webhook/url', fault);
    const onOrg = (await ctx.alerts.listAlerts()).filter((a) => a.org === org.id).length;
    if (onOrg >= ALERT_LIMITS.perOrg)
      throw ValidationError.param(
        'org',
        `already has ${ALERT_LIMITS.perOrg} alerts, the most an org may have`,
      );
    const alert: AlertRecord = {
      id: `al_${randomBytes(9).toString('base64url')}`,
      org: org.id,
      subtree: body.subtree ?? false,
      name: body.name,
      ...shape,
      thresholds: [...body.thresholds].sort((a, b) => a - b),
      webhook_url: body.webhook.url,
      secret: body.webhook.secret,
      created_at: now,
    };
    await ctx.alerts.createAlert(alert);
    await ctx.alerting.changed();
    return reply.status(201).send(alertView(alert));
  });

  const listSchema = {
    summary: 'List alerts',
    description:
      'The alerts on orgs within the key’s reach (a key with event types: those over its types only).',
    response: {
      200: jsonResponse('The alerts, oldest first.', Type.Object({ alerts: Type.Array(AlertView) })),
      ...nativeErrors(401, 403),
    },
  };
  app.get('/v1/alerts', { schema: listSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'read');
    const [alerts, tree] = await Promise.all([ctx.alerts.listAlerts(), loadOrgTree(ctx)]);
    return { alerts: alerts.filter((a) => visible(p, tree, a)).map(alertView) };
  });

  const oneSchema = {
    summary: 'One alert',
    description: 'One alert within the key’s reach, without its secret.',
    params: IdParams,
    response: { 200: jsonResponse('The alert.', AlertView), ...nativeErrors(401, 403, 404) },
  };
  app.get('/v1/alerts/:id', { schema: oneSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'read');
    return alertView((await visibleAlert(p, req.params.id)).alert);
  });

  const deleteSchema: FastifySchema = {
    summary: 'Delete an alert',
    description: 'Delete an alert (admin, over its org), with its deliveries: pending ones are not sent.',
    params: IdParams,
    response: { 204: { type: 'null', description: 'Deleted.' }, ...nativeErrors(401, 403, 404) },
  };
  app.delete<{ Params: { id: string } }>('/v1/alerts/:id', { schema: deleteSchema }, async (req, reply) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const { alert } = await visibleAlert(p, req.params.id);
    if (!(await ctx.alerts.deleteAlert(alert.id))) throw new NotFoundError(`No alert ${alert.id}.`);
    await ctx.alerting.changed();
    return reply.status(204).send();
  });

  const deliveriesSchema = {
    summary: 'An alert’s deliveries',
    description:
      'Every delivery of the alert (one per period and threshold fired), with its attempts, status codes and state: pending, delivered or failed.',
    params: IdParams,
    response: {
      200: jsonResponse(
        'The deliveries, oldest first.',
        Type.Object({ deliveries: Type.Array(DeliveryView) }),
      ),
      ...nativeErrors(401, 403, 404),
    },
  };
  app.get('/v1/alerts/:id/deliveries', { schema: deliveriesSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'read');
    const { alert } = await visibleAlert(p, req.params.id);
    return { deliveries: (await ctx.alerts.listDeliveries(alert.id)).map(deliveryView) };
  });

  const statusSchema = {
    summary: 'An alert’s current period',
    description:
      'The current period’s value (what /v1/query with bucket = the period answers), when each threshold fired in it, and what remains below the largest one (0 once passed).',
    params: IdParams,
    response: { 200: jsonResponse('The current period.', StatusView), ...nativeErrors(401, 403, 404) },
  };
  app.get('/v1/alerts/:id/status', { schema: statusSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'read');
    const { alert, tree } = await visibleAlert(p, req.params.id);
    const tz = tree.get(alert.org)?.timezone ?? 'UTC';
    const period = periodOf(alert, tz, ctx.clock());
    const reader = await openReader(ctx, p);
    const value = await periodValue(reader, alertPlan, alert, period, tz);
    const fired = new Map<number, string>();
    for (const d of await ctx.alerts.listDeliveries(alert.id))
      if (d.period_start === period.start) fired.set(d.threshold, new Date(d.created_at).toISOString());
    const top = alert.thresholds.at(-1)!;
    return {
      period: { from: formatLocalIso(tz, period.start), to: formatLocalIso(tz, period.end) },
      value,
      thresholds: alert.thresholds.map((threshold) => ({
        threshold,
        fired_at: fired.get(threshold) ?? null,
      })),
      remaining: Math.max(0, top - (value ?? 0)),
    };
  });
}
