/** Alerts on DuckDB; the cases are in alerts-cases.ts and alerts-api-cases.ts. */
import { describe } from 'vitest';
import { runAlertApiCases } from './alerts-api-cases.js';
import { runAlertCases } from './alerts-cases.js';

describe('duckdb', () => {
  runAlertCases('duckdb');
  runAlertApiCases('duckdb');
});
