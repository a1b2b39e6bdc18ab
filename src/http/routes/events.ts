/**
 * POST /v1/events: one event, a JSON array, or NDJSON. The batch is validated
 * whole (every fault reported with its index and path), checked against the
 * key's orgs, then handed to the store, which answers once it is durable
 * (use-cases/ingest.ts, shared with CloudEvents).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ValidationError, type ErrorDetail } from '../../core/errors.js';
import { parseJson, parseJsonBody } from '../json-body.js';
import { EventSchema, LIMITS, validateBatch } from '../../core/events.js';
import { ingestWithinReach } from '../../use-cases/ingest.js';
import { requireRole } from '../auth.js';
import { documentedOnly, jsonResponse, nativeErrors } from '../doc-schemas.js';

/**
 * The route's documentation. The body is validated whole by validateBatch (to report every
 * fault with its index), so this schema describes it without validating.
 */
const eventsSchema = documentedOnly({
  summary: 'Ingest events',
  description: 'One event, a JSON array, or NDJSON; atomic; answered once durable.',
  body: {
    content: {
      'application/json': {
        schema: Type.Union([EventSchema, Type.Array(EventSchema, { maxItems: LIMITS.maxEventsPerRequest })]),
      },
      'application/x-ndjson': { schema: { type: 'string', description: 'One event per line.' } },
    },
  },
  response: {
    200: jsonResponse(
      'Stored: events new to the store, and duplicates of (org, id) pairs stored before.',
      Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() }),
    ),
    ...nativeErrors(400, 401, 403, 413),
  },
});

/** A parsed NDJSON body, told apart from a JSON body by its class. */
class NdjsonBody {
  constructor(readonly items: unknown[]) {}
}

export function parseNdjson(text: string): { items: unknown[] } | { faults: ErrorDetail[] } {
  const out: unknown[] = [];
  const faults: ErrorDetail[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // The same parser as a JSON body's: depth bound and prototype guard included.
    const parsed = parseJson(trimmed);
    if ('value' in parsed) out.push(parsed.value);
    else faults.push({ index: out.length + faults.length, ...parsed.fault });
    if (out.length + faults.length > LIMITS.maxEventsPerRequest) break;
  }
  return faults.length > 0 ? { faults } : { items: out };
}

/** Whether text that failed as one JSON value is several, one per line: NDJSON sent as JSON. */
function isNdjson(text: string): boolean {
  const lines = text.split('\n', 3).filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    JSON.parse(lines[0]!);
    JSON.parse(lines[1]!);
    return true;
  } catch {
    return false;
  }
}

const NDJSON_AS_JSON =
  'The body holds one JSON value per line (NDJSON) but says Content-Type: application/json; send it as application/x-ndjson, or send one JSON array.';

export function eventRoutes(app: FastifyInstance): void {
  // The one body parser (json-body.ts), with one more word when it fails on NDJSON sent as application/json.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(String(body)));
    } catch (err) {
      if (isNdjson(String(body))) done(ValidationError.param('content-type', NDJSON_AS_JSON), undefined);
      else done(err as Error, undefined);
    }
  });
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson'],
    { parseAs: 'string', bodyLimit: LIMITS.maxBodyBytes },
    (_req, body, done) => {
      const parsed = parseNdjson(String(body));
      if ('faults' in parsed)
        done(new ValidationError('Some NDJSON lines are not valid JSON.', parsed.faults, 'invalid_event'));
      else done(null, new NdjsonBody(parsed.items));
    },
  );

  app.post('/v1/events', { bodyLimit: LIMITS.maxBodyBytes, ...eventsSchema }, async (req) => {
    const p = req.principal!;
    requireRole(p, 'ingest');
    const body = req.body;
    const raws: unknown[] = body instanceof NdjsonBody ? body.items : Array.isArray(body) ? body : [body];
    return ingestWithinReach(app.ctx, app.ctx.clock(), validateBatch, {
      grants: p.orgs,
      types: p.types,
      raws,
      orgNoun: 'org(s)',
    });
  });
}
