/**
 * The dedupe lookup reads what its ids need, not the org: on an org of 100,000
 * events (13 granules of `events`), finding 10 stored ids among 20 must read at
 * most a few granules. Shown with `EXPLAIN indexes = 1` where the server has it
 * (ClickHouse 21+, so on 26.x through chDB), and on every version by running the
 * lookup under `max_rows_to_read`, which the org-wide lookup it replaced exceeds.
 * Also: a store created before `event_ids` existed gets its locators on start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { ChClient, parseClickHouseUrl } from '../../src/store/clickhouse/client.js';
import { liveCopiesSql } from '../../src/store/clickhouse/event-ids.js';
import { applyStep } from '../../src/store/clickhouse/migrate.js';
import { MIGRATIONS, tableNames } from '../../src/store/clickhouse/schema.js';
import { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { clickhouseAvailable, clickhouseBaseUrl, freshDatabase, freshStore } from './env.js';

const ORG_SIZE = 100_000;
const T0 = Date.UTC(2026, 0, 1);
const id = (i: number): string => `b${String(i).padStart(6, '0')}`;
/** Event i of the big org: one every 10 s, two types, all in January (one partition). */
const bigEvent = (i: number): EventRecord => ({
  org: 'big',
  id: id(i),
  type: i % 2 === 0 ? 'a' : 'b',
  ts: T0 + i * 10_000,
  actor: null,
  value: 1,
  dims: {},
});
/** 10 stored ids from the middle of the org, and 10 it never had. */
const STORED = Array.from({ length: 10 }, (_, k) => id(50_000 + k));
const WANTED = [...STORED, ...Array.from({ length: 10 }, (_, k) => `new${k}`)];
/** Four granules of 8192 rows: what a bounded lookup may read; the whole org is over twice that. */
const LIMIT = { max_rows_to_read: '40000', read_overflow_mode: 'throw' } as const;

/** Major version of the server. */
async function major(client: ChClient): Promise<number> {
  const [row] = await client.query('SELECT version() AS v');
  return Number(String(row?.['v']).split('.')[0]);
}

/** "Granules: read/total" of the primary key of `table`'s read in an `EXPLAIN indexes = 1` text. */
function primaryKeyGranules(explain: string, table: string): { read: number; total: number } {
  const section = explain.split(`ReadFromMergeTree (${table})`)[1] ?? '';
  const m = /PrimaryKey[\s\S]*?Granules: (\d+)\/(\d+)/.exec(section);
  if (!m) throw new Error(`no primary key granules for ${table} in:\n${explain}`);
  return { read: Number(m[1]), total: Number(m[2]) };
}

describe.skipIf(!clickhouseAvailable)('clickhouse dedupe lookup at scale', () => {
  let store: ClickHouseStore;
  let client: ChClient;
  let t: ReturnType<typeof tableNames>;

  beforeAll(async () => {
    store = await freshStore();
    const target = parseClickHouseUrl(store.url);
    client = new ChClient(target);
    t = tableNames({ database: target.database, cluster: null });
    for (let k = 0; k < ORG_SIZE; k += 50_000) {
      const batch = Array.from({ length: 50_000 }, (_, j) => bigEvent(k + j));
      expect(await store.ingest(batch)).toEqual({ accepted: 50_000, duplicates: 0 });
    }
    await client.command(`OPTIMIZE TABLE ${t.events} FINAL`);
    await client.command(`OPTIMIZE TABLE ${t.eventIds} FINAL`);
  }, 300_000);
  afterAll(async () => {
    await client.close();
    await store.close();
  });

  it('finds exactly the stored ids, within a few granules', async () => {
    const rows = await client.query(liveCopiesSql(t, ['big'], WANTED, 'org, id'), LIMIT);
    expect(rows.map((r) => r['id']).sort()).toEqual(STORED);
    // The premise: the org-wide lookup it replaced reads more than the limit.
    await expect(
      client.query(
        `SELECT org, id FROM ${t.events} WHERE org IN ('big') AND id IN ('${STORED.join("', '")}')`,
        LIMIT,
      ),
    ).rejects.toThrow();
  });

  it('EXPLAIN shows the bounded read (ClickHouse 21+)', async (ctx) => {
    if ((await major(client)) < 21) ctx.skip();
    const explain = (
      await client.query(`EXPLAIN indexes = 1 ${liveCopiesSql(t, ['big'], WANTED, 'org, id')}`)
    )
      .map((r) => String(r['explain']))
      .join('\n');
    const events = primaryKeyGranules(explain, t.events);
    console.log(`dedupe lookup: events primary key granules ${events.read}/${events.total}`);
    expect(events.total).toBeGreaterThanOrEqual(Math.floor(ORG_SIZE / 8192));
    expect(events.read).toBeLessThanOrEqual(4);
    const locators = (
      await client.query(
        `EXPLAIN indexes = 1 SELECT org, type, ts, id FROM ${t.eventIds} WHERE org IN ('big') AND id IN ('${WANTED.join("', '")}')`,
      )
    )
      .map((r) => String(r['explain']))
      .join('\n');
    expect(primaryKeyGranules(locators, t.eventIds).read).toBeLessThanOrEqual(3);
  });

  it('a commit of stored and new ids answers exactly', async () => {
    const batch = WANTED.map((w, k) => ({ ...bigEvent(ORG_SIZE + k), id: w }));
    expect(await store.ingest(batch)).toEqual({ accepted: 10, duplicates: 10 });
    const [row] = await client.query(`SELECT count() AS n FROM ${t.events} FINAL WHERE org = 'big'`);
    expect(Number(row?.['n'])).toBe(ORG_SIZE + 10);
  });
});

