/**
 * When a row request reads the actor rollup (rollup.ts) instead of events, and the
 * relation it then reads. The rollup serves a request only where its answer is the
 * same as the events':
 * - distinct counts over a tuple holding the actor (`intervals`, or `stats` with
 *   `unique`, whose only figure read is u: rows without an actor count nothing);
 * - fields and filters on org, type, actor and actor_kind only (no dims, no value);
 * - a time index whose offsets, transitions and clamp fall on 15-minute cells, so
 *   every cell lies in one unit (any zone today; not local mean time, nor St. John's
 *   switching at 00:01 before 2011).
 * Everything else reads events, as does the part of the range outside whole cells
 * and every event received after the watermark the rollup covers (the tail).
 */
import { filterLeaves, type Field } from '../../core/query/plan.js';
import type { RowRequest, Scan } from '../../core/query/requests.js';
import { lit, type SqlParams } from './dialect-expr.js';
import { whereSql } from './dialect-where.js';
import { CELL_MS } from './rollup.js';

const SERVED = new Set<Field['kind']>(['actor', 'org', 'type', 'actor_kind']);

function aligned(ms: number): boolean {
  return ms % CELL_MS === 0;
}

/** The part of the scan [from, to) the rollup reads: whole cells; null when there are none. */
export function cellRange(scan: Scan): { from: number | null; to: number } | null {
  const to = Math.floor(scan.to / CELL_MS) * CELL_MS;
  const from = scan.from === null ? null : Math.ceil(scan.from / CELL_MS) * CELL_MS;
  return from !== null && from >= to ? null : { from, to };
}

/** Whether the rollup gives this request's answer (see the header). */
export function rollupFits(request: RowRequest): boolean {
  if (request.kind === 'latest') return false;
  if (request.kind === 'stats' && (request.unique === null || (request.quantile ?? null) !== null))
    return false;
  const unique = request.unique ?? [];
  if (!unique.some((f) => f.kind === 'actor')) return false;
  const fields = [...request.groupBy, ...unique, ...(request.scan.exclude?.fields ?? [])];
  for (const leaf of filterLeaves(request.scan.filters)) {
    if (leaf.field.kind === 'value') return false;
    fields.push(leaf.field);
  }
  if (!fields.every((f) => SERVED.has(f.kind))) return false;
  const { segments, clampBefore } = request.index;
  if (!segments.every((s, k) => aligned(s.offsetMs) && (k === 0 || aligned(s.from)))) return false;
  if (clampBefore !== null && !aligned(clampBefore)) return false;
  return cellRange(request.scan) !== null;
}

/**
 * The relation `e` of a fitting request: the rollup's cells in the whole-cell range (ts = the
 * cell's start, mts = its latest event) and the events outside it or received after
 * `through` (ts = mts = the event's), each side filtered by the scan (without the top-N
 * exclusion, which the caller applies once over both). Repeated cells change no distinct count.
 */
export function rollupRelation(request: RowRequest, through: number, ps: SqlParams): string {
  const cells = cellRange(request.scan)!;
  const scan = { ...request.scan, exclude: null };
  const cols = 'e.org_no, e.org, e.type, e.actor, e.ts';
  // Only the bounds the cells do not reach: alone, `received > through` lets zone maps skip
  // every sorted row group (their rows are all at or below the watermark).
  const outside = [`e.received > ${lit(through)}`];
  if (cells.to < request.scan.to) outside.push(`e.ts >= ${lit(cells.to)}`);
  if (cells.from !== null && cells.from !== request.scan.from) outside.push(`e.ts < ${lit(cells.from)}`);
  return `(SELECT ${cols}, e.mts FROM actor_rollup e
    WHERE ${whereSql({ ...scan, ...cells }, ps)}
  UNION ALL
  SELECT ${cols}, e.ts AS mts FROM events e
    WHERE ${whereSql(scan, ps)}
    AND (${outside.join(' OR ')})) e`;
}
