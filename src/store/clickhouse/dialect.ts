/**
 * The ClickHouse dialect of the query engine: each core row request becomes one
 * SQL text, pure and testable without a database (values are quoted literals:
 * ClickHouse 18.16 has no query parameters). Shape:
 *   scan:   org/type/time-pruned events minus recorded duplicates (dialect-expr.ts)
 *   fields: + actor kinds (a join) and filters, then g, p, u columns and local time `lt`
 *   index:  + the axis index `i` (integer arithmetic on `lt`)
 *   outer:  the aggregate per (group, i)
 * Distinct windows (a rolling MAU, query Q1 in docs/benchmarks.md): per-tuple sorted arrays of
 * active indices, intervals from the shifted array, ARRAY JOIN of +1/-1 rows.
 * No window functions, no lambda captures, nothing newer than 18.16.
 */
import type { Field } from '../../core/query/plan.js';
import { needsActors, QUANTILE_SCALE, TOTAL_INDEX, type RowRequest } from '../../core/query/requests.js';
import { filteredSql, indexSql, localSql, nullableSql, tupleSql, type ChTables } from './dialect-expr.js';
import { lit } from './quote.js';

/** Past any axis index: the "no next activity" end of an interval. */
const NO_NEXT = '4611686018427387904';

function cols(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${prefix}${k}`);
}

/** Events with ts, id, v, g*, p*, u* (+ `uok`), `lt` and the index `i`. */
function source(request: RowRequest, t: ChTables, extra: { per?: Field[]; unique?: Field[] | null }): string {
  const select: string[] = ['ts', 'id', 'value AS v'];
  request.groupBy.forEach((f, k) => select.push(`${nullableSql(f)} AS g${k}`));
  (extra.per ?? []).forEach((f, k) => select.push(`${nullableSql(f)} AS p${k}`));
  if (extra.unique) {
    const u = tupleSql(extra.unique, request.scan.orgs.length > 1);
    u.values.forEach((x, k) => select.push(`${x} AS u${k}`));
    select.push(`${u.ok} AS uok`);
  }
  select.push(`${localSql(request.index)} AS lt`);
  const fields = `SELECT ${select.join(', ')} FROM (\n${filteredSql(request.scan, t, needsActors(request))}\n)`;
  return `SELECT *, ${indexSql(request.index, 'lt')} AS i FROM (\n${fields}\n)`;
}

function uniqueCount(request: RowRequest): string[] {
  if (request.kind === 'latest' || !request.unique) return [];
  const n = tupleSql(request.unique, request.scan.orgs.length > 1).values.length;
  const u = cols('u', n);
  return u.length === 1 ? [u[0]!] : [`(${u.join(', ')})`];
}

function statsSql(request: Extract<RowRequest, { kind: 'stats' }>, t: ChTables): string {
  const keys = [...cols('g', request.groupBy.length), 'i'].join(', ');
  const [u] = uniqueCount(request);
  const uniq = u === undefined ? '' : `, uniqExactIf(${u}, uok) AS u`;
  const src = source(request, t, { unique: request.unique });
  const quantile = request.quantile ?? null;
  // Nearest rank ceil(q * n) in integers (q in millionths); ClickHouse arrays are 1-based.
  const qv =
    quantile === null
      ? ''
      : `, arraySort(groupArray(v))[intDiv(${lit(quantile)} * count() + ${lit(QUANTILE_SCALE - 1)}, ${lit(QUANTILE_SCALE)})] AS qv`;
  const measures = `count() AS n, sumKahan(v) AS s, min(v) AS mn, max(v) AS mx${uniq}${qv}`;
  if (!request.totals) return `SELECT ${keys}, ${measures}\nFROM (\n${src}\n)\nGROUP BY ${keys}`;
  // 18.16 has no GROUPING SETS: the whole-range rows come from a second aggregation of the same scan.
  const g = cols('g', request.groupBy.length);
  const gl = g.map((c) => `${c}, `).join('');
  const byGroup = g.length === 0 ? '' : `\nGROUP BY ${g.join(', ')}`;
  return `SELECT ${keys}, ${measures}\nFROM (\n${src}\n)\nGROUP BY ${keys}
UNION ALL
SELECT ${gl}toInt64(${lit(TOTAL_INDEX)}) AS i, ${measures}\nFROM (\n${src}\n)${byGroup}`;
}

function latestSql(request: Extract<RowRequest, { kind: 'latest' }>, t: ChTables): string {
  const keys = [...cols('g', request.groupBy.length), ...cols('p', request.per.length), 'i'];
  if (request.readings) keys.push('ts');
  const src = source(request, t, { per: request.per });
  const at = request.readings ? ', ts AS t' : '';
  return `SELECT ${keys.join(', ')}${at}, argMax(v, (ts, id)) AS v\nFROM (\n${src}\n)\nGROUP BY ${keys.join(', ')}`;
}

function intervalsSql(request: Extract<RowRequest, { kind: 'intervals' }>, t: ChTables): string {
  const g = cols('g', request.groupBy.length);
  const gl = g.map((c) => `${c}, `).join('');
  const u = cols('u', tupleSql(request.unique, request.scan.orgs.length > 1).values.length);
  const src = source(request, t, { unique: request.unique });
  const size = request.size;
  // Rows (i, plus, minus, active): a start at each active index (with no size, only the first
  // counts as plus), and with a size an end at min(d + size, next active index).
  const starts =
    size === null
      ? 'arrayMap((d, k) -> (d, toInt64(k = 1), toInt64(0), toInt64(1)), ds, arrayEnumerate(ds))'
      : 'arrayMap(d -> (d, toInt64(1), toInt64(0), toInt64(1)), ds)';
  const ends = `arrayMap((d, n) -> (least(d + ${lit(size ?? 0)}, n), toInt64(0), toInt64(1), toInt64(0)), ds, nx)`;
  const totalFrom = request.totalFrom ?? null;
  // The range total: whether the tuple has an event at or after totalFrom, one row at TOTAL_INDEX.
  const total = `[(toInt64(${lit(TOTAL_INDEX)}), toInt64(hit), toInt64(0), toInt64(0))]`;
  const parts = [starts, ...(size === null ? [] : [ends]), ...(totalFrom === null ? [] : [total])];
  const rows = parts.length === 1 ? starts : `arrayConcat(${parts.join(', ')})`;
  const hit = totalFrom === null ? '' : `,\n    max(ts) >= ${lit(totalFrom)} AS hit`;
  return `SELECT ${gl}x.1 AS i, sum(x.2) AS plus, sum(x.3) AS minus, sum(x.4) AS active FROM (
  SELECT ${gl}arraySort(arrayDistinct(groupArray(toInt64(i)))) AS ds,
    arrayPushBack(arraySlice(ds, 2), toInt64(${NO_NEXT})) AS nx${hit}
  FROM (
${src}
  )
  WHERE uok
  GROUP BY ${[...g, ...u].join(', ')}
) ARRAY JOIN ${rows} AS x
GROUP BY ${gl}i`;
}

/**
 * The SQL text of one row request. Columns: g0.. (group), p0.. (per), i, and
 * n/s/mn/mx[/u] (stats), v (latest) or plus/minus/active (intervals).
 *
 * @example
 * toClickHouseSql({ kind: 'stats', scan, groupBy: [], index, unique: null }, tables)
 * // "SELECT i, count() AS n, ... WHERE org IN ('acme') AND ts >= 1704067200000 ..."
 */
export function toClickHouseSql(request: RowRequest, t: ChTables): string {
  switch (request.kind) {
    case 'stats':
      return statsSql(request, t);
    case 'latest':
      return latestSql(request, t);
    case 'intervals':
      return intervalsSql(request, t);
  }
}
