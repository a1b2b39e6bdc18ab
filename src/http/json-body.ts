/**
 * The one JSON parser for request bodies on every surface (JSON, each NDJSON line,
 * CloudEvents, TR50 envelopes): a nesting bound checked on the text before
 * anything recursive runs (JSON.parse, a walk, JSON.stringify), and the
 * prototype-poisoning guard (`__proto__` keys, `constructor.prototype`) that
 * Fastify's own parser applies, so that every route refuses the same bodies.
 */
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../core/errors.js';

/** Deepest nesting of arrays and objects a body may have (events need 2; actor props and CloudEvents data a few more). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests arrays or objects deeper than `max`: one linear pass that skips
 * strings, so it costs nothing like the parse it protects.
 */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** The JSON pointer of the first `__proto__` key or `constructor.prototype`, or null (iterative: no deep recursion). */
export function poisonedPath(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v)) {
      if (Object.hasOwn(v, '__proto__')) return `${path}/__proto__`;
      const ctor: unknown = (v as Record<string, unknown>).constructor;
      if (
        Object.hasOwn(v, 'constructor') &&
        typeof ctor === 'object' &&
        ctor !== null &&
        Object.hasOwn(ctor, 'prototype')
      )
        return `${path}/constructor/prototype`;
    }
    for (const [k, child] of Object.entries(v)) stack.push({ v: child, path: `${path}/${k}` });
  }
  return null;
}

/** Why a JSON text is refused, as a path and message; or its value. */
export type JsonParse = { value: unknown } | { fault: { path: string; message: string } };

/**
 * Parse one JSON text under the body rules above.
 *
 * @example parseJson('{"dims": {"__proto__": "x"}}')
 * // { fault: { path: '/dims/__proto__', message: 'a "__proto__" key is refused (prototype poisoning)' } }
 */
export function parseJson(text: string): JsonParse {
  if (nestsDeeperThan(text))
    return { fault: { path: '/', message: `nests deeper than ${MAX_JSON_DEPTH} levels` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { fault: { path: '/', message: 'is not valid JSON' } };
  }
  // Only texts that could spell such a key (directly or through \u escapes) need the walk.
  if (/__proto__|constructor|\\u/.test(text)) {
    const path = poisonedPath(value);
    if (path !== null)
      return {
        fault: {
          path,
          message: path.endsWith('__proto__')
            ? 'a "__proto__" key is refused (prototype poisoning)'
            : 'a "constructor" object with a "prototype" key is refused (prototype poisoning)',
        },
      };
  }
  return { value };
}

/** A whole body as JSON; throws `ValidationError` (400) naming the fault. */
export function parseJsonBody(text: string): unknown {
  const r = parseJson(text);
  if ('value' in r) return r.value;
  const { path, message } = r.fault;
  const what =
    message === 'is not valid JSON'
      ? 'The body is not valid JSON.'
      : `The body ${path === '/' ? '' : `at ${path} `}${message.startsWith('a ') ? `has ${message}` : message}.`;
  throw new ValidationError(what, [r.fault]);
}

/** A Fastify content-type parser (`parseAs: 'string'`) built on `parseJsonBody`. */
export function jsonBodyParser(
  _req: FastifyRequest,
  body: string | Buffer,
  done: (err: Error | null, value?: unknown) => void,
): void {
  try {
    done(null, parseJsonBody(String(body)));
  } catch (err) {
    done(err as Error);
  }
}
