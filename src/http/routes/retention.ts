/**
 * Retention routes (docs/lifecycle.md): an org's own setting and the period
 * that applies to it, and a run of the retention job on demand.
 *   GET  /v1/orgs/{id}/retention   (read or admin)
 *   PUT  /v1/orgs/{id}/retention   {"days": 30 | "forever" | null}  (admin)
 *   POST /v1/retention/run         (admin; the orgs within reach)
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requireEveryType } from '../../core/key-scope.js';
import type { OrgTree } from '../../core/orgs.js';
import { effectiveRetention, MAX_RETENTION_DAYS } from '../../core/retention.js';
import { runRetention } from '../../use-cases/retention-job.js';
import { loadOrgTree, requireRole } from '../auth.js';
import type { AppContext } from '../context.js';
import { jsonResponse, nativeErrors } from '../doc-schemas.js';
import { OrgId } from '../schemas.js';
import { auditView, AuditView, reachableOrg } from './audit-view.js';

const Days = Type.Union([
  Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS }),
  Type.Literal('forever'),
  Type.Null(),
]);

const RetentionView = Type.Object({
  org: Type.String(),
  days: Type.Union([Type.Integer(), Type.Literal('forever'), Type.Null()], {
    description: "The org's own setting; null when it inherits.",
  }),
  effective: Type.Object({
    days: Type.Union([Type.Integer(), Type.Null()], { description: 'Days kept; null keeps forever.' }),
    source: Type.Union([
      Type.Literal('org'),
      Type.Literal('ancestor'),
      Type.Literal('server'),
      Type.Literal('none'),
    ]),
    from: Type.Union([Type.String(), Type.Null()], { description: 'The org whose setting applies.' }),
  }),
});

async function view(ctx: AppContext, tree: OrgTree, org: string): Promise<Record<string, unknown>> {
  const settings = new Map((await ctx.retention.listRetention()).map((s) => [s.org, s.days]));
  const own = settings.get(org);
  return {
    org,
    days: own === undefined ? null : own === 0 ? 'forever' : own,
    effective: effectiveRetention(tree, settings, org, ctx.retentionDays ?? null),
  };
}

export function retentionRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ id: OrgId });
  const answer = { 200: jsonResponse("The org's retention.", RetentionView) };

  app.get(
    '/v1/orgs/:id/retention',
    {
      schema: {
        summary: "An org's retention period",
        params,
        response: { ...answer, ...nativeErrors(401, 403, 404) },
      },
    },
    async (req) => {
      const p = req.principal!;
      requireRole(p, 'read');
      const tree = await loadOrgTree(app.ctx);
      return view(app.ctx, tree, reachableOrg(p, tree, req.params.id));
    },
  );

  const putSchema = {
    summary: "Set an org's retention period",
    description:
      'Days to keep raw events, "forever", or null to inherit from the parent (or the server default).',
    params,
    body: Type.Object({ days: Days }, { additionalProperties: false }),
    response: { ...answer, ...nativeErrors(400, 401, 403, 404) },
  };
  app.put('/v1/orgs/:id/retention', { schema: putSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    requireEveryType(p.types, 'Retention');
    const tree = await loadOrgTree(app.ctx);
    const org = reachableOrg(p, tree, req.params.id);
    const { days } = req.body;
    await app.ctx.retention.setRetention(org, days === 'forever' ? 0 : days);
    return view(app.ctx, tree, org);
  });

  const runSchema = {
    summary: 'Run retention now',
    description: 'Deletes raw events past their period in every org within reach, as the hourly job does.',
    response: {
      200: jsonResponse(
        'What was due, and the audit entries of orgs that lost events.',
        Type.Object({
          due: Type.Array(Type.Object({ org: Type.String(), days: Type.Integer(), before: Type.String() })),
          audit: Type.Array(AuditView),
        }),
      ),
      ...nativeErrors(401, 403),
    },
  };
  app.post('/v1/retention/run', { schema: runSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    requireEveryType(p.types, 'Retention');
    const run = await runRetention(app.ctx.registry, app.ctx.retention, {
      serverDays: app.ctx.retentionDays ?? null,
      now: app.ctx.clock(),
      keyId: p.keyId,
      grants: p.orgs,
    });
    return {
      due: run.targets.map((t) => ({ org: t.org, days: t.days, before: new Date(t.before).toISOString() })),
      audit: run.entries.map(auditView),
    };
  });
}
