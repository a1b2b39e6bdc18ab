/**
 * Filters on `actor_kind` run as semi-/anti-joins on the narrowed actors (dialect-expr.ts), not as
 * a join of every event. Checked on a real in-memory DuckDB against a naive reading of the plan's
 * definition: the kind from the actors row of (org, actor), 'user' when there is none, null
 * without an actor. The fixture has actors without a row, a row in another org, and no actor.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../core/query/plan.js';
import { all, run } from './db.js';
import { toDuckDbSql } from './dialect.js';

const actors: [org: string, id: string, kind: string][] = [
  ['o1', 'd1', 'device'],
  ['o1', 'd2', 'device'],
  ['o1', 'u1', 'user'],
  ['o1', 'v1', 'developer'],
  ['o2', 'u9', 'device'], // u9 has no row in o1: a user there
  ['o2', 'd1', 'user'],
];
const events: [org: string, actor: string | null][] = [
  ['o1', 'd1'],
  ['o1', 'd2'],
  ['o1', 'd2'],
  ['o1', 'u1'],
  ['o1', 'v1'],
  ['o1', 'u9'],
  ['o1', 'x1'],
  ['o1', null],
  ['o1', null],
  ['o2', 'u9'],
  ['o2', 'd1'],
  ['o2', 'zz'],
  ['o2', null],
];

function naiveKind(org: string, actor: string | null): string | null {
  if (actor === null) return null;
  return actors.find(([o, id]) => o === org && id === actor)?.[2] ?? 'user';
}

/** The plan's filter semantics (plan.ts): null stands for "missing". */
function naiveKeeps(f: Filter, kind: string | null): boolean {
  if (f.op === 'prefix') return kind !== null && f.values.some((v) => v !== null && kind.startsWith(v));
  const listed = f.values.includes(kind);
  return f.op === 'not_in' ? !listed : listed;
}

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await run(
    conn,
    'CREATE TABLE events (org VARCHAR, type VARCHAR, ts BIGINT, id VARCHAR, actor VARCHAR, value DOUBLE, dims MAP(VARCHAR, VARCHAR))',
  );
  await run(
    conn,
    'CREATE TABLE actors (org VARCHAR NOT NULL, id VARCHAR NOT NULL, kind VARCHAR NOT NULL, PRIMARY KEY (org, id))',
  );
  for (const [org, id, kind] of actors)
    await run(conn, 'INSERT INTO actors VALUES ($1, $2, $3)', [org, id, kind]);
  let n = 0;
  for (const [org, actor] of events) {
    await run(conn, "INSERT INTO events VALUES ($1, 'activity', 1000, $2, $3, 1, MAP {})", [
      org,
      `e${n++}`,
      actor,
    ]);
  }
});

afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

const VALUE_SETS: (string | null)[][] = [
  ['user'],
  ['device'],
  ['developer'],
  ['user', 'developer'],
  ['device', 'developer'],
  ['user', null],
  ['device', null],
  [null],
  ['nobody'],
];
const CASES: Filter[] = [
  ...(['in', 'not_in'] as const).flatMap((op) =>
    VALUE_SETS.map((values) => ({ field: { kind: 'actor_kind' as const }, op, values })),
  ),
  { field: { kind: 'actor_kind' }, op: 'eq', values: ['user'] },
  { field: { kind: 'actor_kind' }, op: 'prefix', values: ['us'] },
  { field: { kind: 'actor_kind' }, op: 'prefix', values: ['de'] },
  { field: { kind: 'actor_kind' }, op: 'prefix', values: ['dev', 'u'] },
];

describe('actor_kind filters on DuckDB', () => {
  for (const orgs of [['o1'], ['o1', 'o2']]) {
    it.each(CASES.map((f) => [`${f.op} ${JSON.stringify(f.values)} in ${orgs.join('+')}`, f] as const))(
      '%s',
      async (_, filter) => {
        const { sql, params } = toDuckDbSql({
          kind: 'stats',
          scan: { orgs, types: ['activity'], filters: [filter], from: 0, to: 2000 },
          groupBy: [],
          index: { kind: 'none', weekStart: 1, segments: [], clampBefore: null },
          unique: null,
        });
        expect(sql).not.toContain('JOIN');
        const rows = await all(conn, sql, params);
        const expected = events.filter(
          ([org, actor]) => orgs.includes(org) && naiveKeeps(filter, naiveKind(org, actor)),
        ).length;
        expect(rows.length === 0 ? 0 : Number(rows[0]!['n'])).toBe(expected);
      },
    );
  }

  it('the fixture covers every outcome', () => {
    const kinds = events.map(([org, actor]) => naiveKind(org, actor));
    expect(new Set(kinds)).toEqual(new Set(['device', 'user', 'developer', null]));
  });
});
