/**
 * The FileSpin compatibility surface (CONTRACT 3.2, docs/compat/filespin.md):
 * time-series stats per UTC day for api, addons, transcodes, storage and cdn.
 */
import type { Surface } from '../../http/app.js';
import { filespinRoutes } from './routes.js';

/** Register with `createApp(opts, [filespinSurface])`; it runs in its own encapsulated scope. */
export const filespinSurface: Surface = (app) => {
  filespinRoutes(app);
};
