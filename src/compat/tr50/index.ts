/**
 * The deviceWISE TR50 compatibility surface: `POST /api` with `api.authenticate` and
 * `usage.api.history` (docs/compat/tr50.md).
 */
import type { Surface } from '../../http/app.js';
import { tr50Routes } from './routes.js';

/** Registers TR50's `POST /api` in its own scope (own body parser and error handler). */
export const tr50Surface: Surface = (app) => {
  tr50Routes(app);
};
