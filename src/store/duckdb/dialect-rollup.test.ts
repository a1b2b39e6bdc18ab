import { describe, expect, it } from 'vitest';
import type { RowRequest } from '../../core/query/requests.js';
import * as fx from '../sql/dialect.fixtures.js';
import { toDuckDbSql } from './dialect.js';
import { cellRange, rollupFits } from './dialect-rollup.js';

const distinct = fx.rollingDistinct30 as Extract<RowRequest, { kind: 'intervals' }>;
const byActor = fx.distinctPerOrgTotals as Extract<RowRequest, { kind: 'stats' }>;

describe('rollupFits', () => {
  it.each<[string, RowRequest, boolean]>([
    ['rolling distinct actors per UTC day', distinct, true],
    ['cumulative since all, clamped at a day', fx.cumulativeSinceAll, true],
    ['distinct actors per org, with totals', byActor, true],
    [
      'New York hours across fall-back (whole-hour offsets and transition)',
      { ...distinct, index: fx.nyFallBackHours },
      true,
    ],
    [
      'Kathmandu days (+05:45)',
      { ...distinct, index: { ...fx.utcDay, segments: [{ from: 0, offsetMs: 20_700_000, add: 0 }] } },
      true,
    ],
    [
      'an offset off the 15-minute cells (LMT +04:56:40)',
      { ...distinct, index: { ...fx.utcDay, segments: [{ from: 0, offsetMs: 17_800_000, add: 0 }] } },
      false,
    ],
    [
      'a transition off the cells',
      {
        ...distinct,
        index: {
          ...fx.nyFallBackHours,
          segments: [
            fx.nyFallBackHours.segments[0]!,
            { ...fx.nyFallBackHours.segments[1]!, from: 1730613600000 + 60_000 },
          ],
        },
      },
      false,
    ],
    [
      'a clamp off the cells',
      { ...fx.cumulativeSinceAll, index: { ...fx.utcDay, clampBefore: 1704067200000 + 1 } },
      false,
    ],
    ['plain counts', { ...byActor, unique: null }, false],
    ['a percentile', { ...byActor, quantile: 500_000 }, false],
    ['distinct dims without the actor', { ...distinct, unique: [{ kind: 'dim', key: 'app' }] }, false],
    [
      'distinct (actor, dim)',
      { ...distinct, unique: [{ kind: 'actor' }, { kind: 'dim', key: 'app' }] },
      false,
    ],
    ['grouped by a dim', { ...distinct, groupBy: [{ kind: 'dim', key: 'app' }] }, false],
    ['a dim filter', { ...distinct, scan: { ...distinct.scan, filters: fx.everyFilterForm } }, false],
    [
      'an actor_kind filter',
      { ...distinct, scan: { ...distinct.scan, filters: [fx.everyFilterForm[3]!] } },
      true,
    ],
    [
      'a value comparison',
      {
        ...distinct,
        scan: { ...distinct.scan, filters: [{ field: { kind: 'value' }, op: 'gt', values: [1] }] },
      },
      false,
    ],
    ['the latest value', fx.latestPerKind, false],
    [
      'less than one whole cell',
      { ...distinct, scan: { ...distinct.scan, from: 1704067200001, to: 1704068100000 } },
      false,
    ],
  ])('%s: %s', (_, request, fits) => {
    expect(rollupFits(request)).toBe(fits);
    expect(toDuckDbSql(request, undefined, 42).sql.includes('actor_rollup')).toBe(fits);
    expect(toDuckDbSql(request).sql).not.toContain('actor_rollup');
  });
});

describe('cellRange', () => {
  it('keeps the whole 15-minute cells of a scan', () => {
    const t = 1704067200000;
    expect(cellRange({ ...fx.scan, from: t + 1, to: t + 3_600_000 - 1 })).toEqual({
      from: t + 900_000,
      to: t + 2_700_000,
    });
    expect(cellRange({ ...fx.scan, from: null, to: t + 5 })).toEqual({ from: null, to: t });
    expect(cellRange({ ...fx.scan, from: t + 1, to: t + 900_000 })).toBeNull();
  });
});

describe('the relation over the rollup', () => {
  it('reads cells in whole cells and events outside them or after the watermark', () => {
    const scan = { ...distinct.scan, from: 1704067200000 + 60_000 };
    const s = fx.squash(toDuckDbSql({ ...distinct, scan }, undefined, 1234).sql);
    expect(s).toContain(
      'FROM actor_rollup e WHERE e.org IN ($1, $2) AND e.type IN ($3) AND e.ts >= 1704068100000 AND e.ts < 1704153600000',
    );
    expect(s).toContain('SELECT e.org_no, e.org, e.type, e.actor, e.ts, e.ts AS mts FROM events e');
    expect(s).toContain('AND (e.received > 1234 OR e.ts < 1704068100000)) e');
    const whole = fx.squash(toDuckDbSql(distinct, undefined, 1234).sql);
    expect(whole).toContain('AND e.ts < 1704153600000 AND (e.received > 1234)) e');
    expect(s).toContain(
      'SELECT e.mts AS ts, CASE WHEN e.actor IS NULL THEN NULL ELSE row(e.org, e.actor) END AS u',
    );
  });
});
