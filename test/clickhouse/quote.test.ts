/**
 * Fuzz of the one literal-quoting function against a real ClickHouse: hostile
 * strings (quotes, backslashes, NUL and other control characters, newlines,
 * SQL comment and format markers, astral Unicode) must come back byte for byte
 * from a SELECT, compare equal in a WHERE, and keep their UTF-8 length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChClient } from '../../src/store/clickhouse/client.js';
import { quote } from '../../src/store/clickhouse/quote.js';
import { clickhouseAvailable, clickhouseBaseUrl } from './env.js';

const HOSTILE = [
  "'",
  '\\',
  '\0',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\v',
  '\x1b',
  '\x7f',
  "\\'",
  "''",
  '"',
  '`',
  '--',
  '/*',
  '*/',
  ';',
  '?',
  '{',
  '}',
  '%s',
  '\\N',
  'FORMAT',
  '\u2028',
  '\u00e9',
  '\u0301',
  '\ud83d\ude00',
  '\uffff',
  "\u0000'",
];

const codePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));
const hostileString = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), codePoint), { maxLength: 24 })
  .map((xs) => xs.join(''));

describe.skipIf(!clickhouseAvailable)('quote() against a real ClickHouse', () => {
  it('round-trips hostile strings through SELECT and WHERE', async () => {
    const client = new ChClient({ url: await clickhouseBaseUrl(), database: 'default' });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(hostileString, { minLength: 1, maxLength: 16 }), async (xs) => {
          const sql = `SELECT ${xs.map((x, k) => `${quote(x)} AS s${k}, length(s${k}) AS n${k}`).join(', ')}
            WHERE ${xs.map((x, k) => `s${k} = ${quote(x)}`).join(' AND ')}`;
          const rows = await client.query(sql);
          expect(rows).toHaveLength(1);
          xs.forEach((x, k) => {
            expect(rows[0]![`s${k}`]).toBe(x);
            expect(rows[0]![`n${k}`]).toBe(Buffer.byteLength(x, 'utf8'));
          });
        }),
        { numRuns: 300 },
      );
    } finally {
      await client.close();
    }
  });

  it('keeps an injection attempt inside the literal', async () => {
    const client = new ChClient({ url: await clickhouseBaseUrl(), database: 'default' });
    try {
      const evil = "x' UNION ALL SELECT name FROM system.tables -- \\";
      const rows = await client.query(`SELECT ${quote(evil)} AS s`);
      expect(rows).toEqual([{ s: evil }]);
    } finally {
      await client.close();
    }
  });
});
