/**
 * The hand-written ClickHouse SQL and the loader of `--store clickhouse`, on the real
 * ClickHouse server: a small dataset is built by the DuckDB loader, loaded into a fresh
 * ClickHouse database by loadClickHouse, and each query's ClickHouse statements must give
 * the naive JS answers over the generated events (naive.ts; no SQL, no Tally code), for
 * the largest org (with its sub-orgs) and the median one. Skipped without a server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { clickhouseAvailable, clickhouseBaseUrl, freshDatabase } from '../../test/clickhouse/env.js';
import { ensureDataset } from '../dataset.js';
import { EventGenerator, datasetStream } from '../gen/events.js';
import { DEFAULT_PARAMS } from '../gen/model.js';
import { loadClickHouse, post, type ChLoad } from '../phases/clickhouse-load.js';
import { dedupeLookup, type LookupFigures } from '../phases/clickhouse.js';
import { ALL_QUERIES, targets } from './index.js';
import { naiveAnswer } from './naive.js';
import type { Row } from './types.js';

const P = { ...DEFAULT_PARAMS, events: 30_000 };

describe.skipIf(!clickhouseAvailable)('the hand-written ClickHouse SQL on the loaded dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-ch-'));
  const database = freshDatabase();
  const events: EventRecord[] = [];
  let base = '';
  let loaded: ChLoad;
  let ch: ClickHouseClient;

  beforeAll(async () => {
    base = await clickhouseBaseUrl();
    const ds = await ensureDataset(dir, P);
    loaded = await loadClickHouse(base, database, ds.path, dir);
    ch = createClient({
      url: base,
      database,
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    const gen = new EventGenerator(P, datasetStream(P));
    for (let e = gen.next(); e; e = gen.next()) events.push(e);
  }, 180_000);

  afterAll(async () => {
    await ch.close();
    await post(base, `DROP DATABASE IF EXISTS ${database}`);
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string): Promise<Row[]> =>
    (await ch.query({ query: sql, format: 'JSONEachRow' })).json<Row>();

  it('loads every event once, with its fields, a locator each, and merges to one part per month', async () => {
    expect(loaded.events).toBe(events.length);
    const parts = new Map(loaded.parts.map((p) => [p.table, p]));
    expect(parts.get('events')!.rows).toBe(events.length);
    expect(parts.get('event_ids')!.rows).toBe(events.length);
    // 365 days ending 2026-11-23 (+ the warm-up before): 13 months, one part each after OPTIMIZE FINAL.
    const months = new Set(events.map((e) => new Date(e.ts).toISOString().slice(0, 7))).size;
    expect(parts.get('events')!.parts).toBe(months);
    const withDims = events.find((e) => Object.keys(e.dims).length > 1 && e.actor !== null)!;
    const [got] = await rows(
      `SELECT org, type, ts, id, actor, value, dim_keys, dim_values FROM events WHERE id = '${withDims.id}'`,
    );
    expect(got).toEqual({
      org: withDims.org,
      type: withDims.type,
      ts: withDims.ts,
      id: withDims.id,
      actor: withDims.actor,
      value: withDims.value,
      dim_keys: Object.keys(withDims.dims),
      dim_values: Object.values(withDims.dims),
    });
  });

  it('measures the dedupe lookup: stored ids found, new ids not, granules read from query_log', async () => {
    const o = targets(P)[0]!;
    const figures = await dedupeLookup(base, database, o.id, P);
    const get = (label: string, sql: string): LookupFigures =>
      figures.find((f) => f.label === label && f.sql === sql)!;
    const orgEvents = events.filter((e) => e.org === o.id).length;
    expect(get('1,000 stored ids', 'commit lookup (event_ids)').found).toBe(1000);
    expect(get('1,000 stored ids', 'plain events lookup').found).toBe(1000);
    expect(get('1,000 new ids', 'commit lookup (event_ids)').found).toBe(0);
    expect(get('10 new ids', 'event_ids part only').ids).toBe(10);
    // The count reads the org's rows in whole granules (at most 8,192 rows each; a part's last one fewer).
    const whole = get('the org', 'whole org');
    expect(whole.found).toBe(1);
    expect(whole.readRows).toBeGreaterThanOrEqual(orgEvents);
    expect(whole.readRows).toBeLessThanOrEqual(whole.selectedMarks * 8192);
    expect(whole.selectedMarks).toBeGreaterThan(0);
  });

  it('has ClickHouse SQL for every query but the feature pair F0/F1 (native-only; the bench reports them "not written")', () => {
    expect(ALL_QUERIES.filter((q) => q.ch === undefined).map((q) => q.id)).toEqual(['F0', 'F1']);
  });

  for (const q of ALL_QUERIES.filter((x) => x.ch !== undefined)) {
    for (const label of ['largest', 'median'] as const) {
      it(`${q.id} for the ${label} org equals a naive computation over the events`, async () => {
        const o = targets(P).find((t) => t.label === label)!;
        const out: Row[][] = [];
        for (const sql of q.ch!(o, { end: P.end })) out.push(await rows(sql));
        expect(q.fromSql(out, o, { end: P.end })).toEqual(naiveAnswer(q.id, events, o, P.end));
      });
    }
  }
});
