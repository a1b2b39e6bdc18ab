/**
 * The OpenAPI description of `POST /api/v1/events` (documentation only: the
 * route checks its input itself, see map.ts, so that faults come back as
 * problem+json with CloudEvents paths).
 */
import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';

/** A CloudEvent as OpenMeter takes it, with what Tally does with each field. */
export const CloudEvent = Type.Object(
  {
    specversion: Type.Optional(Type.Literal('1.0')),
    id: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The idempotency key, unique per subject.',
    }),
    source: Type.Optional(Type.String({ description: 'Accepted and not stored.' })),
    type: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: 'The event type.',
    }),
    subject: Type.String({ minLength: 1, maxLength: 200, description: 'The org.' }),
    time: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description: 'RFC 3339; the time of receipt when absent.',
      }),
    ),
    datacontenttype: Type.Optional(Type.Union([Type.Literal('application/json'), Type.Null()])),
    data: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
        description:
          'A numeric `value` is the event value (default 1); every other field is a dim, nested objects as dotted keys.',
      }),
    ),
  },
  { description: 'A CloudEvent (structured mode, JSON).' },
);

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  extensions: Type.Optional(
    Type.Object({
      validationErrors: Type.Array(
        Type.Object({ index: Type.Optional(Type.Integer()), path: Type.String(), message: Type.String() }),
      ),
    }),
  ),
});

const problem = (description: string): object => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

export const CloudEventsSchema: FastifySchema = {
  summary: 'Ingest CloudEvents (OpenMeter-compatible)',
  description:
    'One event or a batch; the batch is atomic. 204 once durable, with x-tally-accepted and x-tally-duplicates. See docs/cloudevents.md.',
  body: {
    content: {
      'application/cloudevents+json': { schema: CloudEvent },
      'application/cloudevents-batch+json': { schema: Type.Array(CloudEvent, { maxItems: 10_000 }) },
      'application/json': {
        schema: Type.Union([CloudEvent, Type.Array(CloudEvent, { maxItems: 10_000 })]),
      },
    },
  },
  response: {
    204: {
      type: 'null',
      description: 'Stored (or stored before: a duplicate counts once).',
      headers: {
        'x-tally-accepted': { type: 'integer', description: 'Events newly stored.' },
        'x-tally-duplicates': { type: 'integer', description: 'Events that were stored before.' },
      },
    },
    400: problem('An invalid event (nothing was stored) or body.'),
    401: problem('No key, or an unknown, revoked or expired one.'),
    403: problem('The key cannot ingest, or does not cover a subject.'),
    413: problem('More than 10,000 events or 10 MiB.'),
    415: problem('Another content type.'),
  },
};
