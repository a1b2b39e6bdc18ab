/**
 * The alerts role (docs/alerts.md): alerts, and their deliveries, which are also
 * the fired state (one record per alert, period and threshold, by a deterministic id).
 * A delivery is sent by one process at a time: whoever claims it holds a lease.
 */
import type { AlertRecord, DeliveryRecord } from '../../core/alerts.js';

export interface AlertStore {
  createAlert(alert: AlertRecord): Promise<void>;
  /** Every alert, oldest first. */
  listAlerts(): Promise<AlertRecord[]>;
  getAlert(id: string): Promise<AlertRecord | null>;
  /** Forget an alert and its deliveries; false when there was none. */
  deleteAlert(id: string): Promise<boolean>;
  /** Store a new delivery; false (and nothing changes) when one with its id exists: that threshold already fired. */
  addDelivery(delivery: DeliveryRecord): Promise<boolean>;
  /** The deliveries of an alert, oldest first (then by period and threshold). */
  listDeliveries(alertId: string): Promise<DeliveryRecord[]>;
  /** Pending deliveries due at `now` and held by no live lease, at most `limit`, earliest due first. */
  dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Take the lease of a pending delivery for `owner` until `now + leaseMs`, when no one else holds a live one.
   * Resolves to the delivery as claimed, or null when another process has it (or it is no longer pending).
   */
  claimDelivery(id: string, owner: string, now: number, leaseMs: number): Promise<DeliveryRecord | null>;
  /** Write a delivery's state after an attempt (its lease ends with it). */
  saveDelivery(delivery: DeliveryRecord): Promise<void>;
}
