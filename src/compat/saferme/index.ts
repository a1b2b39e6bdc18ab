/**
 * SaferMe analytics v4: reports analytics on a channel, served at
 * `GET /api/v4/analytics/{report}`. See docs/compat/saferme.md.
 */
import type { FastifyInstance } from 'fastify';
import type { Surface } from '../../http/surface.js';
import { safermeErrorHandler, safermeRoutes, type SafermeOptions } from './routes.js';

/** The surface with its own options (e.g. a small row bound in tests). */
export function createSafermeSurface(opts: SafermeOptions = {}): Surface {
  return {
    name: 'saferme',
    prefixes: ['/api/v4/analytics'],
    routes: (app: FastifyInstance) => {
      safermeRoutes(app, opts);
    },
    errorHandler: safermeErrorHandler,
  };
}

/** The SaferMe analytics surface, for `createApp(..., [safermeSurface])`. */
export const safermeSurface: Surface = createSafermeSurface();
