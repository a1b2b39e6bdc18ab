import { expect } from 'vitest';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { runStoreCases } from './conformance.js';

runStoreCases({
  name: 'duckdb',
  createStore: async () => {
    const s = await DuckDbStore.open({ path: ':memory:' });
    await s.init();
    return s;
  },
});

// The same cases with upkeep at its most eager: a background compaction after every commit and a
// checkpoint after every 10 ms pause, racing the cases' reads, writes and deletions.
runStoreCases({
  name: 'duckdb (compacting after every commit)',
  createStore: async () => {
    const s = await DuckDbStore.open({
      path: ':memory:',
      upkeep: { tailRows: 1, idleMs: 10, checkpointIdleMs: 10 },
    });
    await s.init();
    const close = s.close.bind(s);
    s.close = async () => {
      await close();
      expect(s.upkeepStats.lastError).toBeNull();
    };
    return s;
  },
});
