/**
 * Alerts and their deliveries on ClickHouse (the AlertStore role, docs/alerts.md).
 * Both tables are ReplacingMergeTree(ver) ordered by id: every change writes the
 * whole row again with a newer stamp, and reads take each id's newest row (FINAL,
 * filtered only on columns that never change within an id, so no version is
 * dropped before the merge). A deleted alert is a tombstone row.
 *
 * One sender at a time, without transactions (ClickHouse 18.16 has none): a claim
 * writes the delivery with a lease for this process, waits CLAIM_SETTLE_MS, and reads
 * the newest row back; only the process whose lease is there sends. Two processes that
 * both read the delivery unclaimed and both write a claim see the same newest row once
 * both claims are stored, so one of them goes on. The bound: a claim written more than
 * CLAIM_SETTLE_MS after its read (a process stalled in between) can win after the other
 * process read back, and both send; the receiver then sees the same Tally-Delivery twice,
 * which at-least-once delivery allows. A new delivery is written with ver 0, so that a
 * second process adding the same fired threshold never undoes a later state.
 */
import type { AlertRecord, DeliveryRecord } from '../../core/alerts.js';
import type { AlertStore } from '../ports/alerts.js';
import { alertColumns, deliveryColumns, toAlert, toDelivery } from '../sql/alert-rows.js';
import { SYNC_INSERT, type ChClient } from './client.js';
import { ident, lit, quote } from './quote.js';
import type { Stamper } from './stamp.js';

/** How long a claim waits before reading back who holds the lease. */
export const CLAIM_SETTLE_MS = 1000;
/** Deliveries older than this are never due again (given up after 24 h); keeps the due scan short. */
const DUE_HORIZON_MS = 48 * 3_600_000;

/** The alerts tables (migration 5, schema.ts). */
export const ALERT_TABLE_DEFS = [
  {
    name: 'alerts',
    columns: `id String, org String, subtree UInt8, name String, query String, period String, week_start UInt8,
      thresholds String, webhook_url String, secret String, created_at Int64, deleted UInt8, ver UInt64`,
    engine: 'ReplacingMergeTree(ver) ORDER BY id',
    shard: 'cityHash64(id)',
  },
  {
    name: 'alert_deliveries',
    columns: `id String, alert String, period_start Int64, threshold Float64, body String, created_at Int64,
      state String, attempts String, next_at Int64, lease_owner String, lease_until Int64, ver UInt64`,
    engine: 'ReplacingMergeTree(ver) ORDER BY id',
    shard: 'cityHash64(id)',
  },
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ChAlerts implements AlertStore {
  private readonly alerts: string;
  private readonly deliveries: string;

  constructor(
    private readonly client: ChClient,
    database: string,
    private readonly stamp: Stamper,
    private readonly settleMs = CLAIM_SETTLE_MS,
  ) {
    this.alerts = `${ident(database)}.alerts`;
    this.deliveries = `${ident(database)}.alert_deliveries`;
  }

  async createAlert(a: AlertRecord): Promise<void> {
    await this.client.insert(
      this.alerts,
      [{ ...alertColumns(a), deleted: 0, ver: this.stamp() }],
      SYNC_INSERT,
    );
  }

  private async selectAlerts(where: string): Promise<AlertRecord[]> {
    const rows = await this.client.query(
      `SELECT * FROM (SELECT * FROM ${this.alerts} FINAL ${where}) WHERE deleted = 0 ORDER BY created_at, id`,
    );
    return rows.map(toAlert);
  }

  listAlerts(): Promise<AlertRecord[]> {
    return this.selectAlerts('');
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    return (await this.selectAlerts(`WHERE id = ${quote(id)}`))[0] ?? null;
  }

  async deleteAlert(id: string): Promise<boolean> {
    const alert = await this.getAlert(id);
    if (alert === null) return false;
    await this.client.insert(
      this.alerts,
      [{ ...alertColumns(alert), deleted: 1, ver: this.stamp() }],
      SYNC_INSERT,
    );
    return true;
  }

  private async selectDeliveries(inner: string, outer = '', tail = ''): Promise<DeliveryRecord[]> {
    const rows = await this.client.query(
      `SELECT * FROM (SELECT * FROM ${this.deliveries} FINAL WHERE ${inner}) ${outer} ORDER BY ${tail || 'created_at, period_start, threshold'}`,
    );
    return rows.map(toDelivery);
  }

  private async current(id: string): Promise<DeliveryRecord | null> {
    return (await this.selectDeliveries(`id = ${quote(id)}`))[0] ?? null;
  }

  async addDelivery(d: DeliveryRecord): Promise<boolean> {
    if ((await this.current(d.id)) !== null) return false;
    await this.write(d, 0);
    return true;
  }

  listDeliveries(alertId: string): Promise<DeliveryRecord[]> {
    return this.selectDeliveries(`alert = ${quote(alertId)}`);
  }

  async dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]> {
    const due: DeliveryRecord[] = await this.selectDeliveries(
      `created_at >= ${lit(now - DUE_HORIZON_MS)}`,
      `WHERE state = 'pending' AND next_at <= ${lit(now)} AND lease_until <= ${lit(now)}`,
      `next_at, id LIMIT ${lit(limit)}`,
    );
    return due;
  }

  async claimDelivery(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<DeliveryRecord | null> {
    const d = await this.current(id);
    if (d?.state !== 'pending' || d.lease_until > now) return null;
    const claim = { ...d, lease_owner: owner, lease_until: now + leaseMs };
    await this.write(claim, this.stamp());
    await sleep(this.settleMs);
    const after = await this.current(id);
    if (after?.state !== 'pending') return null;
    return after.lease_owner === owner && after.lease_until === claim.lease_until ? after : null;
  }

  async saveDelivery(d: DeliveryRecord): Promise<void> {
    await this.write(d, this.stamp());
  }

  private async write(d: DeliveryRecord, ver: number): Promise<void> {
    await this.client.insert(this.deliveries, [{ ...deliveryColumns(d), ver }], SYNC_INSERT);
  }
}
