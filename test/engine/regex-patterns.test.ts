/**
 * The regex filter's syntax check held against the engines: every pattern the check accepts
 * must compile and match on DuckDB and ClickHouse as RE2 defines, and patterns RE2 refuses must
 * be refused by the check (a 400) and by the engines alike, so the check is never the only
 * thing standing between a request and a 500. Counts were worked out by hand over VALUES.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { RawRow, RowRequest } from '../../src/core/query/requests.js';
import { re2SyntaxError, UNICODE_CLASSES } from '../../src/core/query/re2-syntax.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { clickhouseAvailable, freshStore } from '../clickhouse/env.js';

const VALUES = ['x', 'xy', 'y', 'Xy', 'é', 'a.b', 'ab{', 'a1', 'ΩΩ', 'aaaaaaaaaa'];

/** Accepted patterns and how many of VALUES each matches (unanchored, as RE2's partial match). */
const ACCEPTED: [string, number][] = [
  ['^x', 2], // x, xy
  ['y$', 3], // xy, y, Xy
  ['(?i)^x', 3], // x, xy, Xy
  ['^.$', 3], // x, y, é: one code point, not two bytes
  ['^\\pL+$', 6], // x xy y Xy é ΩΩ aaaaaaaaaa? (10 letters) -> see below
  ['[[:digit:]]', 1], // a1
  ['a\\.b', 1],
  ['ab{', 1], // a brace that starts no count is literal
  ['^x{1,2}$', 1], // x
  ['(?P<first>x)y', 1], // xy
  ['\\Qa.b\\E', 1],
  ['\\x{e9}', 1], // é
  ['^[^xyz]$', 1], // é
  ['\\bxy\\b', 1],
  ['^(?:a|x)+$', 2], // x, aaaaaaaaaa
  ['\\p{Greek}', 1], // ΩΩ
  ['^(a{10}){1,100}$', 1], // nested counts 100 x 10 = 1000, RE2's bound
  ['[\\p{L}\\p{N}]{1,100}', 10],
  ['(?s:.)|(?m)^a', 10],
  ['x*?y', 3], // xy, y, Xy
];
ACCEPTED[4] = ['^\\pL+$', 7]; // x, xy, y, Xy, é, ΩΩ, aaaaaaaaaa

/** Patterns RE2 itself refuses: the check must refuse them, and so must both engines. */
const RE2_REFUSES = [
  '(a',
  'a)',
  '[a',
  '*a',
  'a**',
  '(?=x)',
  '(?!x)',
  '(?<=x)',
  'x{1001}',
  '(a{100}){100}',
  '\\Z',
  '[b-a]',
  '\\p{Foo}',
  'a{2}{3}',
  '\\8',
];

/** Valid RE2 the check refuses on purpose (see re2-syntax.ts): a 400, never a 500. */
const CHECK_ONLY = ['\\C', '(?<name>x)', '\\12', '^*'];

function events(): EventRecord[] {
  return VALUES.map((v, k) => ({
    org: 'o1',
    type: 't',
    id: `e${k}`,
    ts: 1_700_000_000_000 + k,
    actor: null,
    value: 1,
    dims: { s: v },
  }));
}

function request(pattern: string): RowRequest {
  return {
    kind: 'stats',
    scan: {
      orgs: ['o1'],
      types: [],
      filters: [{ field: { kind: 'dim', key: 's' }, op: 'regex', values: [pattern] }],
      from: null,
      to: 1_800_000_000_000,
    },
    groupBy: [],
    index: { kind: 'none', weekStart: 1, segments: [], clampBefore: null },
    unique: null,
  };
}

interface Engine {
  ingest(events: EventRecord[]): Promise<unknown>;
  fetchRows(request: RowRequest): Promise<RawRow[]>;
  close(): Promise<void>;
}

async function matched(e: Engine, pattern: string): Promise<number> {
  const rows = await e.fetchRows(request(pattern));
  return rows.reduce((s, r) => s + Number(r['n']), 0);
}

function runPatterns(name: string, open: () => Promise<Engine>): void {
  it(`${name}: accepted patterns compile and match as RE2; refused ones fail there too`, async () => {
    const e = await open();
    try {
      await e.ingest(events());
      for (const [p, n] of ACCEPTED) expect(await matched(e, p), p).toBe(n);
      for (const p of RE2_REFUSES) await expect(matched(e, p), p).rejects.toThrow();
      // Every Unicode class the check accepts is one the engine's RE2 knows.
      for (const name of UNICODE_CLASSES)
        expect(await matched(e, `\\p{${name}}`), name).toBeGreaterThanOrEqual(0);
    } finally {
      await e.close();
    }
  }, 60_000);
}

describe('re2SyntaxError', () => {
  it('accepts the accepted patterns', () => {
    for (const [p] of ACCEPTED) expect(re2SyntaxError(p), p).toBeNull();
  });
  it('refuses what RE2 refuses, and what it leaves out on purpose', () => {
    for (const p of [...RE2_REFUSES, ...CHECK_ONLY]) expect(re2SyntaxError(p), p).toEqual(expect.any(String));
  });
  it('bounds the length: 200 characters', () => {
    expect(re2SyntaxError('a'.repeat(200))).toBeNull();
    expect(re2SyntaxError('a'.repeat(201))).toBe('must be a pattern of 1-200 characters');
  });
});

runPatterns('duckdb', async () => {
  const store = await DuckDbStore.open({ path: ':memory:', readers: 1 });
  await store.init();
  return store;
});

describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
  runPatterns('clickhouse', freshStore);
});
