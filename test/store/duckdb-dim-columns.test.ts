/**
 * Dim columns (src/store/duckdb/dim-columns.ts): the configured dims keys are kept as plain
 * columns of events, filled by ingest, backfilled when a key is added, dropped when one is taken
 * out, and read by queries in place of the map, with the same answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { Filter, FilterTree } from '../../src/core/query/plan.js';
import { runQuery } from '../../src/core/query/run.js';
import { all, run } from '../../src/store/duckdb/db.js';
import { toDuckDbSql } from '../../src/store/duckdb/dialect.js';
import {
  DEFAULT_DIM_COLUMNS,
  MAX_DIM_COLUMNS,
  parseDimColumns,
  type DimColumnsWanted,
} from '../../src/store/duckdb/dim-columns.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { plan, values } from '../engine/fixture.js';

const DAY = '2026-03-01T00:00:00Z';
const T = Date.parse(DAY);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-dimcols-'));
  dirs.push(dir);
  return join(dir, 'tally.duckdb');
}

function event(id: string, dims: Record<string, string>): EventRecord {
  return { org: 'o1', type: 'activity', ts: T + 1000, id, actor: null, value: 1, dims };
}

/** Six events; the answers below are counted by hand from these. */
const EVENTS = [
  event('e1', { app: 'x', region: 'eu' }),
  event('e2', { app: 'x' }),
  event('e3', { app: 'y', region: 'us' }),
  event('e4', { region: 'eu' }),
  event('e5', {}),
  event('e6', { app: 'x', region: 'us' }),
];

async function open(path: string, dimColumns: DimColumnsWanted): Promise<DuckDbStore> {
  const store = await DuckDbStore.open({ path, dimColumns, upkeep: false, clock: () => T + 86_400_000 });
  await store.init();
  return store;
}

const leaf = (key: string, op: Filter['op'], vals: (string | null)[]): Filter => ({
  field: { kind: 'dim', key },
  op,
  values: vals,
});

/** The count of the day's events under `filters`. */
async function count(store: DuckDbStore, filters: FilterTree[]): Promise<number | null> {
  const q = plan(DAY, '2026-03-02T00:00:00Z', { filters });
  return values(await runQuery(q, T + 86_400_000, (r) => store.fetchRows(r)))[0] ?? null;
}

/** Key -> column, as the file records it. */
async function mapping(store: DuckDbStore): Promise<Record<string, string>> {
  const rows = await store.read((c) => all(c, 'SELECT key, col FROM dim_columns ORDER BY key'));
  return Object.fromEntries(rows.map((r) => [String(r['key']), String(r['col'])]));
}

/** The dim_ columns events has. */
async function columns(store: DuckDbStore): Promise<string[]> {
  const rows = await store.read((c) =>
    all(c, "SELECT column_name AS c FROM duckdb_columns() WHERE table_name = 'events' ORDER BY column_index"),
  );
  return rows.map((r) => String(r['c'])).filter((c) => c.startsWith('dim_'));
}

/** id -> the column's value, for every event. */
async function columnValues(store: DuckDbStore, col: string): Promise<Record<string, unknown>> {
  if (!/^dim_\d+$/.test(col)) throw new Error(col);
  const rows = await store.read((c) => all(c, `SELECT id, ${col} AS v FROM events ORDER BY id`));
  return Object.fromEntries(rows.map((r): [string, unknown] => [String(r['id']), r['v']]));
}

