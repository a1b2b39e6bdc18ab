/**
 * Alerts and their deliveries in the DuckDB store (the AlertStore role, docs/alerts.md).
 * Writes run on the write connection (the store puts them on its lane), reads on a pooled
 * one. One process owns a DuckDB file, so a claim is a conditional UPDATE on the lane.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AlertRecord, DeliveryRecord } from '../../core/alerts.js';
import { alertColumns, deliveryColumns, toAlert, toDelivery } from '../sql/alert-rows.js';
import { all, changed, run } from './db.js';

/** The alerts tables (migration 8, schema.ts). */
export const ALERT_TABLES = `CREATE TABLE alerts (
     id VARCHAR PRIMARY KEY,
     org VARCHAR NOT NULL,
     subtree INTEGER NOT NULL,
     name VARCHAR NOT NULL,
     query VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     week_start INTEGER NOT NULL,
     thresholds VARCHAR NOT NULL,
     webhook_url VARCHAR NOT NULL,
     secret VARCHAR NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE alert_deliveries (
     id VARCHAR PRIMARY KEY,
     alert VARCHAR NOT NULL,
     period_start BIGINT NOT NULL,
     threshold DOUBLE NOT NULL,
     body VARCHAR NOT NULL,
     created_at BIGINT NOT NULL,
     state VARCHAR NOT NULL,
     attempts VARCHAR NOT NULL,
     next_at BIGINT NOT NULL,
     lease_owner VARCHAR NOT NULL,
     lease_until BIGINT NOT NULL
   );`;

/** `INSERT INTO table (columns) VALUES (?, ...)` and its params, for columns named in code. */
function insertSql(table: 'alerts' | 'alert_deliveries', columns: Record<string, string | number>) {
  const names = Object.keys(columns);
  const marks = names.map(() => '?').join(', ');
  return {
    sql: `INSERT INTO ${table} (${names.join(', ')}) VALUES (${marks})`,
    params: Object.values(columns),
  };
}

export function createAlert(conn: DuckDBConnection, a: AlertRecord): Promise<void> {
  const { sql, params } = insertSql('alerts', alertColumns(a));
  return run(conn, sql, params);
}

export async function listAlerts(conn: DuckDBConnection): Promise<AlertRecord[]> {
  return (await all(conn, 'SELECT * FROM alerts ORDER BY created_at, id')).map(toAlert);
}

export async function getAlert(conn: DuckDBConnection, id: string): Promise<AlertRecord | null> {
  const r = (await all(conn, 'SELECT * FROM alerts WHERE id = ?', [id]))[0];
  return r ? toAlert(r) : null;
}

export async function deleteAlert(conn: DuckDBConnection, id: string): Promise<boolean> {
  await run(conn, 'DELETE FROM alert_deliveries WHERE alert = ?', [id]);
  return (await changed(conn, 'DELETE FROM alerts WHERE id = ?', [id])) > 0;
}

export async function addDelivery(conn: DuckDBConnection, d: DeliveryRecord): Promise<boolean> {
  // The id is the fired state (deliveryId): a second insert of one is no change.
  const { sql, params } = insertSql('alert_deliveries', deliveryColumns(d));
  return (await all(conn, `${sql} ON CONFLICT DO NOTHING RETURNING id`, params)).length > 0;
}

export async function listDeliveries(conn: DuckDBConnection, alertId: string): Promise<DeliveryRecord[]> {
  const rows = await all(
    conn,
    'SELECT * FROM alert_deliveries WHERE alert = ? ORDER BY created_at, period_start, threshold',
    [alertId],
  );
  return rows.map(toDelivery);
}

export async function dueDeliveries(
  conn: DuckDBConnection,
  now: number,
  limit: number,
): Promise<DeliveryRecord[]> {
  const rows = await all(
    conn,
    `SELECT * FROM alert_deliveries WHERE state = 'pending' AND next_at <= ? AND lease_until <= ?
     ORDER BY next_at, id LIMIT ?`,
    [now, now, limit],
  );
  return rows.map(toDelivery);
}

export async function claimDelivery(
  conn: DuckDBConnection,
  id: string,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<DeliveryRecord | null> {
  const rows = await all(
    conn,
    `UPDATE alert_deliveries SET lease_owner = ?, lease_until = ?
     WHERE id = ? AND state = 'pending' AND lease_until <= ? RETURNING *`,
    [owner, now + leaseMs, id, now],
  );
  return rows[0] ? toDelivery(rows[0]) : null;
}

export function saveDelivery(conn: DuckDBConnection, d: DeliveryRecord): Promise<void> {
  return run(
    conn,
    `UPDATE alert_deliveries SET state = ?, attempts = ?, next_at = ?, lease_owner = ?, lease_until = ? WHERE id = ?`,
    [d.state, JSON.stringify(d.attempts), d.next_at, d.lease_owner, d.lease_until, d.id],
  );
}
