/**
 * The WHERE clause of the DuckDB dialect: org, type and time bounds, filter trees and the
 * top-N exclusion. Filter values, patterns and bounds are bound parameters; only the number
 * pattern of core (`NUMERIC_TEXT`, a constant in code) is written into the text.
 *
 * A leaf at the top of the list keeps SQL's three-valued outcome (NULL drops the row, as FALSE
 * does); inside `and`/`or`/`not` every leaf is made two-valued with coalesce, so that `not`
 * of a leaf on a missing dim is TRUE, as the docs define.
 */
import {
  isCompare,
  NUMERIC_TEXT,
  type CompareFilter,
  type Filter,
  type FilterTree,
} from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import { fieldSql, lit, ORG_LIST_MAX, type SqlParams } from './dialect-expr.js';

const COMPARE_SQL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Whether `expr` matches any present value of a text op (eq, in, prefix, contains, icontains, regex). */
function textMatch(expr: string, filter: Filter, present: string[], ps: SqlParams): string {
  const any = (f: (v: string) => string): string => `(${present.map(f).join(' OR ')})`;
  switch (filter.op) {
    case 'prefix':
      return any((v) => `starts_with(${expr}, ${ps.p(v)})`);
    case 'contains':
      return any((v) => `contains(${expr}, ${ps.p(v)})`);
    case 'icontains':
      return any((v) => `contains(lower(${expr}), lower(${ps.p(v)}))`);
    case 'regex':
      return any((v) => `regexp_matches(${expr}, ${ps.p(v)})`);
    default:
      return `${expr} IN (${present.map((v) => ps.p(v)).join(', ')})`;
  }
}

/**
 * Whether the kind `user` (of actors known only from events) matches: decided here where JS
 * matches as the engine does, in SQL for case folding and RE2 patterns.
 */
function userMatches(filter: Filter, present: string[], ps: SqlParams): boolean | string {
  if (filter.op === 'regex' || filter.op === 'icontains') return textMatch("'user'", filter, present, ps);
  return present.some((v) =>
    filter.op === 'prefix'
      ? 'user'.startsWith(v)
      : filter.op === 'contains'
        ? 'user'.includes(v)
        : v === 'user',
  );
}

/**
 * A filter on `actor_kind` without joining every event to `actors`: a semi-join (or, when the
 * kind 'user' of actors without a row matches, an anti-join on the kinds that do not match) on
 * the scanned orgs' actors. TRUE or FALSE, never NULL, so it can be negated.
 */
function actorKindMatch(filter: Filter, orgs: string[], ps: SqlParams): string {
  const present = filter.values.filter((v): v is string => v !== null);
  const kinds = textMatch('kind', filter, present, ps);
  const own = ps.orgsIn('org', orgs);
  const anti = `(e.org, e.actor) NOT IN (SELECT org, id FROM actors WHERE ${own} AND NOT ${kinds})`;
  const semi = `(e.org, e.actor) IN (SELECT org, id FROM actors WHERE ${own} AND ${kinds})`;
  const user = userMatches(filter, present, ps);
  if (typeof user === 'string')
    return `(e.actor IS NOT NULL AND CASE WHEN ${user} THEN ${anti} ELSE ${semi} END)`;
  return `(e.actor IS NOT NULL AND ${user ? anti : semi})`;
}

/** `filterSql` for `actor_kind` (null = no actor), with the same three-valued outcome on rows. */
function actorKindFilterSql(filter: Filter, orgs: string[], ps: SqlParams): string {
  const missing = filter.values.includes(null);
  const none = filter.values.every((v) => v === null);
  if (filter.op !== 'eq' && filter.op !== 'in' && filter.op !== 'not_in')
    return actorKindMatch(filter, orgs, ps);
  if (filter.op === 'not_in') {
    if (none) return '(e.actor IS NOT NULL)';
    const match = actorKindMatch(filter, orgs, ps);
    return missing ? `(e.actor IS NOT NULL AND NOT ${match})` : `(NOT ${match})`;
  }
  if (none) return '(e.actor IS NULL)';
  const match = actorKindMatch(filter, orgs, ps);
  return missing ? `(${match} OR e.actor IS NULL)` : match;
}

/** A numeric comparison; a dim counts only when its text is a JSON number. */
function compareSql(filter: CompareFilter, ps: SqlParams): string {
  const op = COMPARE_SQL[filter.op];
  const bound = ps.num(filter.values[0]);
  if (filter.field.kind === 'value') return `(e.value ${op} ${bound})`;
  const f = fieldSql(filter.field, ps);
  // TRY_CAST: DuckDB may evaluate both sides of AND, and the pattern alone decides what counts.
  return `(regexp_full_match(${f}, '${NUMERIC_TEXT}') AND TRY_CAST(${f} AS DOUBLE) ${op} ${bound})`;
}

