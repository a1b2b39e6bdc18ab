/** Keys for customers on DuckDB; the cases are in key-limits-cases.ts. */
import { describe } from 'vitest';
import { runKeyLimitCases } from './key-limits-cases.js';

describe('duckdb', () => {
  runKeyLimitCases('duckdb');
});
