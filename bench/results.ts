/**
 * The benchmark's collected figures (written as JSON next to the cached dataset,
 * and rendered into bench/RESULTS.md by report.ts), plus the machine description.
 */
import { cpus, loadavg, totalmem, release } from 'node:os';
import { readFileSync } from 'node:fs';
import type { DatasetInfo } from './dataset.js';
import type { DatasetParams } from './gen/model.js';
import type { DirectFigures, HttpIngestFigures } from './phases/ingest.js';
import type { IngestProfile } from './phases/ingest-profile.js';
import type { CompactionCost, OrgKeyFigures } from './phases/layout.js';
import type { PgIngest, PgLoad, PgQueryFigures } from './phases/postgres.js';
import type { CaseFigures } from './phases/query.js';
import type { InitialCompaction } from './phases/upkeep.js';

export interface Machine {
  cpus: number;
  model: string;
  memGiB: number;
  node: string;
  duckdb: string;
  kernel: string;
  os: string;
}

export interface CaseRow extends CaseFigures {
  id: string;
  title: string;
  surface: string;
  org: string;
  label: string;
}

export interface LayoutFigures {
  name: string;
  description: string;
  /** Seconds to write the events in this order (a full rewrite; for `tally` the initial compaction); null for the base file. */
  rewriteSeconds: number | null;
  bytes: number;
  rowGroups: number;
  /** Full suite on the real server (`tally`, the store's layout, and `sorted`), else native only in-process. */
  cases: CaseRow[];
  rowsScanned: Record<string, number>;
  server?: { rssMax: number; hwm: number; startMs: number };
}

export interface BenchResults {
  command: string;
  startedAt: string;
  finishedAt: string;
  load: { start: number[]; ingest?: number[]; end: number[] };
  machine: Machine;
  params: DatasetParams;
  runs: number;
  dataset: DatasetInfo & { cached: boolean; orgEvents: Record<string, Record<string, number>> };
  /** The time-ordered dataset compacted once by the store (the `tally` layout). */
  initialCompaction?: InitialCompaction;
  layouts: LayoutFigures[];
  compaction: CompactionCost[];
  /** The integer org key prototype on the clustered layout, with the load average when it ran. */
  orgKey?: { figures: OrgKeyFigures[]; load: number[]; at: string };
  ingest?: {
    slice: number;
    http: HttpIngestFigures;
    direct: DirectFigures[];
    profile: IngestProfile;
  };
  postgres?: {
    load: PgLoad;
    ingest: PgIngest;
    queries: Record<string, PgQueryFigures>;
    backendPeak: number;
  };
  notes: string[];
}

export function describeMachine(): Machine {
  let os = 'unknown';
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // not Linux
  }
  let duckdb = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync('node_modules/@duckdb/node-api/package.json', 'utf8')) as {
      version: string;
    };
    duckdb = pkg.version;
  } catch {
    // not installed where expected
  }
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: `@duckdb/node-api ${duckdb}`,
    kernel: release(),
    os,
  };
}

export const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);
