/**
 * Loading the demo into a store: orgs, then actors, then the events, checked by
 * the same validation as POST /v1/events and written in batches of 20,000 (each
 * durable before the next is sent; event ids make a repeated load add nothing twice).
 */
import { validateBatch } from '../core/events.js';
import type { Org } from '../core/model.js';
import { MAX_INSTANT } from '../core/time/index.js';
import type { Store } from '../store/port.js';
import { DEMO_ORG_IDS } from './orgs.js';
import { generateDemo, type DemoData } from './generate.js';

/** Events per ingest call (one commit each). */
const BATCH = 20_000;

export interface LoadProgress {
  /** Events written so far. */
  done: number;
  total: number;
}

export interface LoadOptions {
  nowMs: number;
  seed?: number;
  /** Called after each batch (and once at the start, with done = 0). */
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadSummary {
  orgs: number;
  actors: number;
  accepted: number;
  duplicates: number;
  /** The orgs a demo read key should cover. */
  roots: string[];
  ms: number;
}

/** Whether any demo org already holds events. */
export async function hasDemoEvents(store: Store): Promise<boolean> {
  const known = new Set((await store.listOrgs()).map((o) => o.id));
  const orgs = DEMO_ORG_IDS.filter((id) => known.has(id));
  return orgs.length > 0 && (await store.listEvents(everything(orgs), 1)).length > 0;
}

/** A scan over every event of `orgs`. */
export function everything(orgs: string[]) {
  return { orgs, types: [], filters: [], from: null, to: MAX_INSTANT };
}

/**
 * Generate the demo for `nowMs` and write it to `store`.
 *
 * @example
 * const summary = await loadDemo(store, { nowMs: Date.now(), onProgress: (p) => bar.update(p.done) });
 */
export async function loadDemo(store: Store, opts: LoadOptions): Promise<LoadSummary> {
  const started = Date.now();
  const demo: DemoData = generateDemo({ nowMs: opts.nowMs, seed: opts.seed });
  const total = demo.events.length;
  opts.onProgress?.({ done: 0, total });
  const existing = new Map((await store.listOrgs()).map((o) => [o.id, o]));
  for (const o of demo.orgs) {
    const org: Org = { ...o, created_at: existing.get(o.id)?.created_at ?? opts.nowMs };
    await store.putOrg(org);
  }
  for (let i = 0; i < demo.actors.length; i += 1000) await store.upsertActors(demo.actors.slice(i, i + 1000));
  let accepted = 0;
  let duplicates = 0;
  // Validate the next batch while the store writes the current one.
  let writing: Promise<void> = Promise.resolve();
  for (let i = 0; i < total; i += BATCH) {
    const checked = validateBatch(demo.events.slice(i, i + BATCH), opts.nowMs);
    if ('faults' in checked) {
      await writing;
      // A generator bug, never bad user input: say exactly what is wrong.
      throw new Error(
        `demo event ${i + (checked.faults[0]!.index ?? 0)} is invalid: ${JSON.stringify(checked.faults[0])}`,
      );
    }
    await writing;
    const done = Math.min(total, i + BATCH);
    writing = store.ingest(checked.events).then((r) => {
      accepted += r.accepted;
      duplicates += r.duplicates;
      opts.onProgress?.({ done, total });
    });
  }
  await writing;
  return {
    orgs: demo.orgs.length,
    actors: demo.actors.length,
    accepted,
    duplicates,
    roots: demo.roots,
    ms: Date.now() - started,
  };
}
