/**
 * Sending fired alerts (docs/alerts.md): each due delivery is claimed (a lease in the
 * store, so that one process at a time sends it), signed at the moment of the attempt,
 * posted, and written back with its attempt: `delivered` on a 2xx, else due again after
 * the backoff (core/alerts.ts) until it is given up as `failed`. Pending deliveries live
 * in the store, so a restart picks them up where they were; a process that dies while
 * holding a lease delays its delivery until the lease runs out.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { nextAttemptAt, type DeliveryTiming, signatureHeader, type DeliveryRecord } from '../core/alerts.js';
import type { AlertStore } from '../store/ports/alerts.js';
import { sendWebhook, type DestinationOptions } from './webhook-send.js';

/** Deliveries taken per round; each round sends them concurrently. */
const ROUND = 20;

export interface DelivererDeps {
  alerts: AlertStore;
  clock: () => number;
  destination: DestinationOptions;
  timing: DeliveryTiming;
  onError: (err: unknown) => void;
}

export class Deliverer {
  /** This process, as lease owner. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: DelivererDeps) {}

  /** A lease outlasts one attempt (its timeout) with room to write the outcome back. */
  private get leaseMs(): number {
    return this.deps.timing.timeoutMs * 6;
  }

  /** Send what is due now; a call during a round runs another round after it. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round().catch(this.deps.onError);
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves once no round is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async round(): Promise<void> {
    const due = await this.deps.alerts.dueDeliveries(this.deps.clock(), ROUND);
    await Promise.all(due.map((d) => this.deliver(d.id).catch(this.deps.onError)));
    if (due.length === ROUND) this.again = true;
  }

  private async deliver(id: string): Promise<void> {
    const d = await this.deps.alerts.claimDelivery(id, this.owner, this.deps.clock(), this.leaseMs);
    if (d === null) return;
    const alert = await this.deps.alerts.getAlert(d.alert);
    if (alert === null) {
      await this.finish(d, 'failed', { status: null, error: 'the alert was deleted' });
      return;
    }
    const at = this.deps.clock();
    const outcome = await sendWebhook(
      alert.webhook_url,
      d.body,
      {
        'user-agent': 'Tally-Webhook',
        'tally-delivery': d.id,
        'tally-signature': signatureHeader(alert.secret, at, d.body),
      },
      { ...this.deps.destination, timeoutMs: this.deps.timing.timeoutMs },
    );
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    await this.finish(d, ok ? 'delivered' : 'pending', outcome, at);
  }

  /** Write the attempt back; a failed one is due again after the backoff, or given up. */
  private async finish(
    d: DeliveryRecord,
    state: DeliveryRecord['state'],
    outcome: { status: number | null; error: string | null },
    at = this.deps.clock(),
  ): Promise<void> {
    const attempts = [...d.attempts, { at, ...outcome }];
    const now = this.deps.clock();
    let next = now;
    if (state === 'pending') {
      const due = nextAttemptAt(d.created_at, attempts.length, now, this.deps.timing);
      if (due === null) state = 'failed';
      else next = due;
    }
    await this.deps.alerts.saveDelivery({
      ...d,
      state,
      attempts,
      next_at: next,
      lease_owner: '',
      lease_until: 0,
    });
  }
}
