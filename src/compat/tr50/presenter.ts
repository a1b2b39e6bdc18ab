/**
 * The TR50 presenter, pure: the neutral query result -> the `usage.api.history` answer
 * `{counters, total, ts}`, and the envelope's success answer. Services are folded
 * here from the engine's (dims.service, dims.command) groups.
 */
import type { Series } from '../../core/query/result.js';
import { enumerateBuckets, formatLocalIso, type Bucket } from '../../core/time/index.js';
import type { HistoryDimension, HistorySeries } from './params.js';

/** The `params` of a successful `usage.api.history`. */
export interface HistoryAnswer {
  /** Service (or org) -> one count per `ts` entry. */
  counters: Record<string, number[]>;
  /** The sum of every value of every counter. */
  total: number;
  /** Bucket starts, local in the org's timezone with each instant's own offset. */
  ts: string[];
}

/** A successful command's answer. */
export interface Tr50Success<P> {
  success: true;
  params: P;
}

/** `{"success": true, "params": ...}`. */
export function success<P>(params: P): Tr50Success<P> {
  return { success: true, params };
}

/**
 * The buckets of the answer: from the one holding `from` up to `to` (exclusive), in `tz`'s
 * calendar. Throws the core's `too_many_buckets` ValidationError past 5000.
 */
export function historyTimeline(
  range: { from: number; to: number },
  tz: string,
  series: HistorySeries,
): Bucket[] {
  return enumerateBuckets({ unit: series, tz, weekStart: 1 }, range.from, range.to);
}

/**
 * The service an event group counts for: `dims.service`; else the part of `dims.command`
 * before its first dot; else `unknown`. An empty value counts as absent.
 *
 * @example serviceOf({ 'dims.service': null, 'dims.command': 'thing.find' }) // 'thing'
 */
export function serviceOf(group: Record<string, string | null>): string {
  const service = group['dims.service'] ?? null;
  if (service !== null && service !== '') return service;
  const command = group['dims.command'] ?? null;
  const head = command === null ? '' : (command.split('.', 1)[0] ?? '');
  return head === '' ? 'unknown' : head;
}

/**
 * Build `{counters, total, ts}`: each series' points added into its counter (service or
 * org) at the index of its bucket, so arrays are aligned with `ts` and zero-filled; keys
 * sorted; only keys with events in the range appear.
 */
export function presentHistory(
  timeline: Bucket[],
  tz: string,
  series: Series[],
  dimension: HistoryDimension,
): HistoryAnswer {
  const index = new Map(timeline.map((b, i) => [b.start, i]));
  const sums = new Map<string, number[]>();
  let total = 0;
  for (const s of series) {
    const key = dimension === 'org' ? (s.group['org'] ?? 'unknown') : serviceOf(s.group);
    let counter = sums.get(key);
    for (const point of s.points) {
      const i = index.get(point.start);
      const value = point.value ?? 0;
      if (i === undefined || value === 0) continue;
      counter ??= new Array<number>(timeline.length).fill(0);
      counter[i] = (counter[i] ?? 0) + value;
      total += value;
    }
    if (counter !== undefined) sums.set(key, counter);
  }
  const counters: Record<string, number[]> = {};
  for (const key of [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    counters[key] = sums.get(key)!;
  return { counters, total, ts: timeline.map((b) => formatLocalIso(tz, b.start)) };
}
