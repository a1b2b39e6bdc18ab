import { describe, expect, it } from 'vitest';
import type { Field, Filter } from '../../core/query/plan.js';
import * as fx from '../sql/dialect.fixtures.js';
import { toDuckDbSql } from './dialect.js';
import { lit } from './dialect-expr.js';

describe('toDuckDbSql', () => {
  it('counts per UTC day with bound strings and pruning literals', () => {
    const { sql, params } = toDuckDbSql({
      kind: 'stats',
      scan: fx.scan,
      groupBy: [],
      index: fx.utcDay,
      unique: null,
    });
    expect(fx.squash(sql)).toBe(
      'SELECT i, count(*) AS n, sum(v) AS s, min(v) AS mn, max(v) AS mx FROM (SELECT e.*, ' +
        '(((e.lt - (((e.lt) % 86400000 + 86400000) % 86400000)) // 86400000) + (-19723)) AS i FROM ( ' +
        'SELECT e.ts AS ts, e.id AS id, e.value AS v, e.ts AS lt FROM events e ' +
        'WHERE e.org IN ($1) AND e.type IN ($2) AND e.ts >= 1704067200000 AND e.ts < 1704153600000 ) e) GROUP BY i',
    );
    expect(params).toEqual(['acme', 'activity']);
  });

  it('splices offsets as a CASE over the DST segments and binds dim keys', () => {
    const evil = "app'] OR 1=1 --";
    const { sql, params } = toDuckDbSql({
      kind: 'stats',
      scan: fx.scan,
      groupBy: [{ kind: 'dim', key: evil }],
      index: fx.nyFallBackHours,
      unique: null,
    });
    expect(fx.squash(sql)).toContain(
      '(e.ts + CASE WHEN e.ts < 1730613600000 THEN (-14400000) ELSE (-18000000) END) AS lt',
    );
    expect(fx.squash(sql)).toContain('CASE WHEN e.ts < 1730613600000 THEN (-480720) ELSE (-480719) END');
    expect(sql).toContain('e.dims[$1] AS g0');
    expect(sql).not.toContain(evil);
    expect(params).toEqual([evil, 'acme', 'activity']);
  });

  it('filters: in with missing, not_in, prefix, and actor kinds join actors', () => {
    const { sql, params } = toDuckDbSql(fx.everyFilterStats);
    const s = fx.squash(sql);
    expect(s).toContain('(e.dims[$3] IN ($4) OR e.dims[$3] IS NULL)');
    expect(s).toContain('(e.actor IS NULL OR NOT e.actor IN ($5))');
    expect(s).toContain('(starts_with(e.dims[$6], $7))');
    // 'user' also covers actors without a row: an anti-join on the other kinds, no join of every event.
    expect(s).toContain(
      '(e.actor IS NOT NULL AND (e.org, e.actor) NOT IN (SELECT org, id FROM actors WHERE org IN ($9) AND NOT kind IN ($8)))',
    );
    expect(s).not.toContain('JOIN');
    expect(params).toEqual(['acme', 'activity', 'wt', 'standard', 'bot', 'v', '1.', 'user', 'acme']);
  });

  it('actor kinds: a semi-join on the narrowed actors, negated for not_in; selected kinds join actors', () => {
    const request = (filters: Filter[], groupBy: Field[] = []): string =>
      fx.squash(
        toDuckDbSql({
          kind: 'stats',
          scan: { ...fx.scan, filters },
          groupBy,
          index: { ...fx.utcDay, kind: 'none' },
          unique: null,
        }).sql,
      );
    const semi =
      '(e.actor IS NOT NULL AND (e.org, e.actor) IN (SELECT org, id FROM actors WHERE org IN ($4) AND kind IN ($3)))';
    expect(request([{ field: { kind: 'actor_kind' }, op: 'in', values: ['device'] }])).toContain(semi);
    expect(request([{ field: { kind: 'actor_kind' }, op: 'not_in', values: ['device'] }])).toContain(
      `(NOT ${semi})`,
    );
    expect(request([{ field: { kind: 'actor_kind' }, op: 'in', values: ['device', null] }])).toContain(
      `(${semi} OR e.actor IS NULL)`,
    );
    expect(request([{ field: { kind: 'actor_kind' }, op: 'prefix', values: ['us'] }])).toContain(
      'NOT IN (SELECT org, id FROM actors WHERE org IN ($4) AND NOT (starts_with(kind, $3))))',
    );
    const grouped = request([], [{ kind: 'actor_kind' }]);
    expect(grouped).toContain('LEFT JOIN actors a ON a.org = e.org AND a.id = e.actor');
    expect(grouped).toContain("CASE WHEN e.actor IS NULL THEN NULL ELSE COALESCE(a.kind, 'user') END AS g0");
  });

  it('range totals from the same scan: grouping sets for distinct counts, a hit flag for intervals', () => {
    const stats = fx.squash(
      toDuckDbSql({
        kind: 'stats',
        scan: fx.scan,
        groupBy: [{ kind: 'dim', key: 'app' }],
        index: fx.utcDay,
        unique: [{ kind: 'actor' }],
        totals: true,
      }).sql,
    );
    expect(stats).toMatch(
      /^SELECT g0, coalesce\(i, \(-2\)\) AS i, NULL AS n, .*count\(DISTINCT u\) AS u FROM/,
    );
    expect(stats).toContain('GROUP BY GROUPING SETS ((g0, i), (g0))');
    const intervals = fx.squash(
      toDuckDbSql({
        kind: 'intervals',
        scan: fx.scan,
        groupBy: [],
        unique: [{ kind: 'actor' }],
        index: fx.utcDay,
        size: 30,
        totalFrom: 1704067200000,
      }).sql,
    );
    expect(intervals).toContain('list_sort(list(i)) AS ds, max(ts) >= 1704067200000 AS hit FROM y');
    expect(intervals).toContain(
      'UNION ALL SELECT (-2) AS i, CAST(hit AS INTEGER) AS plus, 0 AS minus, 0 AS active FROM a',
    );
  });

  it('rolling distinct: per-tuple sorted index lists, intervals capped at size', () => {
    const { sql } = toDuckDbSql(fx.rollingDistinct30);
    const s = fx.squash(sql);
    expect(s).toContain('CASE WHEN e.actor IS NULL THEN NULL ELSE row(e.org, e.actor) END AS u');
    expect(s).toContain('list_sort(list(i)) AS ds FROM y WHERE u IS NOT NULL GROUP BY u');
    // Repeated indices are adjacent once sorted: each is kept once, with its next distinct index.
    expect(s).toContain('unnest(list_append(ds[2:], NULL)) AS nx FROM a) WHERE nx IS DISTINCT FROM i)');
    expect(s).toContain('LEAST(i + 30, COALESCE(nx, i + 30)) AS i, 0 AS plus, 1 AS minus');
  });

  it('cumulative since all: no lower bound, earlier rows clamped to -1', () => {
    const { sql } = toDuckDbSql(fx.cumulativeSinceAll);
    const s = fx.squash(sql);
    expect(s).not.toContain('e.ts >=');
    expect(s).toContain('CASE WHEN e.ts < 1704067200000 THEN -1 ELSE');
    // Each tuple's first unit starts its interval; no interval ends.
    expect(s).toContain('SELECT min(i) AS f FROM ad GROUP BY u');
    expect(s).toContain('SELECT f AS i, 1 AS plus, 0 AS minus, 0 AS active FROM a');
    expect(s).not.toContain('1 AS minus');
  });

  it('latest: the last value by (ts, id) per group and per tuple', () => {
    const { sql } = toDuckDbSql(fx.latestPerKind);
    expect(fx.squash(sql)).toContain('SELECT g0, p0, i, arg_max(v, row(ts, id)) AS v');
  });

  it('latest with readings: one row per time, with t (an integral reads every step)', () => {
    const { sql } = toDuckDbSql({ ...fx.latestPerKind, readings: true } as typeof fx.latestPerKind);
    expect(fx.squash(sql)).toContain('SELECT g0, p0, i, ts, ts AS t, arg_max(v, row(ts, id)) AS v');
    expect(fx.squash(sql)).toMatch(/GROUP BY g0, p0, i, ts$/);
  });

  it('lit refuses anything but a safe integer', () => {
    expect(lit(-5)).toBe('(-5)');
    expect(() => lit(1.5)).toThrow(TypeError);
    expect(() => lit(Number.NaN)).toThrow(TypeError);
  });

  it('filter trees: two-valued leaves, the pattern and the bound bound; a percentile by exact rank', () => {
    const { sql, params } = toDuckDbSql(fx.treeQuantileStats);
    const s = fx.squash(sql);
    expect(s).toContain(
      'AND (coalesce((regexp_matches(e.dims[$3], $4)), false) OR (NOT coalesce((regexp_full_match(e.dims[$6], ' +
        "'^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$') AND TRY_CAST(e.dims[$6] AS DOUBLE) > $5), false))) )",
    );
    expect(s).toContain('list_sort(list(v))[(900000 * count(*) + 999999) // 1000000] AS qv');
    expect(sql).not.toContain('DROP');
    expect(params).toEqual(['acme', 'activity', 'path', fx.evilPattern, 2.5, 'size']);
  });
});
