/**
 * The FileSpin-shaped part of the demo: a media library's add-on runs, video
 * transcodes, CDN bandwidth per download, and a nightly storage reading per kind
 * of asset (a gauge that grows as the library does).
 */
import type { ActorPatch } from '../core/model.js';
import { personName } from './orgs.js';
import type { Rng } from './random.js';
import { at, OFFICE, secondOfDay, type Day, type Emitter } from './timeline.js';

const GB = 1024 ** 3;

/** One usergroup's library. */
export interface LibrarySpec {
  org: string;
  days: readonly Day[];
  prefix: string;
  users: number;
  /** Scales every daily volume. */
  scale: number;
  /** Bytes stored per kind on the first day, and the mean daily growth. */
  storage: Record<string, { start: number; perDay: number }>;
}

const ADDONS: readonly (readonly [string, number])[] = [
  ['REMOVE_BACKGROUND', 5],
  ['AUTO_TAG', 4],
  ['OCR', 2],
  ['FACE_DETECT', 1],
];

/** Emit a library's users (returned) and its add-on, transcode, bandwidth and storage events. */
export function emitLibrary(rng: Rng, em: Emitter, spec: LibrarySpec): ActorPatch[] {
  const actors: ActorPatch[] = Array.from({ length: spec.users }, (_, n) => ({
    org: spec.org,
    id: `${spec.prefix}-u${String(n + 1).padStart(2, '0')}`,
    kind: 'user',
    ...personName(rng),
  }));
  const ids = actors.map((a) => a.id);
  const level = new Map(Object.entries(spec.storage).map(([k, v]) => [k, v.start]));
  for (const day of spec.days) {
    const busy = (day.weekday === 0 || day.weekday === 6 ? 0.3 : 1) * day.growth * spec.scale;
    for (let i = rng.poisson(22 * busy); i > 0; i--) {
      em.emit(spec.org, 'addon.run', at(day, secondOfDay(rng, OFFICE)), {
        actor: rng.pick(ids),
        dims: { addon: rng.weighted(ADDONS) },
      });
    }
    for (let i = rng.poisson(12 * busy); i > 0; i--) {
      em.emit(spec.org, 'transcode', at(day, secondOfDay(rng, OFFICE)), {
        actor: rng.pick(ids),
        dims: {
          format: rng.weighted([
            ['mp4', 5],
            ['webm', 2],
            ['hls', 3],
          ] as const),
        },
      });
    }
    // Downloads through the CDN: a few large videos among many images.
    for (let i = rng.poisson(55 * busy); i > 0; i--) {
      const video = rng.chance(0.12);
      em.emit(spec.org, 'bandwidth', at(day, secondOfDay(rng, OFFICE)), {
        actor: rng.pick(ids),
        value: Math.round(video ? rng.logNormal(180e6, 0.6) : rng.logNormal(1.8e6, 0.8)),
        dims: { kind: video ? 'VIDEO' : 'ASSET' },
      });
    }
    // A nightly reading per kind; an occasional clean-up shrinks a kind.
    for (const [kind, { perDay }] of Object.entries(spec.storage)) {
      const cleanup = rng.chance(0.04) ? -perDay * rng.int(5, 15) : 0;
      const next = Math.max(0.1 * GB, level.get(kind)! + perDay * (0.3 + 1.4 * rng.next()) + cleanup);
      level.set(kind, next);
      em.emit(spec.org, 'storage', at(day, 23 * 3600 + 30 * 60 + rng.int(0, 600)), {
        value: Math.round(next),
        dims: { kind },
      });
    }
  }
  return actors;
}

/** GB in bytes, for the storage figures of a spec. */
export const GIGABYTE = GB;
