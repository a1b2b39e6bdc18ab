/** Alerts on ClickHouse (its claim and versioned rows included); the cases are in alerts-cases.ts and alerts-api-cases.ts. */
import { describe } from 'vitest';
import { clickhouseAvailable } from '../clickhouse/env.js';
import { runAlertApiCases } from './alerts-api-cases.js';
import { runAlertCases } from './alerts-cases.js';

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runAlertCases('clickhouse');
  runAlertApiCases('clickhouse');
});
