/**
 * parseRequest: the three required parameters, field_id, fields, and the param each fault names.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { parseRequest } from './params.js';

const BASE = { channel_id: '1', start_date: '2016-01-01T00:00:00Z', end_date: '2016-11-11T00:00:00Z' };

function paramOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.details[0]?.path;
    throw e;
  }
  return undefined;
}

describe('parseRequest', () => {
  it('reads the document example', () => {
    expect(parseRequest('reports_per_user', BASE)).toEqual({
      report: 'reports_per_user',
      channel: '1',
      accountId: 1,
      // Date.UTC(2016, 0, 1) and Date.UTC(2016, 10, 11)
      range: { from: 1451606400000, to: 1478822400000 },
      fieldId: null,
      fields: [],
    });
  });

  it('normalises the channel and field ids to their decimal form', () => {
    const r = parseRequest('reports_per_field_selection', { ...BASE, channel_id: '007', field_id: '02' });
    expect([r.channel, r.accountId, r.fieldId]).toEqual(['7', 7, '2']);
  });

  it('reads dates, offsets, fractions, and restores a + sent as a space', () => {
    const at = (start_date: string) => parseRequest('reports_read', { ...BASE, start_date }).range.from;
    expect(at('2016-01-01')).toBe(Date.UTC(2016, 0, 1));
    expect(at('2016-01-01T05:45:00+05:45')).toBe(Date.UTC(2016, 0, 1));
    expect(at('2016-01-01T05:45:00 05:45')).toBe(Date.UTC(2016, 0, 1));
    expect(at('2015-12-31T19:00:00-05:00')).toBe(Date.UTC(2016, 0, 1));
    expect(at('2016-01-01T00:00:00.250Z')).toBe(Date.UTC(2016, 0, 1) + 250);
  });

  it('fields: default first, comma lists, repeats and fields[], deduplicated in order', () => {
    expect(parseRequest('reports_read', BASE).fields).toEqual(['total_reads']);
    expect(parseRequest('user_awareness', BASE).fields).toEqual(['total_alerts']);
    expect(
      parseRequest('reports_read', { ...BASE, fields: 'reports_seen, total_reads,reports_seen' }).fields,
    ).toEqual(['reports_seen', 'total_reads']);
    expect(
      parseRequest('user_awareness', { ...BASE, fields: ['alerts_opened'], 'fields[]': 'unique_alerts' })
        .fields,
    ).toEqual(['alerts_opened', 'unique_alerts']);
    expect(parseRequest('reports_read', { ...BASE, fields: ',' }).fields).toEqual(['total_reads']);
    // fields is not read by other reports.
    expect(parseRequest('reports_per_user', { ...BASE, fields: 'nonsense' }).fields).toEqual([]);
  });

  it.each([
    ['report', 'nope', {}],
    ['channel_id', 'reports_read', { channel_id: undefined }],
    ['channel_id', 'reports_read', { channel_id: ' ' }],
    ['channel_id', 'reports_read', { channel_id: '1e3' }],
    ['channel_id', 'reports_read', { channel_id: ['1', '2'] }],
    ['channel_id', 'reports_read', { channel_id: '1234567890123456' }],
    ['start_date', 'reports_read', { start_date: undefined }],
    ['start_date', 'reports_read', { start_date: 'last week' }],
    ['start_date', 'reports_read', { start_date: '1451606400' }],
    ['start_date', 'reports_read', { start_date: '1969-12-31T23:59:59Z' }],
    ['start_date', 'reports_read', { start_date: '2016-02-30T00:00:00Z' }],
    ['start_date', 'reports_read', { start_date: 'x'.repeat(201) }],
    ['end_date', 'reports_read', { end_date: '2016-11-11T24:00:00Z' }],
    ['end_date', 'reports_read', { end_date: '10000-01-01T00:00:00Z' }],
    ['end_date', 'reports_read', { end_date: BASE.start_date }],
    ['end_date', 'reports_read', { end_date: '2015-12-31T23:59:59Z' }],
    ['field_id', 'reports_per_field_selection', {}],
    ['field_id', 'reports_per_field_selection', { field_id: 'abc' }],
    ['fields', 'reports_read', { fields: 'total_reads,nope' }],
    ['fields', 'reports_read', { fields: 'alerts_opened' }],
    ['fields', 'user_awareness', { fields: 'reports_seen' }],
    ['fields', 'user_awareness', { fields: [['total_alerts']] }],
  ] as [string, string, Record<string, unknown>][])('%s is at fault (%s, %j)', (param, report, over) => {
    const query = Object.fromEntries(Object.entries({ ...BASE, ...over }).filter(([, v]) => v !== undefined));
    expect(paramOf(() => parseRequest(report, query))).toBe(param);
  });
});
