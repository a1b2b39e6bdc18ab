/**
 * Expression pieces of the ClickHouse dialect: fields, filters, exclusions and
 * the time index, for ClickHouse 18.16 and later (no query parameters, no window
 * functions, no Map). Request-derived strings go through `quote` only; integers
 * the engine computed itself through `lit`.
 *
 * Every field has two non-null forms, `present` (0/1) and `value` (a String, ''
 * when missing), so filters use two-valued logic and never meet a NULL; the
 * nullable form `if(present, value, NULL)` is used only for output columns.
 * Dims are two parallel arrays: `dims[k]` is `dim_values[indexOf(dim_keys, k)]`.
 */
import {
  isCompare,
  NUMERIC_TEXT,
  type CompareFilter,
  type Field,
  type Filter,
  type FilterLeaf,
  type FilterTree,
} from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import { DAY_MS } from '../../core/time/units.js';
import { timeIndexSql } from '../sql/time-index.js';
import { lit, quote, quoteList } from './quote.js';

/** Qualified table names a statement reads. */
export interface ChTables {
  /** The events table to scan (the Distributed one on a cluster). */
  events: string;
  /** The shard-local table of losing duplicates, read inside the events scan. */
  losersLocal: string;
  /** The actors table as seen from the node that runs the outer query. */
  actors: string;
}

export interface FieldSql {
  present: string;
  value: string;
}

/** Both forms of a field over the scan level (columns org, type, actor, dim_keys, dim_values, a_kind). */
export function fieldSql(field: Field): FieldSql {
  switch (field.kind) {
    case 'actor':
      return { present: 'isNotNull(actor)', value: "ifNull(actor, '')" };
    case 'dim': {
      const k = quote(field.key);
      return { present: `has(dim_keys, ${k})`, value: `dim_values[indexOf(dim_keys, ${k})]` };
    }
    case 'org':
      return { present: '1', value: 'org' };
    case 'type':
      return { present: '1', value: 'type' };
    case 'actor_kind':
      return { present: 'isNotNull(actor)', value: "if(a_kind = '', 'user', a_kind)" };
  }
}

/** The output form: the value, or NULL when missing. */
export function nullableSql(field: Field): string {
  const f = fieldSql(field);
  return f.present === '1' ? f.value : `if(${f.present}, ${f.value}, NULL)`;
}

/**
 * The distinct-count key of a tuple: its member values and whether all are present.
 * An actor is the pair (org, id) when more than one org is scanned.
 */
export function tupleSql(fields: Field[], manyOrgs: boolean): { values: string[]; ok: string } {
  const values: string[] = [];
  const present: string[] = [];
  for (const field of fields) {
    const f = fieldSql(field);
    if (field.kind === 'actor' && manyOrgs) values.push('org');
    values.push(f.value);
    if (f.present !== '1') present.push(f.present);
  }
  return { values, ok: present.length === 0 ? '1' : present.join(' AND ') };
}

/** Whether `value` matches any of `given` by a text op. */
function textMatch(value: string, filter: Filter, given: string[]): string {
  const any = (f: (q: string) => string): string => `(${given.map((v) => f(quote(v))).join(' OR ')})`;
  switch (filter.op) {
    case 'prefix':
      return any((q) => `startsWith(${value}, ${q})`);
    case 'contains':
      return any((q) => `position(${value}, ${q}) > 0`);
    case 'icontains':
      return any((q) => `position(lowerUTF8(${value}), lowerUTF8(${q})) > 0`);
    case 'regex':
      return any((q) => `match(${value}, ${q})`);
    default:
      return `${value} IN (${quoteList(given)})`;
  }
}

