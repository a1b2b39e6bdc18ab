/**
 * Org numbers (src/store/duckdb/schema.ts, migration 5): a file written before them gets
 * numbers for its orgs and events on open; new orgs (by ingest, by the orgs API, by the
 * actors API) get the next ones; every event row carries its org's number; and scans filter
 * on it without changing answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { MIGRATIONS } from '../../src/store/duckdb/schema.js';
import { all, run } from '../../src/store/duckdb/db.js';
import { makeQuery } from '../../src/core/query/plan.js';
import { toDuckDbSql } from '../../src/store/duckdb/dialect.js';
import type { RowRequest } from '../../src/core/query/requests.js';
import { runQuery } from '../../src/core/query/run.js';

const T = Date.parse('2026-03-01T00:00:00Z');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-orgno-'));
  dirs.push(dir);
  return join(dir, 'tally.duckdb');
}

/** A file as the release before org numbers left it: migrations 1-4 and rows written by hand. */
async function oldFile(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run('CREATE TABLE meta (k VARCHAR PRIMARY KEY, v VARCHAR)');
  for (const m of MIGRATIONS.slice(0, 4)) await c.run(m);
  await c.run("INSERT INTO meta VALUES ('schema_version', '4')");
  // Created in the order 10, 1, 2 (2 and 1 at the same time: the id breaks the tie).
  await c.run(`INSERT INTO orgs VALUES ('10', NULL, NULL, NULL, 'UTC', 1), ('2', NULL, NULL, NULL, 'UTC', 5),
    ('1', NULL, NULL, NULL, 'UTC', 5)`);
  await c.run(`INSERT INTO events VALUES
    ('1', 'activity', ${T}, 'a', 'u', 1, MAP {}, 7),
    ('10', 'activity', ${T}, 'b', 'u', 1, MAP {}, 7),
    ('2', 'activity', ${T + 1000}, 'c', NULL, 1, MAP {}, 7),
    ('10', 'activity', ${T + 2000}, 'd', NULL, 1, MAP {}, 7)`);
  c.closeSync();
  instance.closeSync();
}

async function numbers(store: DuckDbStore): Promise<{ orgs: unknown[]; events: unknown[] }> {
  return store.read(async (c) => ({
    orgs: await all(c, 'SELECT id, no FROM orgs ORDER BY no'),
    events: await all(c, 'SELECT id, org, org_no FROM events ORDER BY id'),
  }));
}

