/**
 * The Capgo-shaped part of the demo: mobile apps whose devices report `activity`
 * with the bundle version they run. New versions roll out over days (devices
 * update after a random delay, a few lag far behind), each download is
 * `bandwidth`, and each app's stored bundles are a nightly `storage` gauge.
 */
import type { ActorPatch } from '../core/model.js';
import type { Rng } from './random.js';
import { at, MOBILE, secondOfDay, type Day, type Emitter } from './timeline.js';

const MB = 1024 * 1024;

/** One app, its devices and its releases. */
export interface AppSpec {
  org: string;
  days: readonly Day[];
  app: string;
  devices: number;
  /** Bundle size in bytes. */
  bundle: number;
  /** [version, day index of the release]; the first comes out before the demo starts (a negative day). */
  releases: readonly (readonly [string, number])[];
  /** Device ids are `<prefix>-<n>`, unique per org. */
  prefix: string;
}

/** Emit an app's devices (returned, kind `device`) and their events (into `em`). */
export function emitApp(rng: Rng, em: Emitter, spec: AppSpec): ActorPatch[] {
  const { org, app, days } = spec;
  const devices: ActorPatch[] = [];
  for (let n = 0; n < spec.devices; n++) {
    const id = `${spec.prefix}-${(0x10000 + n * 7919).toString(16)}`;
    devices.push({ org, id, kind: 'device', props: { platform: rng.chance(0.6) ? 'android' : 'ios' } });
    // 55 % were installed before the demo; the rest install during it.
    const joined = rng.chance(0.55) ? 0 : rng.int(1, days.length - 1);
    const engagement = 0.15 + 0.55 * rng.next();
    const laggard = rng.chance(0.12);
    // The day this device moves to each release (the first it already runs, or gets on install).
    const updates = spec.releases.map(([version, released], r) => {
      if (r === 0) return { version, day: joined };
      const delay = Math.ceil(rng.exponential(laggard ? 25 : 3.5));
      return { version, day: Math.max(joined, released + delay) };
    });
    let current = -1;
    for (const day of days.slice(joined)) {
      let moved = false;
      while (current + 1 < updates.length && updates[current + 1]!.day <= day.index) {
        current++;
        moved = true;
      }
      if (current < 0) continue;
      const version = updates[current]!.version;
      if (!(moved || rng.chance(engagement))) continue;
      const t = at(day, secondOfDay(rng, MOBILE));
      if (moved) {
        em.emit(org, 'bandwidth', t, {
          actor: id,
          value: Math.round(spec.bundle * (0.95 + 0.1 * rng.next())),
          dims: { app, version },
        });
      }
      for (let k = rng.int(1, 2); k > 0; k--) {
        em.emit(org, 'activity', t + k * rng.int(30, 900) * 1000, { actor: id, dims: { app, version } });
      }
    }
  }
  // Stored bundles: each release adds one; bundles older than 45 days are pruned.
  for (const day of days) {
    const live = spec.releases.filter(
      ([, released], r) =>
        released <= day.index && (day.index - released < 45 || isLatest(spec, r, day.index)),
    );
    em.emit(org, 'storage', at(day, 3 * 3600 + rng.int(0, 900)), {
      value: live.length * spec.bundle + Math.round(2 * MB * rng.next()),
      dims: { app },
    });
  }
  return devices;
}

function isLatest(spec: AppSpec, r: number, day: number): boolean {
  const next = spec.releases[r + 1];
  return next === undefined || next[1] > day;
}

/** MB in bytes, for bundle sizes. */
export const MEGABYTE = MB;
