/**
 * The FileSpin compatibility surface (CONTRACT 3.2, docs/compat/filespin.md):
 * time-series stats per UTC day for api, addons, transcodes, storage and cdn.
 */
import type { Surface } from '../../http/app.js';
import { filespinErrorHandler, filespinRoutes } from './routes.js';

export const filespinSurface: Surface = {
  name: 'filespin',
  prefixes: ['/api/v1/stats/timeseries'],
  routes: filespinRoutes,
  errorHandler: filespinErrorHandler,
};
