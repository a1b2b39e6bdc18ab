/**
 * Capgo statistics (CONTRACT 3.4): app, org and user usage rows and per-bundle
 * shares, served under /statistics. See docs/compat/capgo.md.
 */
import type { Surface } from '../../http/app.js';
import { capgoRoutes } from './routes.js';

/** The Capgo surface, for `createApp(opts, [capgoSurface])`. */
export const capgoSurface: Surface = capgoRoutes;
