import { describe, expect, it } from 'vitest';
import { ident, lit, quote } from './quote.js';

describe('quote', () => {
  // Each row: the case, the input, the literal ClickHouse must read back as the input.
  it.each([
    ['a quote', "it's", "'it\\'s'"],
    ['a backslash', 'a\\b', "'a\\\\b'"],
    ['control characters', '\0\n\r\t\x7f', "'\\x00\\x0A\\x0D\\x09\\x7F'"],
    ['Unicode, left alone', 'é😀', "'é😀'"],
    ['the empty string', '', "''"],
  ])('escapes %s', (_case, input, literal) => {
    expect(quote(input)).toBe(literal);
  });

  it('never leaves an unescaped quote inside the literal', () => {
    const body = quote("'; DROP TABLE x; --").slice(1, -1);
    expect(body.replace(/\\./g, '')).not.toContain("'");
  });
});

describe('lit and ident', () => {
  it('lit takes safe integers only', () => {
    expect(lit(-5)).toBe('(-5)');
    expect(lit(7)).toBe('7');
    expect(() => lit(1.5)).toThrow(TypeError);
    expect(() => lit(Number.NaN)).toThrow(TypeError);
  });
  it('ident takes plain identifiers only', () => {
    expect(ident('tally_1')).toBe('tally_1');
    expect(() => ident('a.b')).toThrow(TypeError);
    expect(() => ident('x`; --')).toThrow(TypeError);
  });
});
