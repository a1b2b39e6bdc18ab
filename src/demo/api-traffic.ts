/**
 * API traffic for the demo: `api.request` events per service and endpoint (what
 * FileSpin's `api` stats, TR50's usage history and the dashboard's service and
 * endpoint charts read), with office-hour or round-the-clock rhythms.
 */
import type { Rng } from './random.js';
import { at, secondOfDay, type Day, type Emitter, type HourProfile } from './timeline.js';

/** A service and its endpoints with their relative weights. */
export interface ServiceSpec {
  service: string;
  weight: number;
  /** [endpoint, weight]; for TR50 services the endpoint is the command, e.g. `property.publish`. */
  endpoints: readonly (readonly [string, number])[];
}

/** How much traffic an org sends and when. */
export interface TrafficSpec {
  org: string;
  days: readonly Day[];
  /** Mean requests per weekday at growth 1. */
  perDay: number;
  /** Weekend traffic as a share of a weekday's. */
  weekend: number;
  profile: HourProfile;
  services: readonly ServiceSpec[];
  /** Callers (actor ids); none for anonymous traffic. */
  actors: readonly string[];
  /** Also write `dims.command` (= the endpoint), as TR50 clients do. */
  commands?: boolean;
}

/** Emit a spec's `api.request` events; about 2.5 % fail with a 4xx or 5xx `dims.status`. */
export function emitApiTraffic(rng: Rng, em: Emitter, spec: TrafficSpec): void {
  const services = spec.services.map((s) => [s, s.weight] as const);
  for (const day of spec.days) {
    const weekend = day.weekday === 0 || day.weekday === 6;
    const mean = spec.perDay * day.growth * (weekend ? spec.weekend : 1) * (0.85 + 0.3 * rng.next());
    const n = rng.poisson(mean);
    for (let i = 0; i < n; i++) {
      const s = rng.weighted(services);
      const endpoint = rng.weighted(s.endpoints);
      const status = rng.weighted(STATUS);
      const dims: Record<string, string | number> = { service: s.service, endpoint, status };
      if (spec.commands) dims['command'] = endpoint;
      em.emit(spec.org, 'api.request', at(day, secondOfDay(rng, spec.profile)), {
        ...(spec.actors.length > 0 ? { actor: rng.pick(spec.actors) } : {}),
        dims,
      });
    }
  }
}

const STATUS: readonly (readonly [number, number])[] = [
  [200, 90],
  [201, 7.5],
  [400, 1],
  [404, 1],
  [429, 0.2],
  [500, 0.3],
];
