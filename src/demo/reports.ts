/**
 * The SaferMe-shaped part of the demo: staff file safety reports that move
 * through states (Open, In progress, Resolved, Closed), carry a hazard type and
 * a severity, get photos, are read by colleagues, and raise alerts that people open.
 */
import type { ActorPatch } from '../core/model.js';
import { personName } from './orgs.js';
import type { Rng } from './random.js';
import { at, OFFICE, secondOfDay, type Day, type Emitter } from './timeline.js';
import { HOUR_MS } from '../core/time/units.js';

/** One channel's staff and report volume. */
export interface ChannelSpec {
  org: string;
  days: readonly Day[];
  /** Staff ids are numeric: `firstStaff`, `firstStaff + 1`, ... */
  firstStaff: number;
  staff: number;
  /** Mean reports per weekday. */
  perDay: number;
  /** Report, image and alert ids start here (numbers, unique across channels). */
  firstId: number;
}

const STATES = {
  open: [1, 'Open'],
  progress: [2, 'In progress'],
  resolved: [3, 'Resolved'],
  closed: [4, 'Closed'],
} as const;
/** Field 11, "Hazard type", and field 12, "Severity": [value, name, weight]. */
const HAZARD = [
  ['f_11_1', 'Slip or trip', 5],
  ['f_11_2', 'Chemical spill', 2],
  ['f_11_3', 'Vehicle', 3],
  ['f_11_4', 'Electrical', 2],
  ['f_11_5', 'Other', 1.5],
] as const;
const SEVERITY = [
  ['f_12_1', 'Low', 5],
  ['f_12_2', 'Medium', 4],
  ['f_12_3', 'High', 2],
  ['f_12_4', 'Critical', 0.6],
] as const;

/** Emit a channel's staff (returned) and every report event (into `em`). */
export function emitChannel(rng: Rng, em: Emitter, spec: ChannelSpec): ActorPatch[] {
  const staff: ActorPatch[] = Array.from({ length: spec.staff }, (_, n) => ({
    org: spec.org,
    id: String(spec.firstStaff + n),
    kind: 'user',
    ...personName(rng),
  }));
  const ids = staff.map((s) => s.id);
  let next = spec.firstId;
  const org = spec.org;
  for (const day of spec.days) {
    const weekend = day.weekday === 0 || day.weekday === 6;
    for (let i = rng.poisson(spec.perDay * day.growth * (weekend ? 0.35 : 1)); i > 0; i--) {
      const report = next++;
      const t0 = at(day, secondOfDay(rng, OFFICE));
      if (!em.isPast(t0)) continue;
      const state = (s: readonly [number, string]) => ({ report, state: s[0], state_name: s[1] });
      em.emit(org, 'report.created', t0, { actor: rng.pick(ids), dims: state(STATES.open) });
      const hazard = rng.weighted(HAZARD.map((h) => [h, h[2]] as const));
      const severity = rng.weighted(SEVERITY.map((s) => [s, s[2]] as const));
      const select = (t: number, field: number, v: readonly [string, string, number]) =>
        em.emit(org, 'report.field_selected', t, { dims: { report, field, value: v[0], name: v[1] } });
      select(t0 + 5_000, 11, hazard);
      select(t0 + 6_000, 12, severity);
      // Workflow: most reports are picked up, most of those resolved, half of those closed.
      let t = t0;
      if (rng.chance(0.85)) {
        t += rng.exponential(10 * HOUR_MS) + HOUR_MS / 2;
        em.emit(org, 'report.state_changed', t, { dims: state(STATES.progress) });
        if (rng.chance(0.8)) {
          t += rng.exponential(30 * HOUR_MS) + HOUR_MS;
          em.emit(org, 'report.state_changed', t, { dims: state(STATES.resolved) });
          if (rng.chance(0.5)) {
            t += rng.exponential(60 * HOUR_MS) + HOUR_MS;
            em.emit(org, 'report.state_changed', t, { dims: state(STATES.closed) });
          }
        }
      }
      if (rng.chance(0.1)) select(t0 + rng.exponential(20 * HOUR_MS), 12, rng.pick(SEVERITY));
      if (rng.chance(0.45)) {
        for (let k = rng.int(1, 3); k > 0; k--) {
          const image = next++;
          const base = `https://img.${org}.riverside.example/reports/${report}/${image}`;
          em.emit(org, 'report.image_added', t0 + rng.int(10, 900) * 1000, {
            dims: { report, image, thumb: `${base}/thumb.jpg`, medium: `${base}/medium.jpg` },
          });
        }
      }
      for (let k = rng.poisson(3.2) + 1; k > 0; k--) {
        em.emit(org, 'report.read', t0 + rng.exponential(18 * HOUR_MS), {
          actor: rng.pick(ids),
          dims: { report },
        });
      }
      // Serious reports alert part of the team; most open the alert within hours.
      if (severity[0] === 'f_12_3' || severity[0] === 'f_12_4') {
        for (let a = rng.chance(0.25) ? 2 : 1; a > 0; a--) {
          const alert = next++;
          const sent = t0 + rng.int(60, 1800) * 1000 + (a - 1) * 6 * HOUR_MS;
          const recipients = new Set(Array.from({ length: rng.int(4, 10) }, () => rng.pick(ids)));
          for (const actor of recipients) {
            em.emit(org, 'alert.sent', sent, { actor, dims: { alert, report } });
            if (rng.chance(0.65)) {
              em.emit(org, 'alert.opened', sent + rng.exponential(2 * HOUR_MS), { actor, dims: { alert } });
            }
          }
        }
      }
    }
  }
  return staff;
}
