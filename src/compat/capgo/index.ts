/**
 * Capgo statistics: app, org and user usage rows and per-bundle
 * shares, served under /statistics. See docs/compat/capgo.md.
 */
import type { Surface } from '../../http/surface.js';
import { capgoErrorHandler } from './errors.js';
import { capgoRoutes } from './routes.js';

export const capgoSurface: Surface = {
  name: 'capgo',
  prefixes: ['/statistics'],
  routes: capgoRoutes,
  errorHandler: capgoErrorHandler,
};