describe('duckdb org numbers', () => {
  it('numbers the orgs and events of an older file by creation order, then new orgs after them', async () => {
    const path = tempFile();
    await oldFile(path);
    const store = await DuckDbStore.open({ path, clock: () => T + 60_000, upkeep: false });
    await store.init();
    expect(await numbers(store)).toEqual({
      orgs: [
        { id: '10', no: 1 },
        { id: '1', no: 2 },
        { id: '2', no: 3 },
      ],
      events: [
        { id: 'a', org: '1', org_no: 2 },
        { id: 'b', org: '10', org_no: 1 },
        { id: 'c', org: '2', org_no: 3 },
        { id: 'd', org: '10', org_no: 1 },
      ],
    });
    // New orgs: two by one ingest (numbered in id order), one by the orgs API, one by the actors API.
    const ev = (org: string, id: string) => ({
      org,
      id,
      type: 'activity',
      ts: T,
      actor: null,
      value: 1,
      dims: {},
    });
    await store.ingest([ev('zeta', 'e1'), ev('alpha', 'e2'), ev('1', 'e3')]);
    await store.putOrg({ id: 'api', name: null, parent: null, domain: null, timezone: 'UTC', created_at: T });
    await store.putOrg({
      id: 'api',
      name: 'renamed',
      parent: null,
      domain: null,
      timezone: 'UTC',
      created_at: T,
    });
    await store.upsertActors([{ org: 'people', id: 'p1', kind: 'user' }]);
    await store.ingest([ev('api', 'e4'), ev('people', 'e5')]);
    const after = await numbers(store);
    expect(after.orgs.slice(3)).toEqual([
      { id: 'alpha', no: 4 },
      { id: 'zeta', no: 5 },
      { id: 'api', no: 6 },
      { id: 'people', no: 7 },
    ]);
    expect(after.events.slice(4)).toEqual([
      { id: 'e1', org: 'zeta', org_no: 5 },
      { id: 'e2', org: 'alpha', org_no: 4 },
      { id: 'e3', org: '1', org_no: 2 },
      { id: 'e4', org: 'api', org_no: 6 },
      { id: 'e5', org: 'people', org_no: 7 },
    ]);
    await store.close();
  });

  it('compacts by org number, and queries read the same answers through it', async () => {
    const path = tempFile();
    await oldFile(path);
    const store = await DuckDbStore.open({ path, clock: () => T + 60_000, upkeep: false });
    await store.init();
    await store.compact();
    const order = await store.read((c) => all(c, 'SELECT id FROM events ORDER BY rowid'));
    expect(order.map((r) => r['id'])).toEqual(['b', 'd', 'a', 'c']);
    const q = makeQuery({ orgs: ['1', '10'], range: { from: T, to: T + 86_400_000 }, bucket: 'none' });
    const result = await runQuery(q, T + 60_000, (request) => store.fetchRows(request));
    expect(result.series.map((s) => s.points.map((p) => p.value))).toEqual([[3]]);
    await store.close();
  });

  it('refuses a batch whose org has no number rather than dropping its events', async () => {
    const store = await DuckDbStore.open({ path: ':memory:', clock: () => T, upkeep: false });
    await store.init();
    const ev = (id: string) => ({
      org: 'gone',
      id,
      type: 'activity',
      ts: T,
      actor: null,
      value: 1,
      dims: {},
    });
    await store.ingest([ev('e1')]);
    // The org row vanishes behind the store's back (the store still believes the org exists).
    await store.read((c) => run(c, "DELETE FROM orgs WHERE id = 'gone'"));
    await expect(store.ingest([ev('e2')])).rejects.toThrow();
    const stored = await store.read((c) => all(c, 'SELECT id FROM events ORDER BY id'));
    expect(stored).toEqual([{ id: 'e1' }]);
    await store.close();
  });

  it('filters scans by org number only when it knows every org of the scan', () => {
    const request: RowRequest = {
      kind: 'stats',
      scan: { orgs: ['1', '10'], types: [], filters: [], from: T, to: T + 86_400_000 },
      groupBy: [],
      index: { kind: 'none', weekStart: 1, segments: [], clampBefore: null },
      unique: null,
    };
    const both = new Map([
      ['1', 2],
      ['10', 1],
    ]);
    expect(toDuckDbSql(request, { orgNos: both }).sql).toContain('AND e.org_no IN (2, 1)');
    expect(toDuckDbSql(request, { orgNos: new Map([['1', 2]]) }).sql).not.toContain('org_no');
    expect(toDuckDbSql(request).sql).not.toContain('org_no');
  });

  it('plans a scan over many orgs in bounded text: one bound list and a number range', () => {
    // A '*' key over 1,000 orgs once wrote 1,000 placeholders and 1,000 literals, which DuckDB took
    // tens of ms to plan before reading a tiny store (Capgo bundle_usage's app lookup, issue 20).
    const orgs = Array.from({ length: 1000 }, (_, k) => `o${k}`);
    const request: RowRequest = {
      kind: 'stats',
      scan: { orgs, types: [], filters: [], from: T, to: T + 86_400_000 },
      groupBy: [],
      index: { kind: 'none', weekStart: 1, segments: [], clampBefore: null },
      unique: null,
    };
    const { sql, params } = toDuckDbSql(request, { orgNos: new Map(orgs.map((o, k) => [o, 1000 - k])) });
    expect(params).toHaveLength(1);
    expect(sql).toContain('e.org_no BETWEEN 1 AND 1000');
    expect(sql.length).toBeLessThan(1000);
  });

  it('answers exactly for more orgs than it lists one by one, with other orgs inside the number range', async () => {
    const store = await DuckDbStore.open({ path: ':memory:', clock: () => T + 60_000, upkeep: false });
    await store.init();
    // Org k holds k % 4 + 1 events; orgs are created one batch each, so their numbers follow k.
    for (let k = 0; k < 150; k++) {
      const org = `org${k}`;
      const n = (k % 4) + 1;
      await store.ingest(
        Array.from({ length: n }, (_, j) => ({
          org,
          id: `${org}-${j}`,
          type: 'activity',
          ts: T + j,
          actor: null,
          value: 1,
          dims: {},
        })),
      );
    }
    // Every third org (50: listed one by one), then the others (100: one bound list, and the number
    // range over all 150, so the 50 left out are inside it and only the org ids keep them out).
    for (const keep of [(k: number) => k % 3 === 0, (k: number) => k % 3 !== 0]) {
      const ks = Array.from({ length: 150 }, (_, k) => k).filter(keep);
      const q = makeQuery({
        orgs: ks.map((k) => `org${k}`),
        range: { from: T, to: T + 86_400_000 },
        bucket: 'none',
        groupBy: [{ kind: 'org' }],
      });
      const result = await runQuery(q, T + 60_000, (request) => store.fetchRows(request));
      const got: Record<string, number | null | undefined> = {};
      for (const s of result.series) got[String(s.group['org'])] = s.total;
      expect(got).toEqual(Object.fromEntries(ks.map((k) => [`org${k}`, (k % 4) + 1])));
    }
    await store.close();
  });
});
