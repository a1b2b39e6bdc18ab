/**
 * VIKTOR environment activity (`GET /api/statistics/`), CONTRACT section 3.1; see docs/compat/viktor.md.
 */
import type { Surface } from '../../http/app.js';
import { viktorErrorHandler, viktorRoutes } from './routes.js';

export const viktorSurface: Surface = {
  name: 'viktor',
  prefixes: ['/api/statistics'],
  routes: viktorRoutes,
  errorHandler: viktorErrorHandler,
};
