/**
 * GET /healthz. Ok while the server accepts requests, except once the store has reported
 * a corrupt file (a DuckDB checksum failure): then 503 with the reason, for good, because
 * such a file does not heal by itself; the operator restores it from a backup
 * (docs/reliability.md, "Corrupt file"). Before, /healthz said ok while every read failed.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { jsonResponse } from './doc-schemas.js';

/** DuckDB's words for a block whose checksum does not match (and a file it cannot read as a database). */
const CORRUPT = /Corrupt database file|checksum/i;

/** What the store has shown of its file's health; fed every store error (metrics.ts timedStore). */
export class StoreHealth {
  private reason: string | null = null;

  /** Note a store error; a corruption in its cause chain makes the server unhealthy. */
  note(err: unknown): void {
    if (this.reason !== null) return;
    for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
      if (CORRUPT.test(e.message)) {
        // Quoted paths stay out of an unauthenticated answer.
        this.reason = `The store's file is corrupt: ${e.message.replace(/"[^"]*"/g, '"..."')}. Restore it from a backup (docs/reliability.md).`;
        return;
      }
    }
  }

  get corrupt(): string | null {
    return this.reason;
  }
}

const HEALTHZ_SCHEMA = {
  summary: 'Liveness',
  response: {
    200: jsonResponse('The server accepts requests.', Type.Object({ status: Type.Literal('ok') })),
    503: jsonResponse(
      'The store reported a corrupt file; restore it from a backup.',
      Type.Object({ status: Type.Literal('unhealthy'), reason: Type.String() }),
    ),
  },
};

export function registerHealthz(app: FastifyInstance, health: StoreHealth): void {
  app.get('/healthz', { schema: HEALTHZ_SCHEMA }, async (_req, reply) => {
    const reason = health.corrupt;
    if (reason === null) return { status: 'ok' as const };
    return reply.code(503).send({ status: 'unhealthy' as const, reason });
  });
}
