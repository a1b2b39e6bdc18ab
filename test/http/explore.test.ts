/** GET /v1/schema and /v1/events/latest on DuckDB; the cases are in explore-cases.ts. */
import { describe } from 'vitest';
import { runExploreCases } from './explore-cases.js';

describe('duckdb', () => {
  runExploreCases('duckdb');
});
