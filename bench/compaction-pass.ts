/**
 * One compaction pass of a copy of a store file, with every write-lane task timed: how long the
 * pass takes and which step holds the lane (issue 19 goal 3: no commit waits more than 1 s).
 *
 *   npx tsx bench/compaction-pass.ts --store <base.duckdb> --copy /tmp/pass.duckdb \
 *     [--chunk 100000] [--stage-chunks 4] [--merge]
 *
 * The file is copied (the source is never opened), opened as the store with upkeep off, and once
 * its dedupe filter is ready (rebuilt in the background on a file without one, which would
 * otherwise compete for the cores), `compact()` runs once; `--merge` adds the merge of closed
 * periods. Prints the report, the longest hold, and every lane task over 300 ms as
 * `#task@start:ms` (the large ones are DuckDB's automatic checkpoints inside a move's commit and
 * the watermark move that extends the rollup). `--stage-chunks 1000000000` turns the staged route
 * (move-staged.ts) off, for a before/after in one build.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DuckDbStore } from '../src/store/duckdb/store.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    copy: { type: 'string' },
    chunk: { type: 'string', default: '100000' },
    'stage-chunks': { type: 'string', default: '4' },
    merge: { type: 'boolean', default: false },
  },
});
if (!args.store || !args.copy)
  throw new Error('usage: --store <file> --copy <scratch file> [--chunk N] [--stage-chunks N] [--merge]');
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

for (const suffix of ['', '.wal', '.dedupe']) rmSync(`${args.copy}${suffix}`, { force: true });
copyFileSync(args.store, args.copy);
const store = await DuckDbStore.open({
  path: args.copy,
  upkeep: false,
  moveChunkRows: Number(args.chunk),
  compactStageChunks: Number(args['stage-chunks']),
});
await store.init();
while (store.dedupe && !store.dedupe.isReady) await new Promise((r) => setTimeout(r, 50));

// The upkeep's lane wrapper (private): every compaction step goes through it.
type Hold = (fn: () => Promise<unknown>) => Promise<unknown>;
const upkeep = (store as unknown as { upkeep: { hold: Hold } }).upkeep;
const hold = upkeep.hold.bind(upkeep);
const slow: string[] = [];
let tasks = 0;
const started = performance.now();
upkeep.hold = async (fn) => {
  const k = ++tasks;
  const t = performance.now();
  try {
    return await hold(fn);
  } finally {
    const ms = performance.now() - t;
    if (ms > 300) slow.push(`#${k}@${((t - started) / 1000).toFixed(0)}s:${ms.toFixed(0)}ms`);
  }
};
const loadBefore = load();
try {
  const report = await store.compact({ mergeClosed: args.merge });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, longestHoldMs: store.upkeepStats.longestHoldMs, report }));
  console.log(`lane tasks ${tasks}; over 300 ms: ${slow.join(' ')}`);
  console.log(`load average before ${loadBefore}, after ${load()}`);
} finally {
  await store.close();
}
