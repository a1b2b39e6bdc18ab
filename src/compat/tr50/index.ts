/**
 * The deviceWISE TR50 compatibility surface: `POST /api` with `api.authenticate` and
 * `usage.api.history` (docs/compat/tr50.md).
 */
import type { Surface } from '../../http/surface.js';
import { tr50ErrorHandler, tr50Routes } from './routes.js';

export const tr50Surface: Surface = {
  name: 'tr50',
  prefixes: [],
  paths: ['/api'],
  // Only POST /api is TR50 (docs/compat/tr50.md); GET /api and the like get the native 404.
  methods: ['POST'],
  routes: tr50Routes,
  errorHandler: tr50ErrorHandler,
};
