/**
 * Expression pieces of the DuckDB dialect: fields, filters, exclusions and the
 * time index. Request-derived strings (org ids, types, dim keys, filter values)
 * are always bound as `$n` parameters. Integers the engine computed itself
 * (time bounds after validation, UTC offsets, index corrections) are spliced
 * through `lit`, which accepts safe integers only: literals keep DuckDB's zone
 * maps pruning on `ts` (a bound JS bigint would arrive as HUGEINT).
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import type { Field, Filter } from '../../core/query/plan.js';
import type { Scan } from '../../core/query/requests.js';
import { lit, timeIndexSql } from '../sql/time-index.js';

/**
 * Collects parameters; `p` returns the placeholder of a newly bound value. It also carries what
 * the store knows that every scan of the statement may use: the org numbers (see whereSql).
 */
export class SqlParams {
  readonly values: DuckDBValue[] = [];
  constructor(readonly orgNos?: ReadonlyMap<string, number>) {}
  p(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * `column IN (...)` over org ids. Up to ORG_LIST_MAX ids each get a parameter; more are bound
   * as one VARCHAR[] list and semi-joined: a deployment of 100,000 orgs reads all of them
   * without 100,000 placeholders (DuckDB plans those slowly) and without any list limit.
   */
  orgsIn(column: string, orgs: readonly string[]): string {
    if (orgs.length <= ORG_LIST_MAX) return `${column} IN (${orgs.map((o) => this.p(o)).join(', ')})`;
    this.values.push(listValue([...orgs]));
    return `${column} IN (SELECT unnest($${this.values.length}::VARCHAR[]))`;
  }
}

/** The most org ids a statement lists one parameter each (see SqlParams.orgsIn). */
export const ORG_LIST_MAX = 1000;

export { lit };

/** SQL of a field over `events e` (and `actors a` when joined). */
export function fieldSql(field: Field, ps: SqlParams): string {
  switch (field.kind) {
    case 'actor':
      return 'e.actor';
    case 'dim':
      return `e.dims[${ps.p(field.key)}]`;
    case 'org':
      return 'e.org';
    case 'type':
      return 'e.type';
    case 'actor_kind':
      return "CASE WHEN e.actor IS NULL THEN NULL ELSE COALESCE(a.kind, 'user') END";
  }
}

/**
 * The distinct-count key of a tuple of fields: NULL when any member is missing.
 * An actor is the pair (org, id) when more than one org is scanned.
 */
export function tupleSql(fields: Field[], ps: SqlParams, manyOrgs: boolean): string {
  const parts = fields.map((f) => (f.kind === 'actor' && manyOrgs ? 'e.org' : null));
  const exprs = fields.map((f) => fieldSql(f, ps));
  const members = exprs.flatMap((x, k) => (parts[k] ? [parts[k], x] : [x]));
  if (members.length === 1) return members[0]!;
  const anyNull = exprs.map((x) => `${x} IS NULL`).join(' OR ');
  return `CASE WHEN ${anyNull} THEN NULL ELSE row(${members.join(', ')}) END`;
}

/**
 * A filter on `actor_kind` without joining every event to `actors`: a semi-join (or, when the
 * kind 'user' of actors without a row matches, an anti-join on the kinds that do not match) on
 * the scanned orgs' actors. TRUE or FALSE, never NULL, so it can be negated.
 */
function actorKindMatch(filter: Filter, orgs: string[], ps: SqlParams): string {
  const present = filter.values.filter((v): v is string => v !== null);
  const prefix = filter.op === 'prefix';
  const matchesUser = present.some((v) => (prefix ? 'user'.startsWith(v) : v === 'user'));
  const kinds = prefix
    ? `(${present.map((v) => `starts_with(kind, ${ps.p(v)})`).join(' OR ')})`
    : `kind IN (${present.map((v) => ps.p(v)).join(', ')})`;
  const own = ps.orgsIn('org', orgs);
  return matchesUser
    ? `(e.actor IS NOT NULL AND (e.org, e.actor) NOT IN (SELECT org, id FROM actors WHERE ${own} AND NOT ${kinds}))`
    : `(e.actor IS NOT NULL AND (e.org, e.actor) IN (SELECT org, id FROM actors WHERE ${own} AND ${kinds}))`;
}

/** `filterSql` for `actor_kind` (null = no actor), with the same three-valued outcome on rows. */
function actorKindFilterSql(filter: Filter, orgs: string[], ps: SqlParams): string {
  const missing = filter.values.includes(null);
  const none = filter.values.every((v) => v === null);
  if (filter.op === 'prefix') return actorKindMatch(filter, orgs, ps);
  if (filter.op === 'not_in') {
    if (none) return '(e.actor IS NOT NULL)';
    const match = actorKindMatch(filter, orgs, ps);
    return missing ? `(e.actor IS NOT NULL AND NOT ${match})` : `(NOT ${match})`;
  }
  if (none) return '(e.actor IS NULL)';
  const match = actorKindMatch(filter, orgs, ps);
  return missing ? `(${match} OR e.actor IS NULL)` : match;
}

function filterSql(filter: Filter, ps: SqlParams, orgs: string[]): string {
  if (filter.field.kind === 'actor_kind') return actorKindFilterSql(filter, orgs, ps);
  const f = fieldSql(filter.field, ps);
  const present = filter.values.filter((v): v is string => v !== null);
  const missing = present.length < filter.values.length;
  if (filter.op === 'prefix') return `(${present.map((v) => `starts_with(${f}, ${ps.p(v)})`).join(' OR ')})`;
  const list = present.length > 0 ? `${f} IN (${present.map((v) => ps.p(v)).join(', ')})` : null;
  if (filter.op === 'not_in') {
    if (list === null) return `(${f} IS NOT NULL)`;
    return missing ? `(${f} IS NOT NULL AND NOT ${list})` : `(${f} IS NULL OR NOT ${list})`;
  }
  if (list === null) return `(${f} IS NULL)`;
  return missing ? `(${list} OR ${f} IS NULL)` : `(${list})`;
}

/**
 * The WHERE clause of a scan: org, type and time bounds first, then filters and exclusions.
 * Filters on `actor_kind` need no join; an exclusion over `actor_kind` needs `actors a` joined.
 * With every scanned org's number in `ps.orgNos`, `e.org_no IN (...)` is added: the zone maps of
 * the integer column skip other orgs' row groups where the VARCHAR ones cannot (schema.ts).
 */
export function whereSql(scan: Scan, ps: SqlParams): string {
  const parts = [ps.orgsIn('e.org', scan.orgs)];
  const orgNos = ps.orgNos;
  // Numbers help pruning for a few orgs; for more than ORG_LIST_MAX the org list alone decides.
  const nos = orgNos && scan.orgs.length <= ORG_LIST_MAX ? scan.orgs.map((o) => orgNos.get(o)) : [];
  if (nos.length > 0 && nos.every((n) => n !== undefined))
    parts.push(`e.org_no IN (${nos.map(lit).join(', ')})`);
  if (scan.types.length > 0) parts.push(`e.type IN (${scan.types.map((t) => ps.p(t)).join(', ')})`);
  if (scan.from !== null) parts.push(`e.ts >= ${lit(scan.from)}`);
  parts.push(`e.ts < ${lit(scan.to)}`);
  for (const filter of scan.filters) parts.push(filterSql(filter, ps, scan.orgs));
  const ex = scan.exclude;
  if (ex && ex.tuples.length > 0) {
    const exprs = ex.fields.map((f) => fieldSql(f, ps));
    const alts = ex.tuples.map(
      (t) =>
        `(${exprs.map((x, k) => (t[k] === null || t[k] === undefined ? `${x} IS NULL` : `${x} IS NOT DISTINCT FROM ${ps.p(t[k])}`)).join(' AND ')})`,
    );
    parts.push(`NOT (${alts.join(' OR ')})`);
  }
  return parts.join('\n  AND ');
}

/** DuckDB's primitives of the shared time-index SQL (`//` is integer division on BIGINT). */
const time = timeIndexSql({
  ts: 'e.ts',
  intDiv: (x, m, minus) => (minus === undefined ? `(${x} // ${m})` : `((${x} - ${minus}) // ${m})`),
  ifThen: (cond, then, otherwise) => `CASE WHEN ${cond} THEN ${then} ELSE ${otherwise} END`,
  zero: '0',
  monthIndex: (lt) => `(year(epoch_ms(${lt})) * 12 + month(epoch_ms(${lt})) - 1)`,
});

/** Local naive ms of `e.ts`: ts plus the offset of its segment. */
export const localSql = time.localSql;

/**
 * The axis index of a row, from column `lt` (local ms, see `localSql`) and `e.ts`,
 * exactly as documented on `TimeIndex` and mirrored by core's `indexFormula`.
 */
export const indexSql = time.indexSql;
