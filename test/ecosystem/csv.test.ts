/**
 * The native query as CSV (`format=csv` or `Accept: text/csv`): exact bytes,
 * worked out by hand from four events, for plain series, top-N with other and
 * shares, rolling windows and histograms; content negotiation; errors stay JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/http/routes/query-csv.js';
import { ecoApp, type EcoApp } from './app.js';

let t: EcoApp;
beforeAll(async () => {
  t = await ecoApp();
  const base = { type: 'activity', org: 'acme' };
  const res = await t.call('POST', '/v1/events', {
    body: [
      { ...base, id: 'e1', time: '2026-11-18T10:00:00Z', actor: 'a', dims: { app: 'x,y' } },
      { ...base, id: 'e2', time: '2026-11-18T12:00:00Z', actor: 'b', dims: { app: 'say "hi"' } },
      { ...base, id: 'e3', time: '2026-11-19T09:00:00Z', actor: 'a', dims: { app: 'x,y' } },
      { ...base, id: 'e4', time: '2026-11-19T10:00:00Z', actor: 'c' },
    ],
  });
  expect(res.json()).toEqual({ accepted: 4, duplicates: 0 });
});
afterAll(async () => {
  await t?.close();
});

const RANGE = 'org=acme&timezone=UTC&from=2026-11-18&to=2026-11-20';
const D18 = '2026-11-18T00:00:00+00:00';
const D19 = '2026-11-19T00:00:00+00:00';
const D20 = '2026-11-20T00:00:00+00:00';
const csv = (...rows: string[]): string => rows.map((r) => `${r}\r\n`).join('');

describe('GET /v1/query as CSV', () => {
  it('one row per point per series; RFC 4180 quoting; a missing group value is an empty field', async () => {
    const res = await t.call('GET', `/v1/query?${RANGE}&group_by=dims.app&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body).toBe(
      csv(
        'dims.app,start,end,value',
        `,${D18},${D19},0`,
        `,${D19},${D20},1`,
        `"say ""hi""",${D18},${D19},1`,
        `"say ""hi""",${D19},${D20},0`,
        `"x,y",${D18},${D19},1`,
        `"x,y",${D19},${D20},1`,
      ),
    );
  });

  it('top-N: an `other` column marks the folded series; shares add a column', async () => {
    const res = await t.call(
      'GET',
      `/v1/query?${RANGE}&bucket=none&group_by=actor&top=1&other=true&share=1`,
      { headers: { accept: 'text/csv' } },
    );
    // a has 2 events; b and c fold into other with 2: 50 % each.
    expect(res.body).toBe(
      csv('actor,other,start,end,value,share', `a,false,${D18},${D20},2,50`, `,true,${D18},${D20},2,50`),
    );
  });

  it('rolling windows add window_from and window_to', async () => {
    const res = await t.call(
      'GET',
      '/v1/query?org=acme&timezone=UTC&from=2026-11-19&to=2026-11-20&agg=unique&window=rolling&window_size=2&format=csv',
    );
    // Distinct actors over [Nov 18, Nov 20): a, b and c.
    expect(res.body).toBe(csv('start,end,value,window_from,window_to', `${D19},${D20},3,${D18},${D20}`));
  });

  it('histograms add the slot', async () => {
    const res = await t.call('GET', `/v1/query?${RANGE}&bucket=hour_of_day&format=csv`);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('start,end,slot,value');
    expect(lines).toHaveLength(1 + 24 + 1);
    expect(lines.slice(1, 25).map((l) => l.split(',').slice(2).join(','))).toEqual(
      Array.from({ length: 24 }, (_, h) => `${h},${h === 10 ? 2 : h === 9 || h === 12 ? 1 : 0}`),
    );
    expect(lines[11]).toBe(`${D18},${D20},10,2`);
  });

  it('POST takes format=csv too', async () => {
    const res = await t.call('POST', '/v1/query', {
      body: {
        org: 'acme',
        timezone: 'UTC',
        from: '2026-11-18',
        to: '2026-11-20',
        bucket: 'none',
        format: 'csv',
      },
    });
    expect(res.body).toBe(csv('start,end,value', `${D18},${D20},4`));
  });

  it('negotiates with Accept; format wins; errors stay JSON', async () => {
    const type = async (accept: string, extra = ''): Promise<string> =>
      String(
        (await t.call('GET', `/v1/query?${RANGE}${extra}`, { headers: { accept } })).headers['content-type'],
      );
    expect(await type('text/csv')).toMatch(/^text\/csv/);
    expect(await type('text/*')).toMatch(/^application\/json/);
    expect(await type('application/json, text/csv;q=0.5')).toMatch(/^application\/json/);
    expect(await type('text/csv;q=0.9, application/json;q=0.5')).toMatch(/^text\/csv/);
    expect(await type('text/csv', '&format=json')).toMatch(/^application\/json/);
    expect(await type('*/*')).toMatch(/^application\/json/);
    const bad = await t.call('GET', `/v1/query?${RANGE}&bucket=fortnight&format=csv`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('invalid_request');
    const badFormat = await t.call('GET', `/v1/query?${RANGE}&format=xml`);
    expect(badFormat.statusCode).toBe(400);
  });

  it('fields: null empty, the empty string quoted, specials quoted and doubled', () => {
    expect([null, '', 'plain', 'a,b', 'say "x"', 'two\nlines', 'cr\r', 3.5, false].map(csvField)).toEqual([
      '',
      '""',
      'plain',
      '"a,b"',
      '"say ""x"""',
      '"two\nlines"',
      '"cr\r"',
      '3.5',
      'false',
    ]);
  });

  it('fields: texts a spreadsheet would run as formulas get a leading quote; numbers do not', () => {
    const texts = ['=1+1', '+49 30', '-x', '@SUM(A1)', '\tx', '\rx', "'kept", 'a=b', '=a,b'];
    expect(texts.map(csvField)).toEqual([
      "'=1+1",
      "'+49 30",
      "'-x",
      "'@SUM(A1)",
      "'\tx",
      `"'\rx"`,
      "'kept",
      'a=b',
      `"'=a,b"`,
    ]);
    expect([-3.5, 0].map(csvField)).toEqual(['-3.5', '0']);
  });
});
