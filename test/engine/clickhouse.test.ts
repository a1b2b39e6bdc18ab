import { describe } from 'vitest';
import { runQuery } from '../../src/core/query/run.js';
import { clickhouseAvailable, freshStore } from '../clickhouse/env.js';
import { runEngineCases } from './cases.js';
import { runCompareCases } from './compare-cases.js';
import type { MakeEngine } from './fixture.js';
import { runMetricsCases } from './metrics-cases.js';
import { runRandomCases } from './random-cases.js';
import { runShapeCases } from './shape-cases.js';
import { runWindowCases } from './window-cases.js';

const makeClickHouse: MakeEngine = async () => {
  const store = await freshStore();
  return {
    ingest: async (events) => {
      await store.ingest(events);
    },
    upsertActors: (actors) => store.upsertActors(actors),
    query: (q, nowMs) => runQuery(q, nowMs, (request) => store.fetchRows(request)),
    close: () => store.close(),
  };
};

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runEngineCases(makeClickHouse);
  runShapeCases(makeClickHouse);
  runRandomCases(makeClickHouse);
  runMetricsCases(makeClickHouse);
  runWindowCases(makeClickHouse);
  runCompareCases(makeClickHouse);
});
