import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyStore } from '../dataset.js';
import { DEFAULT_PARAMS } from '../gen/model.js';
import { sliceEvents } from './ingest.js';
import { profileIngest } from './ingest-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-bench-profile-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('profileIngest', () => {
  it('tells the upkeep statements from the commits, and sees every commit and pass', async () => {
    const base = join(dir, 'base.duckdb');
    await createEmptyStore(base);
    const events = sliceEvents(DEFAULT_PARAMS, 12_000);
    // One submitter: a commit per 1,000-event batch; a pass whenever 2,500 rows are unsorted,
    // so passes run (and finish) between the commits of the 12 batches.
    const p = await profileIngest(base, join(dir, 'work.duckdb'), events, {
      clients: 1,
      upkeep: { tailRows: 2_500, idleMs: 60_000, checkpointIdleMs: 60_000 },
    });
    expect(p.commits).toBeGreaterThan(0);
    expect(p.profiled).toBe(p.commits);
    // Every commit recreates its staging tables and inserts its events.
    expect(p.perCommit['staging DDL + clear'].p50).toBeGreaterThan(0);
    expect(p.perCommit['insert events'].p50).toBeGreaterThan(0);
    expect(p.upkeep.compactions).toBeGreaterThanOrEqual(1);
    expect(p.upkeep.laneMs).toBeGreaterThan(0);
    expect(p.upkeep.lastError).toBeNull();
    // All 12,000 once each; what no pass sorted is the tail, which the watermark leaves.
    expect(p.upkeep.check.stored).toBe(12_000);
    expect(p.upkeep.check.unique).toBe(12_000);
    expect(p.upkeep.check.state.tail).toBeLessThan(12_000);
    // The store starts empty and no period reaches 4 runs (no merge): each row is sorted at most once.
    expect(p.upkeep.check.state.runs.every((r) => r.runs < 4)).toBe(true);
    expect(p.upkeep.compactedRows + p.upkeep.check.state.tail).toBe(12_000);
    expect(p.upkeep.check.state.watermark).toBeGreaterThan(0);
  }, 60_000);
});