function leafSql(leaf: Filter | CompareFilter, ps: SqlParams, orgs: string[]): string {
  if (isCompare(leaf)) return compareSql(leaf, ps);
  const filter = leaf;
  if (filter.field.kind === 'actor_kind') return actorKindFilterSql(filter, orgs, ps);
  const f = fieldSql(filter.field, ps);
  const present = filter.values.filter((v): v is string => v !== null);
  const missing = present.length < filter.values.length;
  if (filter.op !== 'eq' && filter.op !== 'in' && filter.op !== 'not_in')
    return textMatch(f, filter, present, ps);
  const list = present.length > 0 ? textMatch(f, filter, present, ps) : null;
  if (filter.op === 'not_in') {
    if (list === null) return `(${f} IS NOT NULL)`;
    return missing ? `(${f} IS NOT NULL AND NOT ${list})` : `(${f} IS NULL OR NOT ${list})`;
  }
  if (list === null) return `(${f} IS NULL)`;
  return missing ? `(${list} OR ${f} IS NULL)` : `(${list})`;
}

/** A tree, two-valued: TRUE or FALSE on every row. */
function treeSql(tree: FilterTree, ps: SqlParams, orgs: string[]): string {
  if ('and' in tree) return `(${tree.and.map((t) => treeSql(t, ps, orgs)).join(' AND ')})`;
  if ('or' in tree) return `(${tree.or.map((t) => treeSql(t, ps, orgs)).join(' OR ')})`;
  if ('not' in tree) return `(NOT ${treeSql(tree.not, ps, orgs)})`;
  return `coalesce(${leafSql(tree, ps, orgs)}, false)`;
}

/** The top-N exclusion of a scan (NOT any of the kept tuples), or null when it has none. */
export function exclusionSql(scan: Scan, ps: SqlParams): string | null {
  const ex = scan.exclude;
  if (!ex || ex.tuples.length === 0) return null;
  const exprs = ex.fields.map((f) => fieldSql(f, ps));
  const alts = ex.tuples.map(
    (t) =>
      `(${exprs.map((x, k) => (t[k] === null || t[k] === undefined ? `${x} IS NULL` : `${x} IS NOT DISTINCT FROM ${ps.p(t[k])}`)).join(' AND ')})`,
  );
  return `NOT (${alts.join(' OR ')})`;
}

/**
 * The org number filter of a scan (null when some org has no known number): up to ORG_LIST_MAX
 * numbers as a list; more as the range from the least to the greatest. The range prunes less when
 * the numbers are scattered, but plans in constant time where a '*' key's list of 1,000 literals
 * took tens of ms on a tiny store. A superset: the org id filter keeps the answer exact.
 */
export function orgNoSql(
  orgs: readonly string[],
  orgNos: ReadonlyMap<string, number> | undefined,
): string | null {
  const nos = orgNos ? orgs.map((o) => orgNos.get(o)) : [];
  if (nos.length === 0 || !nos.every((n) => n !== undefined)) return null;
  if (nos.length <= ORG_LIST_MAX) return `e.org_no IN (${nos.map(lit).join(', ')})`;
  // reduce, not Math.min(...nos): 100,000 arguments would overflow the stack.
  const least = nos.reduce((a, b) => Math.min(a, b));
  const greatest = nos.reduce((a, b) => Math.max(a, b));
  return `e.org_no BETWEEN ${lit(least)} AND ${lit(greatest)}`;
}

/**
 * The WHERE clause of a scan: org, type and time bounds first, then filters and exclusions.
 * Filters on `actor_kind` need no join; an exclusion over `actor_kind` needs `actors a` joined.
 * With every scanned org's number in `ps.orgNos`, an org number filter is added: the zone maps of
 * the integer column skip other orgs' row groups where the VARCHAR ones cannot (schema.ts).
 */
export function whereSql(scan: Scan, ps: SqlParams): string {
  const parts = [ps.orgsIn('e.org', scan.orgs), orgNoSql(scan.orgs, ps.orgNos)].filter((x) => x !== null);
  if (scan.types.length > 0) parts.push(`e.type IN (${scan.types.map((t) => ps.p(t)).join(', ')})`);
  if (scan.from !== null) parts.push(`e.ts >= ${lit(scan.from)}`);
  parts.push(`e.ts < ${lit(scan.to)}`);
  for (const tree of scan.filters)
    parts.push('field' in tree ? leafSql(tree, ps, scan.orgs) : treeSql(tree, ps, scan.orgs));
  const ex = exclusionSql(scan, ps);
  if (ex !== null) parts.push(ex);
  return parts.join('\n  AND ');
}
