/**
 * Where an ingest commit's time goes, measured on the store's real code in this
 * process: a DuckDbStore on a copy of the compacted store (`tally`), with its
 * background upkeep on as in production, its write connection wrapped so that every
 * statement of the group commit (src/store/duckdb/ingest.ts) is timed by what it is,
 * the rest of a commit being JS (dedupe, actor changes, fingerprint set). The
 * upkeep's statements on the same lane (compaction passes, checkpoints) are timed
 * apart, not as commit phases. Batches come from 4 concurrent submitters, as from
 * the HTTP clients, so group commit forms the same commits. Also times the HTTP
 * layer's own per-batch work outside the store: JSON.parse and validateBatch of the
 * same bodies.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { EventRecord } from '../../src/core/model.js';
import { validateBatch } from '../../src/core/events.js';
import { COMMIT_SQL } from '../../src/store/duckdb/ingest.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { UpkeepOptions } from '../../src/store/duckdb/upkeep.js';
import type { UpkeepStats } from '../../src/store/port.js';
import { wireEvent } from '../gen/events.js';
import { percentile } from '../lib/timing.js';
import { BATCH, CLIENTS } from './ingest.js';
import { copyStore, ingestCheck, maxReceivedOf, type IngestCheck } from './upkeep.js';

/** The phases of one commit, in the order the committer runs them. */
export const PHASES = [
  'staging DDL + clear',
  'stage (appender)',
  'fingerprint read',
  'stored check',
  'stage actors',
  'begin',
  'new orgs',
  'insert events',
  'new/earlier actors',
  'commit',
  'JS (dedupe, actors, set)',
] as const;
export type Phase = (typeof PHASES)[number];

export interface IngestProfile {
  events: number;
  commits: number;
  /** Commits the profile recognised (from their staging DDL to their COMMIT): equal to `commits`. */
  profiled: number;
  seconds: number;
  perSecond: number;
  /** Total ms per phase over all commits. */
  phaseMs: Record<Phase, number>;
  /** Per-commit ms of each phase: p50 and max over the commits. */
  perCommit: Record<Phase | 'total', { p50: number; max: number }>;
  /** Events per commit (mean). */
  eventsPerCommit: number;
  /** Store start (fingerprints and first-seen map of the stored events), ms. */
  initMs: number;
  /** The HTTP layer's JSON.parse + validateBatch per event (µs), outside the store. */
  parseValidateUs: number;
  /**
   * The store's background upkeep up to close (which waits for a pass in progress, then
   * checkpoints): its counters, the write-lane time of its statements (ms) during the run
   * (until the last batch was acknowledged) and in all, and the file afterwards.
   */
  upkeep: UpkeepStats & { laneMsRun: number; laneMs: number; check: IngestCheck };
}

/**
 * Statements of compaction.ts (with the actor rollup's, rollup.ts) and the upkeep's CHECKPOINT
 * (the rest of a compaction transaction follows its first).
 */
const UPKEEP_SQL =
  /compacted_through|compact_rows|max\(received\)|INTO compaction|^CHECKPOINT|FROM events WHERE (received|ts)|SELECT 1 FROM events|actor_rollup|rollup_fold|rollup_runs/;

/** The first statement of a commit: its staging tables (re)created. */
const isStaging = (sql: string): boolean =>
  sql.startsWith('DROP TABLE IF EXISTS temp.staging') || sql.startsWith('CREATE TEMP TABLE staging');

function phaseOf(sql: string): Phase | null {
  if (isStaging(sql) || sql.startsWith('DELETE FROM staging')) return 'staging DDL + clear';
  if (sql === COMMIT_SQL.fingerprints) return 'fingerprint read';
  if (sql === COMMIT_SQL.stored) return 'stored check';
  if (sql === 'BEGIN TRANSACTION') return 'begin';
  if (sql === COMMIT_SQL.newOrgs) return 'new orgs';
  if (sql.startsWith('INSERT INTO events')) return 'insert events';
  if (sql === COMMIT_SQL.newActors || sql === COMMIT_SQL.earlierActors) return 'new/earlier actors';
  if (sql === 'COMMIT') return 'commit';
  return null;
}

const zero = (): Record<Phase, number> =>
  Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;

/** Phase times of the commit in progress; pushed to `done` at its COMMIT. */
interface Recorder {
  current: Record<Phase, number>;
  start: number;
  done: { phases: Record<Phase, number>; total: number }[];
  /** Upkeep statements' time (ms); a BEGIN's time until the next statement tells whose it is. */
  upkeepMs: number;
  pendingBegin: number | null;
  upkeepTxn: boolean;
}

