/**
 * The shape of a benchmarked query: how a dashboard asks Tally (an HTTP call on
 * the native API or a compat surface), the hand-written SQL that gives the same
 * answer straight from the engine (DuckDB, and PostgreSQL and ClickHouse where written), and the
 * canonical form both answers are reduced to before they are compared.
 */
import { DAY_MS } from '../gen/model.js';

/** One queried org: the largest and a median one. */
export interface OrgTarget {
  label: 'largest' | 'median';
  id: string;
  domain: string;
  /** The org and its descendants (VIKTOR's org_domain covers the subtree). */
  subtree: string[];
}

/** The dataset's end (exclusive, a UTC midnight); every window is fixed relative to it. */
export interface Frame {
  end: number;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** `admin`: the bench's admin key; `org`: a read key over the queried org (TR50 sessions need one). */
  key: 'admin' | 'org';
}

export type Row = Record<string, unknown>;

export interface BenchQuery {
  id: string;
  title: string;
  surface: 'native' | 'VIKTOR' | 'FileSpin' | 'SaferMe' | 'Capgo' | 'TR50';
  call(o: OrgTarget, f: Frame): HttpCall;
  /** DuckDB statements, run in order on the store file; each one's rows go to `fromSql`. */
  duck(o: OrgTarget, f: Frame): string[];
  /** PostgreSQL statements over the plain `events`/`actors` tables (see pg.ts), when written. */
  pg?(o: OrgTarget, f: Frame): string[];
  /** ClickHouse statements over Tally's own ClickHouse tables (see clickhouse-sql.ts), when written. */
  ch?(o: OrgTarget, f: Frame): string[];
  /** The canonical answer from Tally's JSON. */
  fromHttp(json: unknown, o: OrgTarget, f: Frame): unknown;
  /** The canonical answer from the hand-written SQL's rows (one list per statement). */
  fromSql(rows: Row[][], o: OrgTarget, f: Frame): unknown;
  /** Differences between the two canonical answers; `diff` when not given. */
  compare?(http: unknown, sql: unknown): string[];
}

/** The few spellings that differ between the DuckDB and PostgreSQL hand-written SQL. */
export interface Dialect {
  name: 'duckdb' | 'postgres';
  /** Integer division of non-negative integers. */
  div: string;
  /** A dim's value (null when missing), of `dims` or `<alias>.dims`. */
  dim(key: string, alias?: string): string;
  /** Integers [a, b) as a one-column table `g(d)`. */
  range(a: number, b: number): string;
  /**
   * Rows of the orgs `ids`, of `events` or `<alias>`. On DuckDB also by org number, as Tally's
   * scans do (the bench dataset numbers org `k` as k): the fastest route on the same file.
   */
  org(ids: string[], alias?: string): string;
}

export const DUCK: Dialect = {
  name: 'duckdb',
  div: '//',
  dim: (key, alias) => `${alias ? `${alias}.` : ''}dims['${key}']`,
  range: (a, b) => `range(${a}, ${b}) g(d)`,
  org: (ids, alias) => {
    const a = alias ? `${alias}.` : '';
    return `${a}org IN (${orgList(ids)}) AND ${a}org_no IN (${ids.map(Number).join(', ')})`;
  },
};

export const PG: Dialect = {
  name: 'postgres',
  div: '/',
  dim: (key, alias) => `(${alias ? `${alias}.` : ''}dims->>'${key}')`,
  range: (a, b) => `generate_series(${a}::bigint, ${b - 1}::bigint) g(d)`,
  org: (ids, alias) => `${alias ? `${alias}.` : ''}org IN (${orgList(ids)})`,
};

/** SQL text of a list of org ids (ids come from the bench's own model: digits only). */
export function orgList(ids: string[]): string {
  for (const id of ids) if (!/^\d+$/.test(id)) throw new Error(`unexpected org id ${id}`);
  return ids.map((id) => `'${id}'`).join(', ');
}

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Differences between two canonical answers (deep; numbers equal within 1e-9 relative),
 * at most `limit` of them, each with its path. Empty when they agree.
 */
export function diff(a: unknown, b: unknown, path = '$', out: string[] = [], limit = 5): string[] {
  if (out.length >= limit) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} != ${b}`);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} != ${b.length}`);
    for (let k = 0; k < Math.min(a.length, b.length); k++) diff(a[k], b[k], `${path}[${k}]`, out, limit);
    return out;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys)
      diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out, limit);
    return out;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  return out;
}
