/**
 * The hand-written SQL is the benchmark's reference: every Tally answer is checked
 * against it. Here it is checked in turn against naive JS over the generated events
 * (no SQL, no Tally code): a small dataset is built through the real loader, each
 * query's DuckDB statements run on it, and their canonical answers must equal the
 * naive ones for the largest org (with its sub-orgs) and the median one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import { all } from '../../src/store/duckdb/db.js';
import { ensureDataset } from '../dataset.js';
import { EventGenerator, datasetStream } from '../gen/events.js';
import { DAY_MS, DEFAULT_PARAMS } from '../gen/model.js';
import { ALL_QUERIES, targets } from './index.js';
import { isoWeekOf } from './compat-rich.js';
import { naiveAnswer } from './naive.js';
import type { OrgTarget, Row } from './types.js';

const P = { ...DEFAULT_PARAMS, events: 30_000 };
const dir = mkdtempSync(join(tmpdir(), 'tally-bench-test-'));
let path = '';
const events: EventRecord[] = [];

beforeAll(async () => {
  path = (await ensureDataset(dir, P)).path;
  const gen = new EventGenerator(P, datasetStream(P));
  for (let e = gen.next(); e; e = gen.next()) events.push(e);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function handAnswer(q: (typeof ALL_QUERIES)[number], o: OrgTarget): Promise<unknown> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const rows: Row[][] = [];
    for (const sql of q.duck(o, { end: P.end })) rows.push(await all(conn, sql));
    return q.fromSql(rows, o, { end: P.end });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('the hand-written DuckDB SQL', () => {
  for (const q of ALL_QUERIES) {
    for (const label of ['largest', 'median'] as const) {
      it(`${q.id} for the ${label} org equals a naive computation over the events`, async () => {
        const o = targets(P).find((t) => t.label === label)!;
        const expected = naiveAnswer(q.id, events, o, P.end);
        expect(await handAnswer(q, o)).toEqual(expected);
      });
    }
  }

  it('sees data in every query for the largest org (the checks above are not vacuous)', () => {
    const o = targets(P)[0]!;
    const q1 = naiveAnswer('Q1', events, o, P.end) as number[];
    expect(q1.filter((n) => n > 0).length).toBeGreaterThan(300);
    const capgo = naiveAnswer('Capgo', events, o, P.end) as {
      mau: number;
      storage: number;
      bandwidth: number;
    }[];
    expect(capgo.at(-1)!.mau * capgo.at(-1)!.storage * capgo.at(-1)!.bandwidth).toBeGreaterThan(0);
    const viktor = naiveAnswer('VIKTOR', events, o, P.end) as { users: { total_users: { count: number }[] } };
    expect(viktor.users.total_users.at(-1)!.count).toBeGreaterThan(0);
    for (const id of ['TR50', 'TR50Y']) {
      const tr50 = naiveAnswer(id, events, o, P.end) as { total: number; ts: string[] };
      expect(tr50.total).toBeGreaterThan(0);
      expect(tr50.ts.length).toBe(id === 'TR50' ? 7 * 24 : 365);
    }
    const bundle = naiveAnswer('CapgoBundle', events, o, P.end) as {
      labels: string[];
      datasets: { data: number[] }[];
    };
    expect(bundle.labels.length).toBe(91);
    expect(bundle.datasets.length).toBeGreaterThan(1);
    // Every day after the first with data sums to 100.0 exactly, in tenths.
    const sums = bundle.labels.map((_, k) =>
      bundle.datasets.reduce((a, d) => a + Math.round(d.data[k]! * 10), 0),
    );
    expect(sums.filter((x) => x === 1000).length).toBeGreaterThan(80);
    expect(sums.every((x) => x === 0 || x === 1000)).toBe(true);
    const year = naiveAnswer('CapgoY', events, o, P.end) as { mau: number }[];
    expect(year.length).toBe(365);
    expect(year.at(-1)!.mau).toBeGreaterThan(capgo.at(-1)!.mau);
    const f1 = naiveAnswer('F1', events, o, P.end) as Record<'now' | 'before', (number | null)[][]>;
    for (const lists of [f1.now, f1.before])
      for (const xs of lists) expect(xs.filter((x) => x !== null && x > 0).length).toBeGreaterThan(0);
  });
});

describe('isoWeekOf', () => {
  it.each([
    ['2026-01-01', 2026, 1],
    ['2027-01-01', 2026, 53],
    ['2021-01-03', 2020, 53],
    ['2024-12-30', 2025, 1],
    ['2026-11-23', 2026, 48],
  ])('%s is ISO %i-W%i', (date, year, week) => {
    expect(isoWeekOf(Date.parse(`${date}T00:00:00Z`) / DAY_MS)).toEqual({ year, week });
  });
});
