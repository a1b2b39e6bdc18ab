/**
 * `tally demo` (npm run demo): load the seeded demo dataset (with a progress bar
 * on a terminal) unless it is there already, then serve, print the dashboard's
 * URL and a new read key for the demo orgs.
 *
 * The demo is opt-in and lives in its own file (`./data/demo.duckdb` unless
 * TALLY_DB names another; see config.ts): `tally serve` never writes it, so
 * invented orgs can never mix with an operator's real data.
 */
import cliProgress from 'cli-progress';
import { hasDemoEvents, loadDemo } from '../demo/load.js';
import { DEMO_ROOTS } from '../demo/orgs.js';
import { issueKey } from '../http/routes/keys.js';
import type { Store } from '../store/port.js';
import type { ServeHooks } from './serve.js';

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
 * The serve hooks of `tally demo`: load before listening (unless the demo's orgs
 * already hold events), and once listening print a new read key over its orgs.
 */
export function demoHooks(): ServeHooks {
  let roots: string[] = [...DEMO_ROOTS];
  return {
    demo: true,
    async beforeListen(store) {
      if (await hasDemoEvents(store))
        console.log('The demo dataset is already in this store; it is not loaded again.');
      else roots = await load(store);
    },
    async afterListen(app) {
      const { secret } = await issueKey(app.ctx, { name: 'demo read key', role: 'read', orgs: roots });
      console.log(
        `\nA read key for the demo orgs (${roots.join(', ')}); paste it into the dashboard. It is shown only now:\n  ${secret}`,
      );
    },
  };
}
