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
