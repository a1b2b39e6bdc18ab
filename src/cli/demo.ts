/**
 * `tally demo`, and the demo on first start: load the seeded demo dataset (with a
 * progress bar on a terminal), then serve, print the dashboard's URL and a new
 * read key for the demo orgs.
 *
 * - `demo` (npm run demo) loads the demo unless its orgs already hold events.
 * - `serve` (npm start) loads it only when the embedded DuckDB store holds no
 *   event at all and TALLY_DEMO is not `0`; ClickHouse deployments load it on purpose.
 */
import cliProgress from 'cli-progress';
import { hasDemoEvents, isStoreEmpty, loadDemo } from '../demo/load.js';
import { DEMO_ROOTS } from '../demo/orgs.js';
import { issueKey } from '../http/routes/keys.js';
import type { Store } from '../store/port.js';
import type { Config } from './config.js';
import type { ServeHooks } from './serve.js';

/** `always`: the demo command; `auto`: plain serve, loading only into an empty embedded store. */
export type DemoMode = 'auto' | 'always';

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Write the demo into `store` with a progress bar on stderr (drawn only on a terminal). */
async function load(store: Store): Promise<string[]> {
  const bar = new cliProgress.SingleBar(
    {
      format: 'Loading the demo dataset [{bar}] {percentage}% | {value}/{total} events',
      stream: process.stderr,
      hideCursor: true,
      // The summary line replaces the finished bar.
      clearOnComplete: true,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? fmt(v) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    const summary = await loadDemo(store, {
      nowMs: Date.now(),
      onProgress: ({ done, total }) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
    bar.stop();
    console.log(
      `Loaded the demo dataset: ${fmt(summary.accepted)} events, ${fmt(summary.actors)} actors and ${summary.orgs} orgs over the last 120 days, in ${(summary.ms / 1000).toFixed(1)} s.`,
    );
    return summary.roots;
  } catch (err) {
    bar.stop();
    throw err;
  }
}

/**
 * The serve hooks for a demo mode: load before listening, and once listening print
 * the dashboard URL (always) and, when the demo is there, a read key over its orgs.
 */
export function demoHooks(mode: DemoMode, config: Config): ServeHooks {
  let roots: string[] | null = null;
  return {
    async beforeListen(store) {
      if (mode === 'always') {
        if (await hasDemoEvents(store)) {
          console.log('The demo dataset is already in this store; it is not loaded again.');
          roots = [...DEMO_ROOTS];
        } else roots = await load(store);
      } else if (config.demo && config.store === 'duckdb' && (await isStoreEmpty(store))) {
        console.log('The store is empty, so the demo dataset is loaded (TALLY_DEMO=0 turns this off).');
        roots = await load(store);
      }
    },
    async afterListen(app, address) {
      console.log(`Dashboard: ${address}/`);
      if (roots === null) return;
      const { secret } = await issueKey(app.ctx, { name: 'demo read key', role: 'read', orgs: roots });
      console.log(
        `A read key for the demo orgs (${roots.join(', ')}), for the dashboard; it is shown only now:\n  ${secret}`,
      );
    },
  };
}