describe.skipIf(!clickhouseAvailable)('clickhouse event_ids migration', () => {
  it('a store from before event_ids gets locators for its events on start', async () => {
    const url = `${await clickhouseBaseUrl()}/${freshDatabase()}`;
    const target = parseClickHouseUrl(url);
    const client = new ChClient(target);
    const layout = { database: target.database, cluster: null };
    const t = tableNames(layout);
    const store = new ClickHouseStore({ url });
    try {
      // The schema as it was at version 2, with two events stored then.
      await client.command(`CREATE DATABASE ${target.database}`);
      await client.command(
        `CREATE TABLE ${t.migrations} (version UInt32, applied_at Int64) ENGINE = ReplacingMergeTree ORDER BY version`,
      );
      for (const step of [...MIGRATIONS[0]!(layout), ...MIGRATIONS[1]!(layout)])
        await applyStep(client, layout, step);
      await client.insert(t.migrations, [
        { version: 1, applied_at: 0 },
        { version: 2, applied_at: 0 },
      ]);
      await client.insert(t.orgs, [{ id: 'acme', timezone: 'UTC', created_at: 0, ver: 1 }]);
      await client.insert(t.events, [
        {
          org: 'acme',
          type: 'a',
          ts: T0,
          id: 'old1',
          value: 1,
          dim_keys: [],
          dim_values: [],
          received: 0,
          ver: 7,
        },
        {
          org: 'acme',
          type: 'b',
          ts: T0 + 1,
          id: 'old2',
          value: 1,
          dim_keys: [],
          dim_values: [],
          received: 0,
          ver: 7,
        },
      ]);
      await store.init();
      const locators = await client.query(`SELECT org, id, type, ts, ver FROM ${t.eventIds} ORDER BY id`);
      expect(locators).toEqual([
        { org: 'acme', id: 'old1', type: 'a', ts: T0, ver: 7 },
        { org: 'acme', id: 'old2', type: 'b', ts: T0 + 1, ver: 7 },
      ]);
      const again = (i: string): EventRecord => ({ ...bigEvent(0), org: 'acme', id: i });
      expect(await store.ingest([again('old1'), again('old2'), again('fresh')])).toEqual({
        accepted: 1,
        duplicates: 2,
      });
    } finally {
      await store.dropDatabase();
      await store.close();
      await client.close();
    }
  });
});

describe.skipIf(!clickhouseAvailable)('clickhouse event_ids follow deletions', () => {
  it('correction, actor and org erasure, and retention remove the locators of what they delete', async () => {
    const store = await freshStore();
    const target = parseClickHouseUrl(store.url);
    const client = new ChClient(target);
    const t = tableNames({ database: target.database, cluster: null });
    const e = (org: string, i: string, actor: string | null, ts = T0): EventRecord => ({
      ...bigEvent(0),
      org,
      id: i,
      actor,
      ts,
    });
    const audit = { keyId: 'k', params: {}, scope: [['*']] };
    try {
      await store.ingest([
        e('acme', 'fixed', null),
        e('acme', 'byU', 'u'),
        e('acme', 'byV', 'v'),
        e('acme', 'old', null, T0 - 86_400_000),
        e('gone', 'g1', null),
      ]);
      await store.deleteEvents([{ org: 'acme', id: 'fixed' }], { ...audit, op: 'delete_events' });
      await store.eraseActor(['acme'], 'u', { ...audit, op: 'erase_actor' });
      await store.eraseOrgs(['gone'], { ...audit, op: 'erase_orgs' });
      await store.expireEvents([{ org: 'acme', before: T0, audit: { ...audit, op: 'retention' } }]);
      // The corrected id is free again and gets a locator of its own.
      expect(await store.ingest([e('acme', 'fixed', null, T0 + 5)])).toEqual({ accepted: 1, duplicates: 0 });
      const deadline = Date.now() + 30_000;
      let left: string[] = [];
      for (;;) {
        left = (await client.query(`SELECT org, id, ts FROM ${t.eventIds} ORDER BY org, id`)).map(
          (r) => `${String(r['org'])}/${String(r['id'])}/${Number(r['ts']) - T0}`,
        );
        if (left.length <= 2 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(left).toEqual(['acme/byV/0', 'acme/fixed/5']);
    } finally {
      await client.close();
      await store.close();
    }
  });
});
