/**
 * VIKTOR environment activity (`GET /api/statistics/`), CONTRACT section 3.1; see docs/compat/viktor.md.
 */
import type { Surface } from '../../http/app.js';
import { viktorRoutes } from './routes.js';

/** The VIKTOR compatibility surface, for createApp's `surfaces`. */
export const viktorSurface: Surface = (app) => {
  viktorRoutes(app);
};
