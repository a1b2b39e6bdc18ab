import { describe, expect, it } from 'vitest';
import * as fx from '../sql/dialect.fixtures.js';
import { toClickHouseSql } from './dialect.js';
import type { ChTables } from './dialect-expr.js';

const t: ChTables = { events: 'db.events', losersLocal: 'db.event_losers', actors: 'db.actors' };

describe('toClickHouseSql', () => {
  it('counts per UTC day over the pruned, deduplicated fx.scan', () => {
    const s = fx.squash(
      toClickHouseSql({ kind: 'stats', scan: fx.scan, groupBy: [], index: fx.utcDay, unique: null }, t),
    );
    expect(s).toContain('SELECT i, count() AS n, sumKahan(v) AS s, min(v) AS mn, max(v) AS mx FROM');
    expect(s).toContain(
      "FROM db.events WHERE org IN ('acme') AND type IN ('activity') AND ts >= 1704067200000 AND ts < 1704153600000 " +
        "AND (org, id, ver) NOT IN (SELECT org, id, ver FROM db.event_losers WHERE org IN ('acme'))",
    );
    expect(s).toContain('(intDiv(lt - (((lt) % 86400000 + 86400000) % 86400000), 86400000) + (-19723)) AS i');
    expect(s).toContain('GROUP BY i');
  });

  it('range totals: a second aggregation of the fx.scan (no GROUPING SETS in 18.16), a hit per tuple', () => {
    const stats = fx.squash(toClickHouseSql(fx.distinctPerOrgTotals, t));
    expect(stats).toContain('GROUP BY g0, i UNION ALL SELECT g0, toInt64((-2)) AS i, count() AS n,');
    expect(stats).toMatch(/uniqExactIf\(u0, uok\) AS u FROM \(.*\) GROUP BY g0$/);
    const intervals = fx.squash(
      toClickHouseSql(
        {
          kind: 'intervals',
          scan: fx.scan,
          groupBy: [],
          unique: [{ kind: 'actor' }],
          index: fx.utcDay,
          size: null,
          totalFrom: 1704067200000,
        },
        t,
      ),
    );
    expect(intervals).toContain('AS nx, max(ts) >= 1704067200000 AS hit FROM');
    expect(intervals).toContain(
      'arrayConcat(arrayMap((d, k) -> (d, toInt64(k = 1), toInt64(0), toInt64(1)), ds, arrayEnumerate(ds)), [(toInt64((-2)), toInt64(hit), toInt64(0), toInt64(0))])',
    );
  });

  it('quotes hostile dim keys and values, and offsets DST segments with a CASE', () => {
    const evil = "app'] OR 1=1 --\\";
    const s = fx.squash(
      toClickHouseSql(
        {
          kind: 'stats',
          scan: { ...fx.scan, filters: [{ field: { kind: 'dim', key: 'v' }, op: 'eq', values: [evil] }] },
          groupBy: [{ kind: 'dim', key: evil }],
          index: fx.nyFallBackHours,
          unique: null,
        },
        t,
      ),
    );
    expect(s).toContain(
      "if(has(dim_keys, 'app\\'] OR 1=1 --\\\\'), dim_values[indexOf(dim_keys, 'app\\'] OR 1=1 --\\\\')], NULL) AS g0",
    );
    expect(s).toContain(
      "(has(dim_keys, 'v') AND dim_values[indexOf(dim_keys, 'v')] IN ('app\\'] OR 1=1 --\\\\'))",
    );
    expect(s).toContain('(ts + CASE WHEN ts < 1730613600000 THEN (-14400000) ELSE (-18000000) END) AS lt');
    expect(s).not.toContain(evil);
  });

  it('filters: missing values, not_in, prefix, and actor kinds through a join', () => {
    const s = fx.squash(toClickHouseSql(fx.everyFilterStats, t));
    expect(s).toContain(
      "((has(dim_keys, 'wt') AND dim_values[indexOf(dim_keys, 'wt')] IN ('standard')) OR NOT has(dim_keys, 'wt'))",
    );
    expect(s).toContain("(NOT isNotNull(actor) OR ifNull(actor, '') NOT IN ('bot'))");
    expect(s).toContain("(has(dim_keys, 'v') AND (startsWith(dim_values[indexOf(dim_keys, 'v')], '1.')))");
    expect(s).toContain("(isNotNull(actor) AND if(a_kind = '', 'user', a_kind) IN ('user'))");
    expect(s).toContain(
      ") AS e ANY LEFT JOIN ( SELECT org AS j_org, id AS j_actor, kind AS a_kind FROM db.actors FINAL WHERE org IN ('acme') ) AS a USING (j_org, j_actor)",
    );
  });

  it('rolling distinct: sorted per-tuple index arrays, ends capped at the next activity', () => {
    const s = fx.squash(toClickHouseSql(fx.rollingDistinct30, t));
    expect(s).toContain("org AS u0, ifNull(actor, '') AS u1, isNotNull(actor) AS uok");
    expect(s).toContain('arraySort(arrayDistinct(groupArray(toInt64(i)))) AS ds');
    expect(s).toContain('arrayMap((d, n) -> (least(d + 30, n), toInt64(0), toInt64(1), toInt64(0)), ds, nx)');
    expect(s).toContain('WHERE uok GROUP BY u0, u1');
  });

  it('cumulative since all: no lower bound, earlier rows at -1, only first activity counts', () => {
    const s = fx.squash(toClickHouseSql(fx.cumulativeSinceAll, t));
    expect(s).not.toContain('ts >=');
    expect(s).toContain('if(ts < 1704067200000, -1, ');
    expect(s).toContain(
      'arrayMap((d, k) -> (d, toInt64(k = 1), toInt64(0), toInt64(1)), ds, arrayEnumerate(ds))',
    );
  });

  it('latest: the last value by (ts, id) per group and per tuple', () => {
    const s = fx.squash(toClickHouseSql(fx.latestPerKind, t));
    expect(s).toContain('SELECT g0, p0, i, argMax(v, (ts, id)) AS v');
  });

  it('latest with readings: one row per time, with t (an integral reads every step)', () => {
    const s = fx.squash(
      toClickHouseSql({ ...fx.latestPerKind, readings: true } as typeof fx.latestPerKind, t),
    );
    expect(s).toContain('SELECT g0, p0, i, ts, ts AS t, argMax(v, (ts, id)) AS v');
    expect(s).toMatch(/GROUP BY g0, p0, i, ts$/);
  });

  it('filter trees: the pattern through quote, numeric dims matched before the cast; exact-rank percentile', () => {
    const s = fx.squash(toClickHouseSql(fx.treeQuantileStats, t));
    expect(s).toContain(
      "((has(dim_keys, 'path') AND (match(dim_values[indexOf(dim_keys, 'path')], '^a\\'); DROP TABLE events; --'))) OR " +
        "(NOT (has(dim_keys, 'size') AND match(dim_values[indexOf(dim_keys, 'size')], '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$') " +
        "AND toFloat64OrZero(dim_values[indexOf(dim_keys, 'size')]) > toFloat64('2.5'))))",
    );
    expect(s).toContain('arraySort(groupArray(v))[intDiv(900000 * count() + 999999, 1000000)] AS qv');
  });
});
