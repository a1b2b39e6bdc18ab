/**
 * The FileSpin compatibility surface (docs/compat/filespin.md):
 * time-series stats per UTC day for api, addons, transcodes, storage and cdn.
 */
import type { Surface } from '../../http/surface.js';
import { filespinErrorHandler, filespinRoutes } from './routes.js';

export const filespinSurface: Surface = {
  name: 'filespin',
  prefixes: ['/api/v1/stats/timeseries'],
  routes: filespinRoutes,
  errorHandler: filespinErrorHandler,
};
