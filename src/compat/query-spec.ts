/**
 * One declaration per vendor query string. Each vendor API lists its
 * parameters once (type, allowed values, bounds, description); its parser
 * reads values through that declaration and its OpenAPI schema is built from
 * it, so the two cannot drift. The schema stays documentation only: each
 * vendor parses its own input, because its faults must keep the vendor's
 * error shape. The common readings (one value of a parameter, an ISO date,
 * digits, true/false) live here once; a vendor words its faults through its
 * own `Refuse`.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { ValidationError } from '../core/errors.js';
import { parseInstant } from '../core/time/index.js';

/** A parsed query string: a repeated name arrives as an array (Fastify's parser). */
export type RawQuery = Record<string, unknown>;

/** One parameter as the vendor documents and reads it. */
export interface Param {
  /** Documented as free text, an integer, `true|false`, or one of `values`. */
  type: 'string' | 'integer' | 'boolean';
  /** The values a choice accepts. */
  values?: readonly string[];
  /** Documented as required (the parser says what happens when it is missing). */
  required?: boolean;
  description?: string;
  /** The longest value read; `single` refuses a longer one. */
  maxLength?: number;
  /** A repeated parameter: refused (the default), or its last value counts, as Django's QueryDict.get. */
  repeated?: 'refuse' | 'last';
}

/** A vendor's query string: parameter name -> declaration. */
export type QuerySpec = Readonly<Record<string, Param>>;

/** Throws the vendor's fault for a parameter: `message` reads after the name ("must be given once"). */
export type Refuse = (name: string, message: string) => never;

/** The usual refusal: a ValidationError naming the parameter (`name: message`). */
export function refuseParam(name: string, message: string): never {
  throw ValidationError.param(name, message);
}

/** Where parameters travel: a query string (every value text) or a JSON object (TR50's params). */
export type ParamForm = 'query' | 'json';

function schemaOf(p: Param, form: ParamForm): TSchema {
  const doc = p.description === undefined ? {} : { description: p.description };
  if (p.values !== undefined)
    return Type.Union(
      p.values.map((v) => Type.Literal(v)),
      doc,
    );
  if (p.type === 'boolean')
    return form === 'json'
      ? Type.Boolean(doc)
      : Type.Union([Type.Literal('true'), Type.Literal('false')], doc);
  if (p.type === 'integer') return Type.Integer(doc);
  return Type.String(p.maxLength === undefined ? doc : { ...doc, maxLength: p.maxLength });
}

/**
 * The OpenAPI schema of a query string (for `querystring` in documentedOnly), or with
 * `form: 'json'` of a JSON object of parameters.
 *
 * @example querySchema({ from: { type: 'string', required: true, description: 'YYYY-MM-DD' } })
 */
export function querySchema(spec: QuerySpec, form: ParamForm = 'query'): TObject {
  return Type.Object(
    Object.fromEntries(
      Object.entries(spec).map(([name, p]) => {
        const s = schemaOf(p, form);
        return [name, p.required ? s : Type.Optional(s)];
      }),
    ),
    form === 'json' ? { additionalProperties: false } : {},
  );
}

/** The spec with the named parameters documented as optional (e.g. one a path segment may carry). */
export function optional(spec: QuerySpec, ...names: string[]): QuerySpec {
  return Object.fromEntries(
    Object.entries(spec).map(([name, p]) => [name, names.includes(name) ? { ...p, required: false } : p]),
  );
}

/**
 * The one value of a parameter as the spec reads it, or undefined when absent. A repeated
 * parameter is refused, or its last value counts (`repeated: 'last'`; then a value that is
 * not text counts as absent). A value longer than `maxLength` is refused.
 */
export function single(query: RawQuery, spec: QuerySpec, name: string, refuse: Refuse): string | undefined {
  const p = spec[name];
  if (p === undefined) throw new Error(`${name} is not declared`);
  const raw = query[name];
  let v: unknown = raw;
  if (p.repeated === 'last') {
    const last: unknown = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    v = typeof last === 'string' ? last : undefined;
  }
  if (v === undefined) return undefined;
  if (typeof v !== 'string') refuse(name, 'must be given once');
  if (p.maxLength !== undefined && v.length > p.maxLength)
    refuse(name, `must be at most ${p.maxLength} characters`);
  return v;
}

/** `YYYY-MM-DD` at the start: an ISO date, not a bare number (parseInstant reads those as Unix seconds). */
export const ISO_DATE_START = /^\d{4}-\d{2}-\d{2}/;

/**
 * An ISO 8601 date or date-time read in UTC (a date alone is its UTC midnight), or null when the
 * text does not have the `shape` the vendor accepts. parseInstant's ValidationError (an impossible
 * date, a bad offset) propagates, naming `param`.
 *
 * @example isoInstant('2024-01-30', 'start') // Date.UTC(2024, 0, 30)
 */
export function isoInstant(text: string, param: string, shape: RegExp = ISO_DATE_START): number | null {
  return shape.test(text) ? parseInstant(text, 'UTC', param) : null;
}

/**
 * The number written by 1 to `maxDigits` decimal digits and nothing else, or null.
 *
 * @example digits('1652129843', 12) // 1652129843
 */
export function digits(text: string, maxDigits: number): number | null {
  if (text.length === 0 || text.length > maxDigits || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** `true` or `false`, spelled so; null for anything else. */
export function trueOrFalse(text: string): boolean | null {
  return text === 'true' ? true : text === 'false' ? false : null;
}
