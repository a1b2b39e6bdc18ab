/**
 * The ingest phase: the same slice of new events (disjoint ids, on the dataset's
 * last day) into a copy of a store file, three ways:
 * - HTTP: the real server (`npm start`) on a copy of the compacted store (`tally`),
 *   1,000-event JSON batches from 4 concurrent clients on loopback; throughput counts
 *   only acknowledged (= durable) events, with p50/p99 time to acknowledge and the
 *   server's RSS; its background compaction runs as it would in production;
 * - direct: one process, no HTTP, DuckDB's Appender (into a staging table, then one
 *   INSERT casting dims to the MAP, as the store itself must; and straight into
 *   `events` with MAP values), each durable at its COMMIT;
 * then the events stored are counted to check that every acknowledged one is there,
 * once, and (HTTP) where the server's compaction left the file.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { DuckDBInstance, MAP, VARCHAR, mapValue, type DuckDBAppender } from '@duckdb/node-api';
import type { EventRecord } from '../../src/core/model.js';
import { startServer } from '../../test/e2e/server.js';
import { EventGenerator, sliceStream, wireEvent } from '../gen/events.js';
import type { DatasetParams } from '../gen/model.js';
import { RssSampler, percentile, resetPeak } from '../lib/timing.js';
import { copyStore, ingestCheck, maxReceivedOf, type IngestCheck } from './upkeep.js';

const ADMIN = 'bench-admin-secret-0123456789';
export const BATCH = 1000;
export const CLIENTS = 4;

/** The slice's events, in memory (the slice is small next to the dataset). */
export function sliceEvents(p: DatasetParams, n: number): EventRecord[] {
  const gen = new EventGenerator(p, sliceStream(p, n));
  const out: EventRecord[] = [];
  for (let e = gen.next(); e; e = gen.next()) out.push(e);
  return out;
}

export interface HttpIngestFigures {
  events: number;
  seconds: number;
  perSecond: number;
  ackP50: number;
  ackP99: number;
  accepted: number;
  duplicates: number;
  failed: number;
  serverStartMs: number;
  rssMax: number;
  hwm: number;
  stored: number;
  /** Read from the file after the server stopped: the slice stored once each, the tail left, runs per period. */
  check: IngestCheck;
  /** The server's upkeep counters from GET /metrics when the last batch was acknowledged (null: not exposed). */
  upkeep: ServerUpkeep | null;
}

export interface ServerUpkeep {
  compactions: number;
  compactedRows: number;
  lastCompactionSeconds: number;
  checkpoints: number;
  failing: boolean;
  /** The longest one upkeep step held the write lane, s (null: not exposed). */
  longestHoldSeconds: number | null;
}

/** The store's upkeep gauges from the server's Prometheus metrics; null when it does not expose them. */
async function serverUpkeep(url: string): Promise<ServerUpkeep | null> {
  const res = await fetch(`${url}/metrics`).catch(() => null);
  if (res?.status !== 200) return null;
  const text = await res.text();
  const value = (name: string): number | null => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const compactions = value('tally_store_compactions');
  if (compactions === null) return null;
  return {
    compactions,
    compactedRows: value('tally_store_compacted_rows') ?? NaN,
    lastCompactionSeconds: value('tally_store_last_compaction_seconds') ?? NaN,
    checkpoints: value('tally_store_checkpoints') ?? NaN,
    failing: value('tally_store_upkeep_failing') === 1,
    longestHoldSeconds: value('tally_store_upkeep_longest_hold_seconds'),
  };
}

