/**
 * The VIKTOR-shaped part of the demo: users and developers (some joining during
 * the period, a few leaving) working in standard, development and public
 * workspaces, as `activity` events with `dims.workspace` and `dims.workspace_type`.
 */
import type { ActorPatch } from '../core/model.js';
import { personName } from './orgs.js';
import type { Rng } from './random.js';
import { at, OFFICE, secondOfDay, type Day, type Emitter } from './timeline.js';
import { DAY_MS } from '../core/time/units.js';

interface Workspace {
  id: string;
  type: 'standard' | 'development' | 'public';
}

/** One org's people and workspaces. */
export interface TeamSpec {
  org: string;
  days: readonly Day[];
  /** Actor id prefix, unique per org. */
  prefix: string;
  users: number;
  developers: number;
  /** Workspace ids are `ws-<firstWorkspace + k>`. */
  firstWorkspace: number;
  workspaces: number;
}

/** Emit a team's actors (returned) and activity (into `em`). */
export function emitTeam(rng: Rng, em: Emitter, spec: TeamSpec): ActorPatch[] {
  const spaces: Workspace[] = Array.from({ length: spec.workspaces }, (_, k) => ({
    id: `ws-${spec.firstWorkspace + k}`,
    type: k === 1 ? 'development' : k === spec.workspaces - 1 ? 'public' : 'standard',
  }));
  const first = spec.days[0]!.startMs;
  const last = spec.days[spec.days.length - 1]!.startMs;
  const actors: ActorPatch[] = [];
  const total = spec.users + spec.developers;
  for (let n = 0; n < total; n++) {
    const kind = n < spec.users ? 'user' : 'developer';
    // Most were there before the demo starts; a third join during it, so the headcount grows.
    const created = rng.chance(0.68)
      ? first - rng.int(1, 400) * DAY_MS
      : first + rng.next() * (last - first + DAY_MS);
    const deleted = rng.chance(0.05) ? created + (0.2 + 0.8 * rng.next()) * (last + DAY_MS - created) : null;
    const id = `${spec.prefix}-${kind === 'user' ? 'u' : 'd'}${String(n + 1).padStart(3, '0')}`;
    actors.push({
      org: spec.org,
      id,
      kind,
      created_at: Math.floor(created),
      deleted_at: deleted === null ? null : Math.floor(deleted),
      ...personName(rng),
      props: { team: rng.pick(['structures', 'geotech', 'bim', 'infra']) },
    });
    // Each person favours two or three workspaces; developers mostly their development one.
    const mine =
      kind === 'developer'
        ? [spaces[1]!, spaces[1]!, rng.pick(spaces)]
        : [rng.pick(spaces), rng.pick(spaces), spaces[0]!];
    const engagement = 0.2 + 0.6 * rng.next();
    for (const day of spec.days) {
      const weekend = day.weekday === 0 || day.weekday === 6;
      if (day.startMs + DAY_MS <= created || (deleted !== null && day.startMs >= deleted)) continue;
      if (!rng.chance(engagement * (weekend ? 0.12 : 1))) continue;
      const sessions = rng.int(1, 3);
      for (let s = 0; s < sessions; s++) {
        const ms = at(day, secondOfDay(rng, OFFICE));
        if (ms < created || (deleted !== null && ms >= deleted)) continue;
        const ws = rng.pick(mine);
        em.emit(spec.org, 'activity', ms, {
          actor: id,
          dims: { workspace: ws.id, workspace_type: ws.type },
        });
      }
    }
  }
  return actors;
}
