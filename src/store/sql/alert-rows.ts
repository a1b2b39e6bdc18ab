/**
 * Row decoders of the alerts role (docs/alerts.md), shared by both engines: the alert's
 * query, thresholds and a delivery's attempts are kept as JSON text in either.
 */
import type {
  AlertPeriod,
  AlertQuery,
  AlertRecord,
  DeliveryAttempt,
  DeliveryRecord,
  DeliveryState,
} from '../../core/alerts.js';
import { json, num, str, type Row } from './rows.js';

/** An `alerts` row. */
export function toAlert(r: Row): AlertRecord {
  return {
    id: str(r, 'id'),
    org: str(r, 'org'),
    subtree: Boolean(num(r, 'subtree')),
    name: str(r, 'name'),
    query: json(r, 'query') as AlertQuery,
    period: str(r, 'period') as AlertPeriod,
    week_start: num(r, 'week_start'),
    thresholds: json(r, 'thresholds') as number[],
    webhook_url: str(r, 'webhook_url'),
    secret: str(r, 'secret'),
    created_at: num(r, 'created_at'),
  };
}

/** An alert's columns as stored (both engines), by name. */
export function alertColumns(a: AlertRecord): Record<string, string | number> {
  return {
    id: a.id,
    org: a.org,
    subtree: a.subtree ? 1 : 0,
    name: a.name,
    query: JSON.stringify(a.query),
    period: a.period,
    week_start: a.week_start,
    thresholds: JSON.stringify(a.thresholds),
    webhook_url: a.webhook_url,
    secret: a.secret,
    created_at: a.created_at,
  };
}

/** An `alert_deliveries` row. */
export function toDelivery(r: Row): DeliveryRecord {
  return {
    id: str(r, 'id'),
    alert: str(r, 'alert'),
    period_start: num(r, 'period_start'),
    threshold: num(r, 'threshold'),
    body: str(r, 'body'),
    created_at: num(r, 'created_at'),
    state: str(r, 'state') as DeliveryState,
    attempts: json(r, 'attempts') as DeliveryAttempt[],
    next_at: num(r, 'next_at'),
    lease_owner: str(r, 'lease_owner'),
    lease_until: num(r, 'lease_until'),
  };
}

/** A delivery's columns as stored (both engines), by name. */
export function deliveryColumns(d: DeliveryRecord): Record<string, string | number> {
  return {
    id: d.id,
    alert: d.alert,
    period_start: d.period_start,
    threshold: d.threshold,
    body: d.body,
    created_at: d.created_at,
    state: d.state,
    attempts: JSON.stringify(d.attempts),
    next_at: d.next_at,
    lease_owner: d.lease_owner,
    lease_until: d.lease_until,
  };
}
