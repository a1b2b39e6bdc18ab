/**
 * Issue 26, CSV: the formula guard also covers values a spreadsheet still reads as a
 * formula: after leading spaces, with full-width `＝＋－＠`, and starting with a line feed.
 * Checked end to end through the native query's CSV answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/http/routes/query-csv.js';
import { NOW, relApp, type RelApp } from './harness.js';

const HOSTILE = [
  ' =1+1',
  '  @SUM(A1)',
  '\u3000-2+3',
  '＝HYPERLINK("x")',
  '＋1',
  '－1',
  '＠x',
  '\n=cmd',
  '\t+1',
];
const PLAIN = [' hello', 'a=b', '1-2', 'x＝y'];

describe('CSV formula guard (issue 26)', () => {
  let t: RelApp;
  beforeAll(async () => {
    t = await relApp();
    const events = [...HOSTILE, ...PLAIN].map((k, i) => ({
      id: `c${i}`,
      type: 't',
      org: 'acme',
      time: new Date(NOW - 3_600_000).toISOString(),
      dims: { k },
    }));
    expect((await t.call('POST', '/v1/events', { body: events })).json()).toEqual({
      accepted: events.length,
      duplicates: 0,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('quotes every formula-looking value with a leading apostrophe, and nothing else', () => {
    expect(HOSTILE.map(csvField)).toEqual([
      "' =1+1",
      "'  @SUM(A1)",
      "'\u3000-2+3",
      `"'＝HYPERLINK(""x"")"`,
      "'＋1",
      "'－1",
      "'＠x",
      `"'\n=cmd"`,
      "'\t+1",
    ]);
    expect(PLAIN.map(csvField)).toEqual(PLAIN);
  });

  it('guards group values in the native CSV answer', async () => {
    const res = await t.call('GET', '/v1/query?org=acme&bucket=none&last=1d&group_by=dims.k&format=csv');
    expect(res.statusCode, res.body).toBe(200);
    for (const v of HOSTILE) expect(res.body).toContain(csvField(v));
    for (const v of HOSTILE)
      expect(res.body).not.toMatch(new RegExp(`(^|,|\\n)"?${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const v of PLAIN) expect(res.body).toContain(v);
  });
});
