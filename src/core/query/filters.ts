/**
 * Filter trees from their JSON form (docs/query.md): leaves `[op, field, values]` combined by
 * `{"and": [...]}`, `{"or": [...]}` and `{"not": f}`; a list means `and`. One parser serves the
 * native request and the check of any plan (`checkFilters` re-reads a plan's trees through it),
 * so every fault is a 400 at the same path: a JSON pointer such as `filters/or/2/not/2/0`.
 */
import { ValidationError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { fieldLabel, type Field, type FilterLeaf, type FilterTree } from './plan.js';
import { re2SyntaxError } from './re2-syntax.js';

export const FILTER_LIMITS = {
  /** Items of the list form. */
  items: 32,
  /** Nested `and`/`or`/`not` nodes (the list form is no node: its items are trees of their own). */
  depth: 5,
  /** Leaves in all the filters of a query. */
  leaves: 50,
  values: 1000,
  valueLength: 512,
} as const;

const TEXT_OPS = ['eq', 'in', 'not_in', 'prefix', 'contains', 'icontains', 'regex'] as const;
const COMPARE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
/** Every leaf op, in the order the docs list them. */
export const FILTER_OPS: readonly string[] = [...TEXT_OPS, ...COMPARE_OPS];
/** Ops whose values must all be present: a missing field has no prefix, substring or match. */
const NO_NULL = ['prefix', 'contains', 'icontains', 'regex'];
const SHAPE = 'must be [op, field, [values]] or {"and": [...]}, {"or": [...]} or {"not": filter}';

/** Resolves a field label (`dims.app`) or throws a 400 at `path`. */
export type FieldResolver = (label: string, path: string) => Field;

function fail(path: string, message: string): never {
  throw ValidationError.param(path, message);
}

class Reading {
  leaves = 0;
  constructor(readonly fieldOf: FieldResolver) {}

  node(raw: unknown, path: string, depth: number): FilterTree {
    if (Array.isArray(raw)) return this.leaf(raw, path);
    if (raw === null || typeof raw !== 'object') fail(path, SHAPE);
    const keys = Object.keys(raw);
    const key = keys[0];
    if (keys.length !== 1 || (key !== 'and' && key !== 'or' && key !== 'not')) fail(path, SHAPE);
    const at = `${path}/${key}`;
    if (depth + 1 > FILTER_LIMITS.depth) fail(at, `nests past ${FILTER_LIMITS.depth} levels of and/or/not`);
    const inner: unknown = (raw as Record<string, unknown>)[key];
    if (key === 'not') return { not: this.node(inner, at, depth + 1) };
    if (!Array.isArray(inner) || inner.length === 0)
      fail(at, `must be a list of 1-${FILTER_LIMITS.leaves} filters`);
    const children = inner.map((c: unknown, j) => this.node(c, `${at}/${j}`, depth + 1));
    return key === 'and' ? { and: children } : { or: children };
  }

  leaf(raw: readonly unknown[], path: string): FilterLeaf {
    if (++this.leaves > FILTER_LIMITS.leaves)
      fail(path, `is past the limit of ${FILTER_LIMITS.leaves} filter leaves`);
    const op: unknown = raw[0];
    const label: unknown = raw[1];
    const values: unknown = raw[2];
    if (raw.length !== 3 || typeof op !== 'string' || typeof label !== 'string' || !Array.isArray(values))
      fail(path, `must be [op, field, [values]], e.g. ["eq", "dims.app", ["ios"]]`);
    if (!FILTER_OPS.includes(op))
      fail(`${path}/0`, `must be one of ${FILTER_OPS.join(', ')}${didYouMean(op, [...FILTER_OPS])}`);
    if (values.length === 0 || values.length > FILTER_LIMITS.values)
      fail(`${path}/2`, `must list 1-${FILTER_LIMITS.values} values`);
    if ((COMPARE_OPS as readonly string[]).includes(op)) {
      const field = label === 'value' ? ({ kind: 'value' } as const) : this.fieldOf(label, `${path}/1`);
      if (field.kind !== 'value' && field.kind !== 'dim')
        fail(`${path}/1`, `must be value or dims.<key>: ${op} compares numbers`);
      const bound: unknown = values[0];
      if (values.length !== 1 || typeof bound !== 'number' || !Number.isFinite(bound))
        fail(`${path}/2`, `must hold exactly one number for ${op}`);
      return { field, op: op as (typeof COMPARE_OPS)[number], values: [bound] };
    }
    if (label === 'value') fail(`${path}/1`, 'value takes only gt, gte, lt and lte');
    const field = this.fieldOf(label, `${path}/1`);
    if (op === 'eq' && values.length !== 1) fail(`${path}/2`, 'must hold exactly one value for eq');
    values.forEach((v: unknown, j) => {
      const at = `${path}/2/${j}`;
      if (v === null) {
        if (NO_NULL.includes(op)) fail(at, `cannot be null with ${op}: a missing value never matches`);
        return;
      }
      if (typeof v !== 'string' || v.length === 0 || v.length > FILTER_LIMITS.valueLength)
        fail(at, `must be a string of 1-${FILTER_LIMITS.valueLength} characters`);
      const bad = op === 'regex' ? re2SyntaxError(v) : null;
      if (bad !== null) fail(at, `is not a pattern this filter runs: ${bad}`);
    });
    return { field, op: op as (typeof TEXT_OPS)[number], values: values as (string | null)[] };
  }
}

/**
 * Filter trees from JSON: a list (AND of its items) or one tree. Throws `ValidationError` at
 * the path of the first fault, under `path` (`filters`).
 *
 * @example
 * parseFilters({ or: [['eq', 'dims.app', ['ios']], ['gt', 'value', [10]]] }, resolve)
 * // [{ or: [{ field: { kind: 'dim', key: 'app' }, op: 'eq', values: ['ios'] }, ...] }]
 */
export function parseFilters(raw: unknown, fieldOf: FieldResolver, path = 'filters'): FilterTree[] {
  const reading = new Reading(fieldOf);
  if (!Array.isArray(raw)) return [reading.node(raw, path, 0)];
  if (raw.length > FILTER_LIMITS.items) fail(path, `must list at most ${FILTER_LIMITS.items} filters`);
  return raw.map((item: unknown, k) => reading.node(item, `${path}/${k}`, 0));
}

/** A tree back in its JSON form. */
export function filterJson(tree: FilterTree): unknown {
  if ('and' in tree) return { and: tree.and.map(filterJson) };
  if ('or' in tree) return { or: tree.or.map(filterJson) };
  if ('not' in tree) return { not: filterJson(tree.not) };
  return [tree.op, tree.field.kind === 'value' ? 'value' : fieldLabel(tree.field), tree.values];
}

/** A plan's filters checked as a request's would be (the plan's list is the list form). */
export function checkFilters(trees: FilterTree[], fieldOf: FieldResolver): FilterTree[] {
  if (!Array.isArray(trees)) fail('filters', `must list at most ${FILTER_LIMITS.items} filters`);
  return parseFilters(trees.map(filterJson), fieldOf);
}
