/**
 * Retention periods: how long raw events of an org are kept. An org may set a
 * number of days, or "forever", or nothing; nothing inherits from the nearest
 * ancestor that sets something, and a root with nothing falls back to the
 * server default (TALLY_RETENTION_DAYS; unset = keep forever). Pure: works on
 * the org tree and the settings a store returns.
 */
import { ValidationError } from './errors.js';
import type { OrgTree } from './orgs.js';
import { DAY_MS } from './time/units.js';

/** The longest period one can set: about 274 years, far past any data. */
export const MAX_RETENTION_DAYS = 100_000;

/**
 * A stored setting: a number of days (1..MAX_RETENTION_DAYS), or 0 for an
 * explicit "forever" (which stops inheritance, unlike no setting at all).
 */
export interface RetentionSetting {
  org: string;
  days: number;
}

/** Where an org's effective period comes from. */
export type RetentionSource = 'org' | 'ancestor' | 'server' | 'none';

export interface EffectiveRetention {
  /** Days kept, or null for forever. */
  days: number | null;
  source: RetentionSource;
  /** The org whose setting applies (itself or an ancestor), or null for the server default or none. */
  from: string | null;
}

/**
 * The period that applies to `org`: its own setting, else its nearest
 * ancestor's, else the server default.
 *
 * @example
 * // acme sets 30; acme-eu (child of acme) sets nothing:
 * effectiveRetention(tree, new Map([['acme', 30]]), 'acme-eu', null) // { days: 30, source: 'ancestor', from: 'acme' }
 */
export function effectiveRetention(
  tree: OrgTree,
  settings: ReadonlyMap<string, number>,
  org: string,
  serverDays: number | null,
): EffectiveRetention {
  for (const id of [org, ...tree.ancestors(org)]) {
    const days = settings.get(id);
    if (days === undefined) continue;
    return { days: days === 0 ? null : days, source: id === org ? 'org' : 'ancestor', from: id };
  }
  return serverDays === null
    ? { days: null, source: 'none', from: null }
    : { days: serverDays, source: 'server', from: null };
}

/** The first instant kept by a period of `days` at `now`: events strictly before it expire. */
export function retentionCutoff(nowMs: number, days: number): number {
  return nowMs - days * DAY_MS;
}

export interface RetentionTarget {
  org: string;
  days: number;
  /** Events with ts < before are deleted. */
  before: number;
}

/**
 * What a retention run deletes: for every org of `orgs` with a finite
 * effective period, the cutoff at `now`. Orgs kept forever are left out.
 */
export function retentionPlan(
  tree: OrgTree,
  settings: readonly RetentionSetting[],
  orgs: readonly string[],
  serverDays: number | null,
  nowMs: number,
): RetentionTarget[] {
  const byOrg = new Map(settings.map((s) => [s.org, s.days]));
  const out: RetentionTarget[] = [];
  for (const org of orgs) {
    const { days } = effectiveRetention(tree, byOrg, org, serverDays);
    if (days !== null) out.push({ org, days, before: retentionCutoff(nowMs, days) });
  }
  return out.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
}

/**
 * TALLY_RETENTION_DAYS: a whole number of days (1..100000), or unset, empty,
 * `0`, `none` or `forever` for no default (keep forever).
 */
export function parseRetentionDays(raw: string | undefined): number | null {
  const text = (raw ?? '').trim().toLowerCase();
  if (text === '' || text === '0' || text === 'none' || text === 'forever') return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_RETENTION_DAYS)
    throw ValidationError.param(
      'TALLY_RETENTION_DAYS',
      `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or forever`,
    );
  return n;
}
