/**
 * VIKTOR environment activity (`GET /api/statistics/`); see docs/compat/viktor.md.
 */
import type { Surface } from '../../http/surface.js';
import { viktorErrorHandler, viktorRoutes } from './routes.js';

export const viktorSurface: Surface = {
  name: 'viktor',
  prefixes: ['/api/statistics'],
  routes: viktorRoutes,
  errorHandler: viktorErrorHandler,
};
