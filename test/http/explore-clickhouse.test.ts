/** GET /v1/schema and /v1/events/latest on ClickHouse; the cases are in explore-cases.ts. */
import { describe } from 'vitest';
import { clickhouseAvailable } from '../clickhouse/env.js';
import { runExploreCases } from './explore-cases.js';

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runExploreCases('clickhouse');
});
