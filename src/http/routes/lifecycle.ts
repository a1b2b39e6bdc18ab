/**
 * The data-lifecycle routes (docs/lifecycle.md), all for admin keys and within
 * the key's reach: retention (retention.ts), erasure, correction and
 * the audit log (erase.ts), export and backup (export.ts).
 * Shared pieces are in audit-view.ts.
 */
import type { FastifyInstance } from 'fastify';
import { eraseRoutes } from './erase.js';
import { exportRoutes } from './export.js';
import { retentionRoutes } from './retention.js';

/** Registers every lifecycle route on the authenticated /v1 scope. */
export function lifecycleRoutes(app: FastifyInstance): void {
  retentionRoutes(app);
  eraseRoutes(app);
  exportRoutes(app);
}