/** HTTP ingest of `events` into a copy of `base` at `work`. */
export async function httpIngest(
  base: string,
  work: string,
  events: EventRecord[],
): Promise<HttpIngestFigures> {
  copyStore(base, work);
  const since = await maxReceivedOf(work);
  const bodies: string[] = [];
  for (let k = 0; k < events.length; k += BATCH)
    bodies.push(JSON.stringify(events.slice(k, k + BATCH).map(wireEvent)));
  const t0 = performance.now();
  const server = await startServer({ TALLY_DB: work, TALLY_ADMIN_KEY: ADMIN }, 600_000);
  const serverStartMs = performance.now() - t0;
  const latencies: number[] = [];
  let accepted = 0;
  let duplicates = 0;
  let failed = 0;
  let next = 0;
  resetPeak(server.pid);
  const sampler = new RssSampler(server.pid);
  const started = performance.now();
  let seconds: number;
  let upkeep: ServerUpkeep | null;
  let rss: { sampledMax: number; hwm: number };
  try {
    const client = async (): Promise<void> => {
      for (let k = next++; k < bodies.length; k = next++) {
        const s = performance.now();
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: bodies[k]!,
        });
        const answer = (await res.json()) as { accepted?: number; duplicates?: number };
        latencies.push(performance.now() - s);
        if (res.status === 200) {
          accepted += answer.accepted ?? 0;
          duplicates += answer.duplicates ?? 0;
        } else failed++;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    seconds = (performance.now() - started) / 1000;
    upkeep = await serverUpkeep(server.url);
  } finally {
    rss = sampler.stop();
    server.signal('SIGTERM');
    await server.exited;
  }
  const check = await ingestCheck(work, since);
  return {
    events: events.length,
    seconds,
    perSecond: accepted / seconds,
    ackP50: percentile(latencies, 50),
    ackP99: percentile(latencies, 99),
    accepted,
    duplicates,
    failed,
    serverStartMs,
    rssMax: rss.sampledMax,
    hwm: rss.hwm,
    stored: check.stored,
    check,
    upkeep,
  };
}

export interface DirectFigures {
  route: 'appender+insert' | 'appender-map';
  events: number;
  seconds: number;
  perSecond: number;
  /** Of which: appending (JS values into the appender), the INSERT/cast, the COMMIT. */
  appendS: number;
  insertS: number;
  commitS: number;
  stored: number;
}

function appendCommon(a: DuckDBAppender, e: EventRecord): void {
  a.appendVarchar(e.org);
  a.appendVarchar(e.type);
  a.appendBigInt(BigInt(e.ts));
  a.appendVarchar(e.id);
  if (e.actor === null) a.appendNull();
  else a.appendVarchar(e.actor);
  a.appendDouble(e.value);
}

/** The direct route, one process, no HTTP, into a copy of `base` at `work`; durable at COMMIT. */
export async function directIngest(
  base: string,
  work: string,
  events: EventRecord[],
  route: DirectFigures['route'],
): Promise<DirectFigures> {
  copyFileSync(base, work);
  rmSync(`${work}.wal`, { force: true });
  const instance = await DuckDBInstance.create(work);
  const conn = await instance.connect();
  const mapType = MAP(VARCHAR, VARCHAR);
  try {
    const before = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getColumnsJS()[0]![0]);
    if (route === 'appender+insert')
      await conn.run(`CREATE TEMP TABLE st (org VARCHAR, type VARCHAR, ts BIGINT, id VARCHAR,
        actor VARCHAR, value DOUBLE, dims VARCHAR, received BIGINT)`);
    const t0 = performance.now();
    await conn.run('BEGIN TRANSACTION');
    const a =
      route === 'appender+insert'
        ? await conn.createAppender('st', 'main', 'temp')
        : await conn.createAppender('events');
    const now = BigInt(Date.now());
    for (const e of events) {
      appendCommon(a, e);
      if (route === 'appender+insert') a.appendVarchar(JSON.stringify(e.dims));
      else a.appendMap(mapValue(Object.entries(e.dims).map(([key, value]) => ({ key, value }))), mapType);
      a.appendBigInt(now);
      // Straight into events: the org number too (the bench dataset numbers org k as k).
      if (route !== 'appender+insert') a.appendInteger(Number(e.org));
      a.endRow();
    }
    a.flushSync();
    a.closeSync();
    const t1 = performance.now();
    if (route === 'appender+insert')
      await conn.run(`INSERT INTO events SELECT org, type, ts, id, actor, value,
        CAST(dims::JSON AS MAP(VARCHAR, VARCHAR)), received, CAST(org AS INTEGER) FROM st`);
    const t2 = performance.now();
    await conn.run('COMMIT');
    const t3 = performance.now();
    const after = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getColumnsJS()[0]![0]);
    const seconds = (t3 - t0) / 1000;
    return {
      route,
      events: events.length,
      seconds,
      perSecond: events.length / seconds,
      appendS: (t1 - t0) / 1000,
      insertS: (t2 - t1) / 1000,
      commitS: (t3 - t2) / 1000,
      stored: after - before,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
