/**
 * Retention runs: work out each org's cutoff (core/retention.ts) and have the
 * store delete the raw events before it, with one audit entry per org that
 * lost any. `runRetention` is one run (the job's, or an admin's through
 * POST /v1/retention/run); `RetentionJob` repeats it every hour while the
 * server runs (started and stopped by `tally serve`).
 */
import { scopeOf } from '../core/audit.js';
import { OrgTree } from '../core/orgs.js';
import { retentionPlan, type RetentionTarget } from '../core/retention.js';
import { HOUR_MS } from '../core/time/units.js';
import type { AuditEntry, Registry, RetentionStore } from '../store/port.js';

export interface RetentionRun {
  targets: RetentionTarget[];
  entries: AuditEntry[];
}

/**
 * One run over the orgs `grants` reach (['*'] for all), at `now`.
 *
 * @example
 * await runRetention(store, store, { serverDays: 365, now: Date.now(), keyId: null, grants: ['*'] })
 */
export async function runRetention(
  registry: Pick<Registry, 'listOrgs'>,
  retention: RetentionStore,
  opts: { serverDays: number | null; now: number; keyId: string | null; grants: string[] },
): Promise<RetentionRun> {
  const tree = new OrgTree(await registry.listOrgs());
  const orgs = tree.reachable(opts.grants);
  const targets = retentionPlan(tree, await retention.listRetention(), orgs, opts.serverDays, opts.now);
  const entries = await retention.expireEvents(
    targets.map((t) => ({
      org: t.org,
      before: t.before,
      audit: {
        keyId: opts.keyId,
        op: 'retention' as const,
        params: { org: t.org, days: t.days, before: new Date(t.before).toISOString() },
        scope: scopeOf(tree, [t.org]),
      },
    })),
  );
  return { targets, entries };
}

export interface RetentionJobOptions {
  /** TALLY_RETENTION_DAYS, or null for none (orgs without a setting keep everything). */
  serverDays: number | null;
  clock?: () => number;
  /** Between runs; default one hour. */
  everyMs?: number;
  /** Before the first run; default one minute, so start-up is not slowed. */
  firstMs?: number;
  /** Told about each run's result or failure (e.g. the server's logger). */
  onRun?: (result: RetentionRun | null, err?: unknown) => void;
}

/** The hourly retention job. A failed run is reported and tried again at the next hour. */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Pick<Registry, 'listOrgs'> & RetentionStore,
    private readonly opts: RetentionJobOptions,
  ) {}

  start(): void {
    this.schedule(this.opts.firstMs ?? 60_000);
  }

  /** Stop scheduling and wait for a run in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Run now (the timer keeps its schedule); resolves when the run is over. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const result = await runRetention(this.store, this.store, {
          serverDays: this.opts.serverDays,
          now: (this.opts.clock ?? Date.now)(),
          keyId: null,
          grants: ['*'],
        });
        this.opts.onRun?.(result);
      } catch (err) {
        this.opts.onRun?.(null, err);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().then(() => {
        this.schedule(this.opts.everyMs ?? HOUR_MS);
      });
    }, ms);
    this.timer.unref();
  }
}