/** Add one statement's time to the upkeep, or to its phase of the commit in progress. */
function record(rec: Recorder, sql: string, phase: Phase | null, t0: number, end: number): void {
  if (sql === 'BEGIN TRANSACTION') {
    rec.pendingBegin = end - t0;
    return;
  }
  if (rec.pendingBegin !== null) {
    rec.upkeepTxn = UPKEEP_SQL.test(sql);
    if (rec.upkeepTxn) rec.upkeepMs += rec.pendingBegin;
    else rec.current.begin += rec.pendingBegin;
    rec.pendingBegin = null;
  }
  if (rec.upkeepTxn || UPKEEP_SQL.test(sql)) {
    rec.upkeepMs += end - t0;
    if (sql === 'COMMIT' || sql === 'ROLLBACK') rec.upkeepTxn = false;
    return;
  }
  // A commit spans from its staging DDL to its COMMIT (or ROLLBACK).
  if (isStaging(sql)) {
    rec.current = zero();
    rec.start = t0;
  }
  if (phase !== null) rec.current[phase] += end - t0;
  if (sql === 'COMMIT' || sql === 'ROLLBACK') {
    const total = end - rec.start;
    const measured = PHASES.reduce((a, p) => a + rec.current[p], 0);
    rec.current['JS (dedupe, actors, set)'] = Math.max(0, total - measured);
    rec.done.push({ phases: rec.current, total });
  }
}

/** Wrap the connection's statement and appender calls so that each adds its time to its phase. */
function instrument(conn: DuckDBConnection, rec: Recorder): void {
  const c = conn as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['run', 'runAndReadAll']) {
    const original = c[method]!.bind(conn);
    c[method] = async (...args: unknown[]) => {
      const sql = String(args[0]);
      const phase = phaseOf(sql);
      const t0 = performance.now();
      try {
        return await original(...args);
      } finally {
        record(rec, sql, phase, t0, performance.now());
      }
    };
  }
  const createAppender = c['createAppender']!.bind(conn);
  c['createAppender'] = async (...args: unknown[]) => {
    const t0 = performance.now();
    const app = (await createAppender(...args)) as DuckDBAppender;
    const phase: Phase = args[0] === 'staging' ? 'stage (appender)' : 'stage actors';
    const close = app.closeSync.bind(app);
    // The appends happen synchronously between creation and close: all of it is this phase.
    app.closeSync = () => {
      close();
      rec.current[phase] += performance.now() - t0;
    };
    return app;
  };
}

/** Ingest `events` into a copy of `base` at `work` through the store, timing each commit phase. */
export async function profileIngest(
  base: string,
  work: string,
  events: EventRecord[],
  /** `upkeep`: the store's compaction thresholds (tests); production defaults otherwise. */
  opts: { clients?: number; upkeep?: Partial<UpkeepOptions> } = {},
): Promise<IngestProfile> {
  copyStore(base, work);
  const since = await maxReceivedOf(work);
  const rec: Recorder = {
    current: zero(),
    start: 0,
    done: [],
    upkeepMs: 0,
    pendingBegin: null,
    upkeepTxn: false,
  };
  const t0 = performance.now();
  const store = await DuckDbStore.open({ path: work, ...(opts.upkeep ? { upkeep: opts.upkeep } : {}) });
  await store.init();
  const initMs = performance.now() - t0;
  let figures: Omit<IngestProfile, 'upkeep'>;
  let laneMsRun: number;
  try {
    const writer = (store as unknown as { writer: DuckDBConnection }).writer;
    instrument(writer, rec);
    let next = 0;
    const started = performance.now();
    const submitter = async (): Promise<void> => {
      for (let k = next++; k * BATCH < events.length; k = next++)
        await store.ingest(events.slice(k * BATCH, (k + 1) * BATCH));
    };
    await Promise.all(Array.from({ length: opts.clients ?? CLIENTS }, submitter));
    const seconds = (performance.now() - started) / 1000;
    laneMsRun = rec.upkeepMs;
    const phaseMs = zero();
    for (const c of rec.done) for (const p of PHASES) phaseMs[p] += c.phases[p];
    const stat = (xs: number[]): { p50: number; max: number } => ({
      p50: percentile(xs, 50),
      max: Math.max(...xs),
    });
    const perCommit = Object.fromEntries([
      ...PHASES.map((p) => [p, stat(rec.done.map((c) => c.phases[p]))]),
      ['total', stat(rec.done.map((c) => c.total))],
    ]) as IngestProfile['perCommit'];
    figures = {
      events: events.length,
      commits: store.ingestCommits,
      profiled: rec.done.length,
      eventsPerCommit: events.length / Math.max(1, store.ingestCommits),
      perCommit,
      seconds,
      perSecond: events.length / seconds,
      phaseMs,
      initMs,
      parseValidateUs: parseValidateCost(events),
    };
  } finally {
    await store.close();
  }
  return {
    ...figures,
    upkeep: {
      ...store.upkeepStats,
      laneMsRun,
      laneMs: rec.upkeepMs,
      check: await ingestCheck(work, since),
    },
  };
}

/** µs per event of JSON.parse + validateBatch over 1,000-event bodies (what the route does before the store). */
function parseValidateCost(events: EventRecord[]): number {
  const n = Math.min(events.length, 200 * BATCH);
  const bodies: string[] = [];
  for (let k = 0; k < n; k += BATCH) bodies.push(JSON.stringify(events.slice(k, k + BATCH).map(wireEvent)));
  const now = Date.now();
  const t0 = performance.now();
  for (const body of bodies) {
    const checked = validateBatch(JSON.parse(body) as unknown[], now);
    if ('faults' in checked)
      throw new Error(`bench events failed validation: ${JSON.stringify(checked.faults[0])}`);
  }
  return ((performance.now() - t0) * 1000) / n;
}
