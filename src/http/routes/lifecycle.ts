/**
 * The data-lifecycle routes (docs/lifecycle.md), all for admin keys and within
 * the key's reach: retention (lifecycle-retention.ts), erasure, correction and
 * the audit log (lifecycle-erase.ts), export and backup (lifecycle-export.ts).
 * Shared pieces are in lifecycle-common.ts.
 */
import type { FastifyInstance } from 'fastify';
import { eraseRoutes } from './lifecycle-erase.js';
import { exportRoutes } from './lifecycle-export.js';
import { retentionRoutes } from './lifecycle-retention.js';

/** Registers every lifecycle route on the authenticated /v1 scope. */
export function lifecycleRoutes(app: FastifyInstance): void {
  retentionRoutes(app);
  eraseRoutes(app);
  exportRoutes(app);
}
