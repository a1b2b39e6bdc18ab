/**
 * Firing alerts (docs/alerts.md). An acknowledged ingest notes which orgs it touched and
 * when its events happened; off the ingest path, every alert on those orgs (and every
 * `subtree` alert on an ancestor) is evaluated for each period the events fall into,
 * so a late event can fire a past period. A period's value is what /v1/query answers
 * with bucket = the period: the plan is the native query's (`planFor`, given by the
 * HTTP layer) run by the reader that holds plans to a reach. A threshold reached fires
 * once: its delivery (deterministic id) is the fired state, kept in the store.
 *
 * Without alerts the ingest hook is one Map size check. The alerts are remembered by
 * org and reloaded every refresh (another process may add some), and a sweep evaluates
 * every alert's current and previous period, so a crossing is not lost when the process
 * stops between an acknowledgement and its evaluation.
 */
import { deliveryId, periodOf, reached, type AlertRecord, type DeliveryRecord } from '../core/alerts.js';
import type { OrgTree } from '../core/orgs.js';
import type { Query } from '../core/query/plan.js';
import type { Bucket } from '../core/time/buckets.js';
import { bucketKey } from '../core/time/buckets.js';
import { formatLocalIso } from '../core/time/range.js';
import type { AlertStore } from '../store/ports/alerts.js';
import { openReader, type Reader, type ReadStore } from './read-within-reach.js';

/** The native plan of an alert over `orgs` for one period (bucket = the period). */
export type PlanFor = (
  alert: AlertRecord,
  orgs: string[],
  range: { from: number; to: number },
  tz: string,
) => Query;

/** Remembered fired ids at most; past this the memory is dropped and the store answers. */
const MAX_REMEMBERED = 100_000;

export interface WatchDeps {
  alerts: AlertStore;
  read: ReadStore;
  planFor: PlanFor;
  clock: () => number;
  /** Told when new deliveries are stored, so that they go out at once. */
  onFired: () => void;
  onError: (err: unknown) => void;
}

/** The org's time zone; an alert whose org is gone has none (it is not evaluated). */
export function zoneOf(tree: OrgTree, alert: AlertRecord): string | null {
  return tree.get(alert.org)?.timezone ?? null;
}

/** The value of `alert` over `period`, as /v1/query with bucket = the period answers it. */
export async function periodValue(
  reader: Reader,
  planFor: PlanFor,
  alert: AlertRecord,
  period: Bucket,
  tz: string,
): Promise<number | null> {
  const orgs = alert.subtree ? reader.tree.subtree(alert.org) : [alert.org];
  const result = await reader.run(planFor(alert, orgs, { from: period.start, to: period.end }, tz));
  return result.series[0]?.points[0]?.value ?? null;
}

export class AlertWatch {
  /** Alerts by the org they are set on. */
  private byOrg = new Map<string, AlertRecord[]>();
  /** Event times per org of the acknowledged ingests not evaluated yet. */
  private touched = new Map<string, Set<number>>();
  private draining: Promise<void> | null = null;
  private readonly fired = new Set<string>();

  constructor(private readonly deps: WatchDeps) {}

  get hasAlerts(): boolean {
    return this.byOrg.size > 0;
  }

  /** Reload the alerts from the store (at start, on a change here, and every refresh for other processes'). */
  async refresh(): Promise<AlertRecord[]> {
    const all = await this.deps.alerts.listAlerts();
    const byOrg = new Map<string, AlertRecord[]>();
    for (const a of all) byOrg.set(a.org, [...(byOrg.get(a.org) ?? []), a]);
    this.byOrg = byOrg;
    return all;
  }

  /** An acknowledged ingest: remember what it touched and evaluate soon, off its path. */
  noteIngest(events: readonly { org: string; ts: number }[]): void {
    if (this.byOrg.size === 0) return;
    for (const e of events) {
      let times = this.touched.get(e.org);
      if (times === undefined) this.touched.set(e.org, (times = new Set()));
      times.add(e.ts);
    }
    this.kick();
  }

  /** Resolves once every noted ingest has been evaluated (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain()
      .catch(this.deps.onError)
      .finally(() => {
        this.draining = null;
        if (this.touched.size > 0) this.kick();
      });
  }

  private async drain(): Promise<void> {
    const touched = this.touched;
    this.touched = new Map();
    const reader = await openReader(this.deps.read, { orgs: ['*'], types: null });
    const work = new Map<string, { alert: AlertRecord; period: Bucket; tz: string }>();
    for (const [org, times] of touched) {
      for (const alert of this.alertsOver(reader.tree, org)) {
        const tz = zoneOf(reader.tree, alert);
        if (tz === null) continue;
        const spec = { unit: alert.period, tz, weekStart: alert.week_start };
        for (const ts of times) {
          const key = `${alert.id}\n${bucketKey(spec, ts)}`;
          if (!work.has(key)) work.set(key, { alert, period: periodOf(alert, tz, ts), tz });
        }
      }
    }
    for (const w of work.values()) await this.evaluate(reader, w.alert, w.period, w.tz);
  }

  /** The alerts an event of `org` counts for: those on it, and `subtree` ones on its ancestors. */
  private alertsOver(tree: OrgTree, org: string): AlertRecord[] {
    const own = this.byOrg.get(org) ?? [];
    const above = tree.ancestors(org).flatMap((a) => (this.byOrg.get(a) ?? []).filter((x) => x.subtree));
    return [...own, ...above];
  }

  /** Evaluate every alert for its current and previous period. */
  async sweep(): Promise<void> {
    const alerts = await this.refresh();
    if (alerts.length === 0) return;
    const reader = await openReader(this.deps.read, { orgs: ['*'], types: null });
    const now = this.deps.clock();
    for (const alert of alerts) {
      const tz = zoneOf(reader.tree, alert);
      if (tz === null) continue;
      const current = periodOf(alert, tz, now);
      await this.evaluate(reader, alert, periodOf(alert, tz, current.start - 1), tz);
      await this.evaluate(reader, alert, current, tz);
    }
  }

  /** Store a delivery for every threshold the period's value reaches that has not fired yet. */
  private async evaluate(reader: Reader, alert: AlertRecord, period: Bucket, tz: string): Promise<void> {
    const value = await periodValue(reader, this.deps.planFor, alert, period, tz);
    let added = false;
    for (const threshold of reached(alert.thresholds, value)) {
      const id = deliveryId(alert.id, period.start, threshold);
      if (this.fired.has(id)) continue;
      const now = this.deps.clock();
      const body = JSON.stringify({
        delivery: id,
        alert: alert.id,
        name: alert.name,
        org: alert.org,
        period: { from: formatLocalIso(tz, period.start), to: formatLocalIso(tz, period.end) },
        threshold,
        value,
        fired_at: new Date(now).toISOString(),
      });
      const delivery: DeliveryRecord = {
        id,
        alert: alert.id,
        period_start: period.start,
        threshold,
        body,
        created_at: now,
        state: 'pending',
        attempts: [],
        next_at: now,
        lease_owner: '',
        lease_until: 0,
      };
      if (await this.deps.alerts.addDelivery(delivery)) added = true;
      if (this.fired.size >= MAX_REMEMBERED) this.fired.clear();
      this.fired.add(id);
    }
    if (added) this.deps.onFired();
  }
}