const COMPARE_SQL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** A numeric comparison; a dim counts only when its text is a JSON number (core's NUMERIC_TEXT). */
function compareSql(filter: CompareFilter): string {
  const bound = `toFloat64(${quote(String(filter.values[0]))})`;
  const op = COMPARE_SQL[filter.op];
  if (filter.field.kind === 'value') return `(value ${op} ${bound})`;
  const { present, value } = fieldSql(filter.field);
  return `(${present} AND match(${value}, ${quote(NUMERIC_TEXT)}) AND toFloat64OrZero(${value}) ${op} ${bound})`;
}

function filterSql(leaf: FilterLeaf): string {
  if (isCompare(leaf)) return compareSql(leaf);
  const filter = leaf;
  const { present, value } = fieldSql(filter.field);
  const given = filter.values.filter((v): v is string => v !== null);
  const missing = given.length < filter.values.length;
  if (filter.op !== 'eq' && filter.op !== 'in' && filter.op !== 'not_in')
    return `(${present} AND ${textMatch(value, filter, given)})`;
  if (filter.op === 'not_in') {
    if (given.length === 0) return `(${present})`;
    const notIn = `${value} NOT IN (${quoteList(given)})`;
    return missing ? `(${present} AND ${notIn})` : `(NOT ${present} OR ${notIn})`;
  }
  if (given.length === 0) return `(NOT ${present})`;
  const isIn = `(${present} AND ${value} IN (${quoteList(given)}))`;
  return missing ? `(${isIn} OR NOT ${present})` : isIn;
}

/** A filter tree; every leaf is already two-valued here (see the header). */
function treeSql(tree: FilterTree): string {
  if ('and' in tree) return `(${tree.and.map(treeSql).join(' AND ')})`;
  if ('or' in tree) return `(${tree.or.map(treeSql).join(' OR ')})`;
  if ('not' in tree) return `(NOT ${treeSql(tree.not)})`;
  return filterSql(tree);
}

/** Filters and the top-N exclusion, applied above the scan (they may read `a_kind`). */
export function filterWhereSql(scan: Scan): string | null {
  const parts = scan.filters.map(treeSql);
  const ex = scan.exclude;
  if (ex && ex.tuples.length > 0) {
    const fs = ex.fields.map(fieldSql);
    const alts = ex.tuples.map(
      (t) =>
        `(${fs
          .map((f, k) => {
            const v = t[k];
            return v === null || v === undefined
              ? `NOT ${f.present}`
              : `(${f.present} AND ${f.value} = ${quote(v)})`;
          })
          .join(' AND ')})`,
    );
    parts.push(`NOT (${alts.join(' OR ')})`);
  }
  return parts.length === 0 ? null : parts.join('\n  AND ');
}

/**
 * The scan: org, type and time bounds (the sort key prefix prunes on them) and
 * read-time dedupe, which drops the rows recorded as losing duplicates of an
 * (org, id). It runs on each shard against that shard's losers; an org lives on
 * one shard, so its duplicates do too.
 */
export function scanSql(scan: Scan, t: ChTables, columns: string): string {
  const orgs = quoteList(scan.orgs);
  const parts = [`org IN (${orgs})`];
  if (scan.types.length > 0) parts.push(`type IN (${quoteList(scan.types)})`);
  if (scan.from !== null) parts.push(`ts >= ${lit(scan.from)}`);
  parts.push(`ts < ${lit(scan.to)}`);
  parts.push(`(org, id, ver) NOT IN (SELECT org, id, ver FROM ${t.losersLocal} WHERE org IN (${orgs}))`);
  return `SELECT ${columns} FROM ${t.events}\n  WHERE ${parts.join('\n    AND ')}`;
}

const SCAN_COLUMNS = 'org, type, ts, id, actor, value, dim_keys, dim_values';

/**
 * The events a scan selects, deduplicated, with `a_kind` joined when a field
 * needs the actor's kind, and the filters applied.
 */
export function filteredSql(scan: Scan, t: ChTables, needsActors: boolean): string {
  const where = filterWhereSql(scan);
  let from: string;
  if (needsActors) {
    const inner = scanSql(scan, t, `${SCAN_COLUMNS}, org AS j_org, ifNull(actor, '') AS j_actor`);
    const actors = `SELECT org AS j_org, id AS j_actor, kind AS a_kind FROM ${t.actors} FINAL WHERE org IN (${quoteList(scan.orgs)})`;
    // Both sides named: current releases refuse an unaliased subquery in a join
    // (Code 206); 18.16 accepts the aliases too.
    from = `(\n  ${inner}\n) AS e ANY LEFT JOIN (\n  ${actors}\n) AS a USING (j_org, j_actor)`;
  } else {
    from = `(\n  ${scanSql(scan, t, SCAN_COLUMNS)}\n)`;
  }
  return `SELECT * FROM ${from}${where === null ? '' : `\nWHERE ${where}`}`;
}

/**
 * Year * 12 + month - 1 of local ms `lt`, by integer arithmetic on days
 * (Hinnant's civil_from_days), so it holds for any epoch, not only DateTime's
 * 1970..2106. Days are positive here (events are at or after 1970).
 */
function monthIndexSql(lt: string, fdiv: (x: string, m: number) => string): string {
  const z = `(${fdiv(lt, DAY_MS)} + 719468)`;
  const era = `intDiv(${z}, 146097)`;
  const doe = `(${z} - ${era} * 146097)`;
  const yoe = `intDiv(${doe} - intDiv(${doe}, 1460) + intDiv(${doe}, 36524) - intDiv(${doe}, 146096), 365)`;
  const doy = `(${doe} - (365 * ${yoe} + intDiv(${yoe}, 4) - intDiv(${yoe}, 100)))`;
  const mp = `intDiv(5 * ${doy} + 2, 153)`;
  // month = mp + 3 (Mar..Dec) or mp - 9 (Jan, Feb, which belong to the next year).
  return `((${yoe} + ${era} * 400 + (${mp} >= 10)) * 12 + if(${mp} < 10, ${mp} + 2, ${mp} - 10))`;
}

/** ClickHouse's primitives of the shared time-index SQL. */
const time = timeIndexSql({
  ts: 'ts',
  intDiv: (x, m, minus) => `intDiv(${minus === undefined ? x : `${x} - ${minus}`}, ${m})`,
  ifThen: (cond, then, otherwise) => `if(${cond}, ${then}, ${otherwise})`,
  // Typed Int64 like every other kind's index (a bare 0 would be a UInt8).
  zero: 'toInt64(0)',
  monthIndex: monthIndexSql,
});

/** Local naive ms of `ts`: ts plus the offset of its segment. */
export const localSql = time.localSql;

/** The axis index of a row from column `lt` and `ts`, exactly as documented on `TimeIndex`. */
export const indexSql = time.indexSql;
