import { describe } from 'vitest';
import { clickhouseAvailable, freshStore } from '../clickhouse/env.js';
import { runStoreCases } from './conformance.js';

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runStoreCases({ name: 'clickhouse', createStore: () => freshStore() });
});
