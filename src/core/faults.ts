/**
 * Schema failures -> faults a client can act on: one fault per field, at the name the
 * client sent, saying what is accepted (read from the schema itself) and guessing the
 * intended value or name when one is close. Validators (Ajv for routes, TypeBox for
 * events) are adapted to `SchemaFault` at the edge; this module knows neither. Runs only
 * after a validator has said no, so it may be slow-ish and thorough.
 */
import type { ErrorDetail } from './errors.js';
import { didYouMean } from './suggest.js';

/** A JSON Schema node, as TypeBox builds it and Ajv reports it. */
export type SchemaNode = Record<string, unknown>;

/** One validator complaint, adapted: where, what kind, and the schema of the place. */
export interface SchemaFault {
  /** JSON pointer into the validated value ('' = the value itself). */
  path: string;
  kind: 'required' | 'unknown' | 'invalid';
  /** The schema at `path` (for `unknown`: the object schema holding the known names). */
  schema?: SchemaNode;
  /** The value found at `path` (for `unknown`, unused). */
  value?: unknown;
}

const isNode = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

function range(min: unknown, max: unknown, unit: string): string {
  if (typeof min === 'number' && typeof max === 'number') return `${min}-${max}${unit}`;
  if (typeof max === 'number') return `at most ${max}${unit}`;
  if (typeof min === 'number') return `at least ${min}${unit}`;
  return '';
}

function describeString(s: SchemaNode): string {
  const length = range(s['minLength'], s['maxLength'], ' characters');
  let out = length ? `a string of ${length}` : 'a string';
  const chars = typeof s['pattern'] === 'string' ? /^\^\[([^\]]+)\]\+\$$/.exec(s['pattern']) : null;
  if (chars) out += ` from ${chars[1]}`;
  else if (typeof s['pattern'] === 'string') out += ` matching ${s['pattern']}`;
  return out;
}

function describeNumber(s: SchemaNode, what: string): string {
  const min = s['minimum'];
  const max = s['maximum'];
  if (typeof min === 'number' && typeof max === 'number') return `${what} from ${min} to ${max}`;
  if (typeof min === 'number') return `${what} of at least ${min}`;
  if (typeof max === 'number') return `${what} of at most ${max}`;
  return what;
}

/** The literal values of a union of constants, or null. */
export function literalsOf(s: SchemaNode | undefined): string[] | null {
  const branches = s?.['anyOf'];
  if (!Array.isArray(branches) || branches.length === 0) return null;
  const out: string[] = [];
  for (const b of branches) {
    if (!isNode(b) || !('const' in b)) return null;
    out.push(String(b['const']));
  }
  return out;
}

/**
 * Words set by hand for schemas whose structure says it badly (a time as string-or-number),
 * keyed by the schema's JSON: TypeBox's Optional and the validators hand back copies.
 */
const SAID = new Map<string, string>();

/**
 * Give `schema` the words a fault uses for it ("must be <words>"); returns the schema.
 * Kept off the schema itself, so that OpenAPI documents stay plain JSON Schema.
 *
 * @example const Time = expecting(Type.Union([...]), 'an RFC 3339 time or Unix seconds')
 */
export function expecting<T extends object>(schema: T, words: string): T {
  SAID.set(JSON.stringify(schema), words);
  return schema;
}

/**
 * What a schema accepts, in words.
 *
 * @example describeSchema({ type: 'integer', minimum: 0, maximum: 6 }) // 'an integer from 0 to 6'
 */
