/**
 * Expression pieces of the DuckDB dialect: parameters, fields and the time index
 * (filters and exclusions are in dialect-where.ts). Request-derived strings (org ids, types, dim keys, filter values)
 * are always bound as `$n` parameters. Integers the engine computed itself
 * (time bounds after validation, UTC offsets, index corrections) are spliced
 * through `lit`, which accepts safe integers only: literals keep DuckDB's zone
 * maps pruning on `ts` (a bound JS bigint would arrive as HUGEINT).
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import type { Field } from '../../core/query/plan.js';
import { lit, timeIndexSql } from '../sql/time-index.js';
import type { DimColumns } from './dim-columns.js';

/**
 * What the store knows of its events table that every scan may use: the org numbers (see
 * dialect-where.ts) and the dims keys held as plain columns (dim-columns.ts).
 */
export interface Layout {
  orgNos?: ReadonlyMap<string, number>;
  dimCols?: DimColumns;
}

/**
 * Collects parameters; `p` returns the placeholder of a newly bound value. It also carries the
 * store's layout for the statement's scans.
 */
export class SqlParams {
  readonly values: DuckDBValue[] = [];
  constructor(readonly layout: Layout = {}) {}

  get orgNos(): ReadonlyMap<string, number> | undefined {
    return this.layout.orgNos;
  }
  p(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** The placeholder of a bound DOUBLE (a filter's bound: any finite number, not only integers). */
  num(value: number): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /**
   * `column IN (...)` over org ids. Up to ORG_LIST_MAX ids each get a parameter; more are bound
   * as one VARCHAR[] list and semi-joined: DuckDB plans a statement of many placeholders slowly
   * (a '*' key's 1,000 orgs cost tens of ms before the scan starts), and a list has no limit.
   */
  orgsIn(column: string, orgs: readonly string[]): string {
    if (orgs.length <= ORG_LIST_MAX) return `${column} IN (${orgs.map((o) => this.p(o)).join(', ')})`;
    this.values.push(listValue([...orgs]));
    return `${column} IN (SELECT unnest($${this.values.length}::VARCHAR[]))`;
  }
}

/**
 * The most org ids a statement lists one parameter each (see SqlParams.orgsIn), and the most org
 * numbers it lists one literal each (see whereSql). Kept small: each costs planning time.
 */
export const ORG_LIST_MAX = 64;

export { lit };

/** SQL of a field over `events e` (and `actors a` when joined). */
export function fieldSql(field: Field, ps: SqlParams): string {
  switch (field.kind) {
    case 'actor':
      return 'e.actor';
    case 'dim': {
      // The key's column holds exactly dims[key] and is read without decoding the map.
      const col = ps.layout.dimCols?.get(field.key);
      return col === undefined ? `e.dims[${ps.p(field.key)}]` : `e.${col}`;
    }
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
