/**
 * Conformance cases for shapes and bounds: share with largest remainder, top-N
 * with "other", filters with missing values, actor kinds, org sets, freshness
 * metadata and the 5000-bucket limit. Hand-computed, engine-agnostic.
 */
import { expect, test } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import type { Field } from '../../src/core/query/plan.js';
import { ev, plan, values, type MakeEngine } from './fixture.js';

const app: Field = { kind: 'dim', key: 'app' };
const day = (d: number, h = 10): string => `2024-05-0${d}T${String(h).padStart(2, '0')}:00:00Z`;

export function runShapeCases(make: MakeEngine): void {
  const withDb = (name: string, fn: (db: Awaited<ReturnType<MakeEngine>>) => Promise<void>): void => {
    test(name, async () => {
      const db = await make();
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    });
  };

  withDb('share at 0.1 sums to exactly 100 per day (largest remainder)', async (db) => {
    // Day 1: 1/1/1 -> 33.4/33.3/33.3 (ties: earlier group); day 2: 2:1 -> 66.7/33.3; day 3: none -> 0s.
    const v = (ver: string, d: number) => ev(day(d), { dims: { ver } });
    await db.ingest([v('1.0', 1), v('1.1', 1), v('2.0', 1), v('1.0', 2), v('1.0', 2), v('1.1', 2)]);
    const r = await db.query(
      plan(day(1, 0), day(4, 0), { groupBy: [{ kind: 'dim', key: 'ver' }], share: { precision: 1 } }),
      0,
    );
    expect(r.series.map((s) => s.group['dims.ver'])).toEqual(['1.0', '1.1', '2.0']);
    expect(r.series.map((s) => s.points.map((p) => p.share))).toEqual([
      [33.4, 66.7, 0],
      [33.3, 33.3, 0],
      [33.3, 0, 0],
    ]);
  });

  withDb('top-N with other: counts add up, distinct other is rescanned', async (db) => {
    // x: a,a,b (3 events, 2 actors); y: c,d (2, 2); z: c (1, 1). Top 1 by count: x; other = y+z = 3 events, actors {c,d} = 2.
    const e = (a: string, v: string) => ev(day(1), { actor: a, dims: { app: v } });
    await db.ingest([e('a', 'x'), e('a', 'x'), e('b', 'x'), e('c', 'y'), e('d', 'y'), e('c', 'z')]);
    const q = plan(day(1, 0), day(2, 0), { groupBy: [app], top: { n: 1, other: true } });
    const counts = await db.query(q, 0);
    expect([
      counts.series[0]!.group,
      counts.series[0]!.total,
      counts.other!.total,
      counts.total_groups,
    ]).toEqual([{ 'dims.app': 'x' }, 3, 3, 3]);
    const uniq = await db.query(
      { ...q, aggregation: { fn: 'unique', of: [{ kind: 'actor' }] }, top: { n: 2, other: true } },
      0,
    );
    // By distinct actors: x=2, y=2 (tie -> x first), z=1; other = z = 1.
    expect(uniq.series.map((s) => [s.group['dims.app'], s.total])).toEqual([
      ['x', 2],
      ['y', 2],
    ]);
    expect(values({ ...uniq, series: [uniq.other!] })).toEqual([1]);
  });

  withDb('filters: in with missing, not_in, prefix', async (db) => {
    const w = (t?: string) => ev(day(1), { dims: t ? { workspace_type: t } : {} });
    await db.ingest([w('standard'), w(), w('public'), w('development')]);
    const f = (op: 'in' | 'not_in' | 'prefix', vals: (string | null)[]) =>
      db.query(
        plan(day(1, 0), day(2, 0), {
          filters: [{ field: { kind: 'dim', key: 'workspace_type' }, op, values: vals }],
        }),
        0,
      );
    expect(values(await f('in', ['standard', null]))).toEqual([2]);
    expect(values(await f('not_in', ['standard']))).toEqual([3]); // missing is not 'standard'
    expect(values(await f('not_in', ['standard', null]))).toEqual([2]);
    expect(values(await f('prefix', ['dev', 'pub']))).toEqual([2]);
  });

  withDb('actor_kind from the actors table; unknown actors are users', async (db) => {
    await db.ingest([ev(day(1), { actor: 'u1' }), ev(day(1), { actor: 'd1' }), ev(day(1), { actor: null })]);
    await db.upsertActors([{ org: 'o1', id: 'd1', kind: 'device' }]);
    const r = await db.query(plan(day(1, 0), day(2, 0), { groupBy: [{ kind: 'actor_kind' }] }), 0);
    expect(r.series.map((s) => [s.group['actor_kind'], s.total])).toEqual([
      [null, 1],
      ['device', 1],
      ['user', 1],
    ]);
  });

  withDb('org sets (subtree) and the same actor id in two orgs counted twice', async (db) => {
    await db.ingest([ev(day(1), { org: 'o1', actor: 'a' }), ev(day(1), { org: 'o2', actor: 'a' })]);
    const q = plan(day(1, 0), day(2, 0), { aggregation: { fn: 'unique', of: [{ kind: 'actor' }] } });
    expect(values(await db.query(q, 0))).toEqual([1]);
    expect(values(await db.query({ ...q, orgs: ['o1', 'o2'] }, 0))).toEqual([2]);
  });

  withDb('freshness: read_at and whether the last bucket is still open', async (db) => {
    const q = plan(day(1, 0), day(3, 12));
    const open = await db.query(q, Date.parse(day(3, 12)));
    expect(open.meta).toEqual({ read_at: Date.parse(day(3, 12)), last_bucket_open: true, buckets: 3 });
    expect(open.range).toEqual({
      from: Date.parse(day(1, 0)),
      to: Date.parse(day(3, 12)),
      from_iso: '2024-05-01T00:00:00.000Z',
      to_iso: '2024-05-03T12:00:00.000Z',
    });
    expect((await db.query(q, Date.parse(day(4, 0)))).meta.last_bucket_open).toBe(false);
  });

  withDb('more than 5000 buckets is a 400', async (db) => {
    const q = plan('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', { bucket: 'hour' });
    await expect(db.query(q, 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(db.query(q, 0)).rejects.toMatchObject({ status: 400 });
  });

  withDb('sparse fill keeps only buckets with events', async (db) => {
    await db.ingest([ev(day(2))]);
    const r = await db.query(plan(day(1, 0), day(4, 0), { fill: 'sparse' }), 0);
    expect(r.series[0]!.points.map((p) => [new Date(p.start).toISOString().slice(0, 10), p.value])).toEqual([
      ['2024-05-02', 1],
    ]);
  });
}
