/**
 * The one literal-quoting function of the ClickHouse engine. ClickHouse 18.16
 * has no server-side query parameters, so every request-derived string that
 * must appear in SQL text (org ids, types, dim keys, filter values, key ids)
 * goes through `quote`, and numbers through `lit`/`litFloat`. Nothing else is
 * ever spliced except identifiers from fixed lists in code (`ident` checks the
 * database name from the URL). Fuzzed against a real server in
 * test/clickhouse/quote.test.ts.
 */

const HEX = '0123456789ABCDEF';

/**
 * A ClickHouse string literal for `s`: backslash and single quote escaped,
 * every control character (NUL, newlines, tabs, DEL) as `\xHH`; other Unicode
 * passes through as UTF-8. Lone UTF-16 surrogates cannot be encoded as UTF-8 and
 * are sent as U+FFFD, as every UTF-8 transport does.
 *
 * @example
 * quote("it's") // "'it\\'s'"
 * quote('a\nb') // "'a\\x0Ab'"
 */
export function quote(s: string): string {
  let out = "'";
  for (let k = 0; k < s.length; k++) {
    const ch = s[k]!;
    const code = s.charCodeAt(k);
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${HEX[code >> 4]!}${HEX[code & 15]!}`;
    else out += ch;
  }
  return `${out}'`;
}

/** An integer literal (safe integers only); the one definition both engines share. */
export { lit } from '../sql/time-index.js';

/** A database or cluster name from configuration: a plain identifier, never quoted. */
export function ident(name: string, what = 'identifier'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name))
    throw new TypeError(`${what} must match [A-Za-z_][A-Za-z0-9_]*`);
  return name;
}

/** `'a', 'b'` for an IN list; callers never pass an empty list. */
export function quoteList(values: readonly string[]): string {
  return values.map(quote).join(', ');
}
