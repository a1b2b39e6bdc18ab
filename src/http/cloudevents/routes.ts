/**
 * `POST /api/v1/events`: OpenMeter's ingestion endpoint. Takes one CloudEvent
 * (`application/cloudevents+json`), a batch (`application/cloudevents-batch+json`),
 * or either as `application/json`; needs an ingest or admin key (Bearer, as
 * OpenMeter's client sends it). The batch is atomic and answered 204 once
 * durable, as OpenMeter answers; the counts ride in `x-tally-accepted` and
 * `x-tally-duplicates`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import { jsonBodyParser } from '../json-body.js';
import { LIMITS } from '../../core/events.js';
import { ingestWithinReach } from '../../use-cases/ingest.js';
import { authenticate, requireRole } from '../auth.js';
import { documentedOnly } from '../doc-schemas.js';
import { mapCloudEvents } from './map.js';
import { CloudEventsSchema } from './schema.js';

export const SINGLE = 'application/cloudevents+json';
export const BATCH = 'application/cloudevents-batch+json';

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The events of a body, checked against its content type. */
function eventsOf(req: FastifyRequest): unknown[] {
  const type = mediaType(req);
  const body = req.body;
  if (type === SINGLE) {
    if (Array.isArray(body)) throw ValidationError.param('/', `${SINGLE} carries one event; use ${BATCH}`);
    return [body];
  }
  if (type === BATCH) {
    if (!Array.isArray(body)) throw ValidationError.param('/', `${BATCH} carries a JSON array of events`);
    return body;
  }
  return Array.isArray(body) ? body : [body];
}

/** Register the route, its content types and nothing else, in the surface's own scope. */
export function cloudEventsRoutes(app: FastifyInstance): void {
  // Only JSON forms are events here; text/plain (a Fastify default) would be a 415 at OpenMeter too.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    [SINGLE, BATCH],
    { parseAs: 'string', bodyLimit: LIMITS.maxBodyBytes },
    jsonBodyParser,
  );

  app.post(
    '/api/v1/events',
    { bodyLimit: LIMITS.maxBodyBytes, ...documentedOnly(CloudEventsSchema) },
    async (req, reply) => {
      const p = await authenticate(req, app.ctx);
      requireRole(p, 'ingest');
      const r = await ingestWithinReach(app.ctx, app.ctx.clock(), mapCloudEvents, {
        grants: p.orgs,
        types: p.types,
        raws: eventsOf(req),
        orgNoun: 'subject(s)',
      });
      return reply
        .status(204)
        .header('x-tally-accepted', String(r.accepted))
        .header('x-tally-duplicates', String(r.duplicates))
        .send();
    },
  );
}
