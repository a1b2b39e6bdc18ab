/**
 * The demo's calendar and event sink: the last N local days of an org up to
 * "now", daily growth and weekday factors, hour-of-day profiles, and an emitter
 * that numbers events deterministically and drops anything at or after "now".
 */
import { fromLocal, toLocal } from '../core/time/index.js';
import type { Rng } from './random.js';
import { DAY_MS } from '../core/time/units.js';

/** One event as a client would send it to POST /v1/events (time in Unix seconds). */
export interface DemoEvent {
  id: string;
  type: string;
  time: number;
  org: string;
  actor?: string;
  value?: number;
  dims?: Record<string, string | number | boolean>;
}

/** One local day of an org's calendar. */
export interface Day {
  /** 0 for the oldest day of the demo, days - 1 for today. */
  index: number;
  /** The instant of local midnight (epoch ms). */
  startMs: number;
  /** 0 = Sunday ... 6 = Saturday, of the local date. */
  weekday: number;
  /** A slow upward trend, 0.8 on the first day to 1.2 today, for a growing product. */
  growth: number;
}

/** The last `days` local days of `tz` up to and including the day holding `nowMs`. */
export function localDays(tz: string, nowMs: number, days: number): Day[] {
  const today = Math.floor(toLocal(tz, nowMs) / DAY_MS) * DAY_MS;
  const out: Day[] = [];
  for (let k = 0; k < days; k++) {
    const local = today - (days - 1 - k) * DAY_MS;
    out.push({
      index: k,
      startMs: fromLocal(tz, local),
      weekday: new Date(local).getUTCDay(),
      growth: 0.8 + (0.4 * k) / Math.max(1, days - 1),
    });
  }
  return out;
}

/** Relative weight of each local hour 0-23. */
export type HourProfile = readonly number[];

/** Office hours, with a dip at lunch. */
export const OFFICE: HourProfile = [
  0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.5, 4, 8, 10, 10, 9, 6, 8, 9.5, 9, 8, 6, 3.5, 2.5, 2, 1.5, 1, 0.6,
];
/** Machines reporting around the clock, a little busier on the day shift. */
export const ROUND_THE_CLOCK: HourProfile = [
  3, 3, 3, 3, 3, 3.5, 4.5, 5.5, 6, 6, 6, 6, 6, 6, 6, 6, 5.5, 5, 4.5, 4, 3.5, 3.5, 3, 3,
];
/** Phones: commutes, lunch and the evening. */
export const MOBILE: HourProfile = [
  1.5, 0.8, 0.4, 0.3, 0.3, 0.6, 2, 5, 7, 5, 4, 4.5, 6.5, 5, 4, 4, 4.5, 6, 7.5, 8, 8.5, 7.5, 5, 3,
];

/** A random second of the local day, following `profile`. */
export function secondOfDay(rng: Rng, profile: HourProfile): number {
  let total = 0;
  for (const w of profile) total += w;
  let r = rng.next() * total;
  let hour = 23;
  for (let h = 0; h < 24; h++) {
    r -= profile[h]!;
    if (r < 0) {
      hour = h;
      break;
    }
  }
  return hour * 3600 + rng.int(0, 3599);
}

/**
 * The instant `second` seconds after local midnight of `day`. Offsets are taken at
 * midnight, so on the two DST days a year later times move by an hour: harmless here.
 */
export function at(day: Day, second: number): number {
  return day.startMs + second * 1000;
}

/** Collects events with ids d-1, d-2, ... and drops any at or after `nowMs`. */
export class Emitter {
  readonly events: DemoEvent[] = [];
  private seq = 0;

  constructor(private readonly nowMs: number) {}

  /** Add an event at `ms` (epoch ms); false (and nothing added) when that is not in the past. */
  emit(
    org: string,
    type: string,
    ms: number,
    more: { actor?: string; value?: number; dims?: Record<string, string | number | boolean> } = {},
  ): boolean {
    if (ms >= this.nowMs) return false;
    this.seq++;
    this.events.push({ id: `d-${this.seq}`, type, time: ms / 1000, org, ...more });
    return true;
  }

  /** Whether `ms` is in the past (events at or after now are dropped). */
  isPast(ms: number): boolean {
    return ms < this.nowMs;
  }
}