describe('dim columns on DuckDB', () => {
  it('fills them on ingest, backfills an added key, drops a removed one, and answers alike', async () => {
    const path = tempFile();
    let store = await open(path, ['app']);
    await store.ingest(EVENTS);
    expect(await mapping(store)).toEqual({ app: 'dim_0' });
    expect(await columnValues(store, 'dim_0')).toEqual({
      e1: 'x',
      e2: 'x',
      e3: 'y',
      e4: null,
      e5: null,
      e6: 'x',
    });
    expect(await count(store, [leaf('app', 'in', ['x'])])).toBe(3);
    expect(await count(store, [leaf('app', 'in', [null])])).toBe(2);
    expect(await count(store, [leaf('region', 'eq', ['eu'])])).toBe(2);
    // Queries read the column, not the map: a column made to disagree with the map shows it.
    await store.read((c) => run(c, "UPDATE events SET dim_0 = 'z' WHERE id = 'e1'"));
    expect(await count(store, [leaf('app', 'in', ['x'])])).toBe(2);
    await store.close();

    // region added: backfilled from the map, then filled by ingest and kept by compaction.
    store = await open(path, ['app', 'region']);
    expect(await mapping(store)).toEqual({ app: 'dim_0', region: 'dim_1' });
    await store.ingest([event('e7', { region: 'eu', app: 'y' })]);
    await store.compact();
    expect(await columnValues(store, 'dim_1')).toEqual({
      e1: 'eu',
      e2: null,
      e3: 'us',
      e4: 'eu',
      e5: null,
      e6: 'us',
      e7: 'eu',
    });
    expect((await columnValues(store, 'dim_0'))['e7']).toBe('y');
    expect(await count(store, [leaf('region', 'eq', ['eu'])])).toBe(3);
    expect(await count(store, [{ not: leaf('region', 'eq', ['us']) }])).toBe(5);
    await store.close();

    // app taken out: its column is gone and its filters read the map (where e1 is still 'x').
    store = await open(path, ['region']);
    expect(await mapping(store)).toEqual({ region: 'dim_1' });
    expect(await columns(store)).toEqual(['dim_1']);
    expect(await count(store, [leaf('app', 'in', ['x'])])).toBe(3);
    expect(await count(store, [leaf('region', 'prefix', ['e'])])).toBe(3);
    await store.close();

    // `keep` (commands other than serve) leaves the file as it is; a new key takes the free name.
    store = await open(path, 'keep');
    expect(await mapping(store)).toEqual({ region: 'dim_1' });
    await store.close();
    store = await open(path, ['region', 'plan']);
    expect(await mapping(store)).toEqual({ plan: 'dim_0', region: 'dim_1' });
    expect(await columnValues(store, 'dim_0')).toEqual(
      Object.fromEntries(EVENTS.concat(event('e7', {})).map((e) => [e.id, null])),
    );
    await store.close();

    store = await open(path, []);
    expect(await columns(store)).toEqual([]);
    expect(await count(store, [leaf('region', 'eq', ['eu'])])).toBe(3);
    await store.close();
  });

  it('opens a new store with the default keys', async () => {
    const store = await open(tempFile(), DEFAULT_DIM_COLUMNS);
    expect(Object.keys(await mapping(store)).sort()).toEqual([...DEFAULT_DIM_COLUMNS].sort());
    await store.close();
  });

  it('writes the column of a kept key into the statement and the map for any other', () => {
    const request = {
      kind: 'stats' as const,
      scan: {
        orgs: ['o1'],
        types: [],
        filters: [leaf('app', 'eq', ['x']), leaf('region', 'eq', ['eu'])],
        from: T,
        to: T + 1,
      },
      groupBy: [{ kind: 'dim' as const, key: 'app' }],
      index: { kind: 'none' as const, weekStart: 1 as const, segments: [], clampBefore: null },
      unique: null,
    };
    const { sql, params } = toDuckDbSql(request, { dimCols: new Map([['app', 'dim_3']]) });
    expect(sql).toContain('e.dim_3 AS g0');
    expect(sql).toContain('e.dim_3 IN (');
    expect(sql).toContain('e.dims[');
    expect(params).toEqual(['o1', 'x', 'region', 'eu']);
    expect(toDuckDbSql(request).sql).not.toContain('dim_3');
  });
});

describe('TALLY_DIM_COLUMNS', () => {
  it.each([
    [undefined, DEFAULT_DIM_COLUMNS],
    ['', DEFAULT_DIM_COLUMNS],
    ['none', []],
    [' NONE ', []],
    ['app', ['app']],
    [' app , plan.tier ,x ', ['app', 'plan.tier', 'x']],
  ])('reads %j', (raw, want) => {
    expect(parseDimColumns(raw)).toEqual(want);
  });

  it.each([
    ['app,,plan', /1-64 characters/],
    ['a'.repeat(65), /1-64 characters/],
    ['app,app', /twice/],
    [Array.from({ length: MAX_DIM_COLUMNS + 1 }, (_, k) => `k${k}`).join(','), /at most 32/],
  ])('refuses %j', (raw, why) => {
    expect(() => parseDimColumns(raw)).toThrow(why);
  });
});
