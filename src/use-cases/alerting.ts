/**
 * The alerts' background work in one process (docs/alerts.md): evaluation after
 * ingests (alert-watch.ts), sending (alert-delivery.ts), and one timer that reloads
 * the alerts every `refreshMs`, sweeps every alert's current and previous period
 * every `sweepMs` (and once at start), and looks for due deliveries every `tickMs`
 * (retries, and deliveries another process stored). Stopped with the app.
 */
import { DELIVERY_TIMING, type DeliveryTiming } from '../core/alerts.js';
import type { AlertStore } from '../store/ports/alerts.js';
import { Deliverer } from './alert-delivery.js';
import { AlertWatch, type PlanFor } from './alert-watch.js';
import type { ReadStore } from './read-within-reach.js';
import { systemLookup, type DestinationOptions, type Lookup } from './webhook-send.js';

export interface AlertingOptions {
  /** TALLY_WEBHOOK_ALLOW_PRIVATE: webhooks may reach loopback and private addresses. */
  allowPrivate?: boolean;
  /** The resolver the destination checks use (tests pass one). */
  lookup?: Lookup;
  /** Delivery timeout and backoff (core/alerts.ts DELIVERY_TIMING); tests shrink them. */
  timing?: Partial<DeliveryTiming>;
  /** How often due deliveries are looked for (default 1 s; real time, not the app's clock). */
  tickMs?: number;
  /** How often the alerts are reloaded, for those another process created (default 5 s). */
  refreshMs?: number;
  /** How often every alert's current and previous period is evaluated (default 60 s). */
  sweepMs?: number;
}

export interface AlertingDeps {
  alerts: AlertStore;
  read: ReadStore;
  planFor: PlanFor;
  clock: () => number;
  onError: (err: unknown) => void;
}

export class Alerting {
  readonly destination: DestinationOptions;
  readonly watch: AlertWatch;
  readonly deliverer: Deliverer;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private lastRefresh = 0;
  private lastSweep = 0;
  private readonly onError: (err: unknown) => void;

  constructor(
    deps: AlertingDeps,
    private readonly opts: AlertingOptions = {},
  ) {
    this.onError = deps.onError;
    this.destination = { allowPrivate: opts.allowPrivate ?? false, lookup: opts.lookup ?? systemLookup };
    this.deliverer = new Deliverer({
      alerts: deps.alerts,
      clock: deps.clock,
      destination: this.destination,
      timing: { ...DELIVERY_TIMING, ...opts.timing },
      onError: deps.onError,
    });
    this.watch = new AlertWatch({
      ...deps,
      onFired: () => void this.deliverer.kick(),
    });
  }

  /** Start the timer; the first tick sweeps (what fired while no process ran) and sends what is due. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick();
    }, this.opts.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  /** Stop the timer and wait for the work under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.settled();
  }

  /** An acknowledged ingest (see AlertWatch.noteIngest). */
  noteIngest(events: readonly { org: string; ts: number }[]): void {
    this.watch.noteIngest(events);
  }

  /** The alerts changed here: reload them now. */
  async changed(): Promise<void> {
    this.lastRefresh = Date.now();
    await this.watch.refresh();
  }

  /** Resolves once evaluations and sends under way are done (tests). */
  async settled(): Promise<void> {
    while (this.busy) await this.busy;
    await this.watch.settled();
    await this.deliverer.settled();
  }

  private tick(): void {
    if (this.busy) return;
    this.busy = this.background().finally(() => {
      this.busy = null;
    });
  }

  private async background(): Promise<void> {
    const now = Date.now();
    try {
      if (now - this.lastSweep >= (this.opts.sweepMs ?? 60_000)) {
        this.lastSweep = this.lastRefresh = now;
        await this.watch.sweep();
      } else if (now - this.lastRefresh >= (this.opts.refreshMs ?? 5000)) {
        this.lastRefresh = now;
        await this.watch.refresh();
      }
      if (this.watch.hasAlerts) await this.deliverer.kick();
    } catch (err) {
      // Reported, and tried again at the next tick: the store may be back by then.
      this.onError(err);
    }
  }
}