export function describeSchema(s: SchemaNode | undefined): string {
  if (s === undefined) return 'a valid value';
  const said = SAID.size > 0 ? SAID.get(JSON.stringify(s)) : undefined;
  if (said !== undefined) return said;
  if ('const' in s) return JSON.stringify(s['const']);
  const literals = literalsOf(s);
  if (literals) return `one of ${literals.join(', ')}`;
  if (Array.isArray(s['anyOf'])) {
    const parts = s['anyOf'].filter(isNode).map(describeSchema);
    return parts.length <= 2 ? parts.join(' or ') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
  }
  switch (s['type']) {
    case 'string':
      return describeString(s);
    case 'integer':
      return describeNumber(s, 'an integer');
    case 'number':
      return describeNumber(s, 'a number');
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array': {
      if (Array.isArray(s['items']))
        return `a list [${s['items'].filter(isNode).map(describeSchema).join(', ')}]`;
      const count = range(s['minItems'], s['maxItems'], ' items');
      return `a list${count ? ` of ${count}` : ''}${isNode(s['items']) ? `, each ${describeSchema(s['items'])}` : ''}`;
    }
    case 'object': {
      if (isNode(s['properties'])) return `an object with ${Object.keys(s['properties']).join(', ')}`;
      const values = isNode(s['patternProperties']) ? Object.values(s['patternProperties'])[0] : undefined;
      const keys = range(undefined, s['maxProperties'], ' keys');
      return `an object${keys ? ` of ${keys}` : ''}${isNode(values) ? ` whose values are each ${describeSchema(values)}` : ''}`;
    }
    default:
      return 'a valid value';
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return typeof v === 'boolean' ? 'a boolean' : typeof v;
}

/** The JSON types a schema admits (for the "got …" hint), or null when it cannot say. */
function typesOf(s: SchemaNode | undefined): Set<string> | null {
  if (s === undefined) return null;
  if ('const' in s) return new Set([jsonType(s['const'])]);
  if (Array.isArray(s['anyOf'])) {
    const all = new Set<string>();
    for (const b of s['anyOf']) {
      const t = isNode(b) ? typesOf(b) : null;
      if (t === null) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  const map: Record<string, string[]> = {
    string: ['a string'],
    integer: ['an integer'],
    number: ['an integer', 'a number'],
    boolean: ['a boolean'],
    null: ['null'],
    array: ['an array'],
    object: ['an object'],
  };
  return typeof s['type'] === 'string' && map[s['type']] ? new Set(map[s['type']]) : null;
}

function invalidMessage(f: SchemaFault): string {
  let out = `must be ${describeSchema(f.schema)}`;
  const literals = literalsOf(f.schema);
  if (literals) out += didYouMean(f.value, literals);
  const types = typesOf(f.schema);
  if (types && !types.has(jsonType(f.value))) out += ` (got ${jsonType(f.value)})`;
  return out;
}

function unknownMessage(f: SchemaFault, noun: string): string {
  const name = f.path.slice(f.path.lastIndexOf('/') + 1);
  const known = isNode(f.schema?.['properties']) ? Object.keys(f.schema['properties']) : [];
  const guess = didYouMean(name, known);
  if (guess) return `is not a known ${noun}${guess}`;
  return known.length > 0 ? `is not a known ${noun}; known: ${known.join(', ')}` : `is not a known ${noun}`;
}

export interface FriendlyOptions {
  /** What a key of the validated object is called: `parameter` (a query) or `field` (an event). */
  noun: string;
  /** Turns a JSON pointer into the path reported (e.g. strips the leading `/` of a parameter). */
  name?: (pointer: string) => string;
}

/**
 * One fault per place, the most specific ones: a complaint about a union at `/filters` gives
 * way to the one at `/filters/0/0` that says which member is wrong; `required` and `unknown`
 * win over type complaints at the same place (a missing `id` is one fault, not two).
 */
export function friendlyFaults(faults: readonly SchemaFault[], opts: FriendlyOptions): ErrorDetail[] {
  const rank = { required: 0, unknown: 1, invalid: 2 } as const;
  const byPath = new Map<string, SchemaFault>();
  for (const f of faults) {
    const seen = byPath.get(f.path);
    if (seen === undefined || rank[f.kind] < rank[seen.kind]) byPath.set(f.path, f);
  }
  const paths = [...byPath.keys()];
  const out: ErrorDetail[] = [];
  for (const [path, f] of byPath) {
    if (f.kind === 'invalid' && paths.some((p) => p.startsWith(`${path}/`))) continue;
    const message =
      f.kind === 'required'
        ? `is required: ${describeSchema(f.schema)}`
        : f.kind === 'unknown'
          ? unknownMessage(f, opts.noun)
          : invalidMessage(f);
    out.push({ path: opts.name ? opts.name(path) : path, message });
  }
  return out;
}
