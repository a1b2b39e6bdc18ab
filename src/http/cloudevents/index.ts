/**
 * The CloudEvents surface: OpenMeter's `POST /api/v1/events`, so that a team
 * already sending usage to OpenMeter can point its client at Tally. Errors are
 * problem+json, as OpenMeter answers. See docs/cloudevents.md.
 */
import type { Surface } from '../surface.js';
import { problemErrorHandler } from './problem.js';
import { cloudEventsRoutes } from './routes.js';

export const cloudEventsSurface: Surface = {
  name: 'cloudevents',
  prefixes: ['/api/v1/events'],
  routes: cloudEventsRoutes,
  errorHandler: problemErrorHandler,
};
