/**
 * The dashboard's panels, in page order (docs/dashboard.md lists the query
 * behind each): every figure comes from the public API, as any client would ask it.
 */
import { explorer, latest } from './explorer.js';
import { heatmap, topEndpoints } from './grid-panels.js';
import type { PanelDef } from './scope.js';
import { activeUsers, apiByService, trafficAndStorage, versionAdoption } from './time-panels.js';

export { describeError, disposeCharts, run, type PanelDef, type Scope } from './scope.js';

/** Every panel, in page order. */
export function createPanels(): PanelDef[] {
  return [
    explorer(),
    activeUsers(),
    apiByService(),
    trafficAndStorage(),
    versionAdoption(),
    heatmap(),
    topEndpoints(),
    latest(),
  ];
}
