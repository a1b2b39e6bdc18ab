/** Keys for customers on ClickHouse (its key cache included); the cases are in key-limits-cases.ts. */
import { describe } from 'vitest';
import { clickhouseAvailable } from '../clickhouse/env.js';
import { runKeyLimitCases } from './key-limits-cases.js';

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runKeyLimitCases('clickhouse');
});
