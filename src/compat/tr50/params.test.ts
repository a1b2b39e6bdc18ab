/**
 * Unit tests of the TR50 param parsing: defaults, every fault with its code, ranges in
 * the org's timezone, and the plan handed to the engine.
 */
import { describe, expect, it } from 'vitest';
import { TR50_CODES, Tr50Error } from './errors.js';
import { historyPlan, parseAuthenticateParams, parseHistoryParams, resolveHistoryRange } from './params.js';

function codeOf(f: () => unknown): number | string {
  try {
    f();
  } catch (err) {
    return err instanceof Tr50Error ? err.code : String(err);
  }
  return 'no error';
}

describe('parseHistoryParams', () => {
  it('defaults: hour series, by service, own org only', () => {
    expect(parseHistoryParams({ last: '24h' })).toEqual({
      range: { kind: 'last', last: '24h' },
      series: 'hour',
      dimension: 'service',
      includeSubOrgs: false,
      showAll: false,
    });
  });

  it('reads every param; JSON null counts as absent', () => {
    const start = '2014-03-27T00:00:00.000-00:00';
    const end = '2014-03-28T00:00:00.000-00:00';
    const p = parseHistoryParams({
      start,
      end,
      series: 'day',
      dimension: 'org',
      includeSubOrgs: true,
      showAll: true,
      last: null,
    });
    expect(p).toEqual({
      range: { kind: 'absolute', start, end },
      series: 'day',
      dimension: 'org',
      includeSubOrgs: true,
      showAll: true,
    });
  });

  it.each([
    [{}, TR50_CODES.missingParam],
    [null, TR50_CODES.missingParam],
    [{ start: 'x' }, TR50_CODES.missingParam],
    [{ last: '1h', end: '2024-01-01' }, TR50_CODES.conflictingParams],
    [{ last: '100001s' }, TR50_CODES.invalidParam],
    [{ last: '1mo' }, TR50_CODES.invalidParam],
    [{ last: '-1h' }, TR50_CODES.invalidParam],
    [{ last: '' }, TR50_CODES.invalidParam],
    [{ last: '1h', series: 'Hour' }, TR50_CODES.invalidParam],
    [{ last: '1h', dimension: 1 }, TR50_CODES.invalidParam],
    [{ last: '1h', showAll: 'false' }, TR50_CODES.invalidParam],
    [{ last: '1h', foo: 1 }, TR50_CODES.invalidParam],
    ['last=1h', TR50_CODES.invalidParam],
  ])('%j -> %i', (raw, code) => {
    expect(codeOf(() => parseHistoryParams(raw))).toBe(code);
  });
});

describe('resolveHistoryRange', () => {
  const NOW = Date.UTC(2026, 10, 20, 12);
  const tz = 'America/New_York';

  it('start/end: offsets as given, a bare date or local time in the org timezone', () => {
    const p = parseHistoryParams({ start: '2026-11-01', end: '2026-11-01T01:30:00' });
    // Nov 1 00:00 EDT = 04:00Z; 01:30 without offset is the first (EDT) 01:30 = 05:30Z
    expect(resolveHistoryRange(p, NOW, tz)).toEqual({
      from: Date.UTC(2026, 10, 1, 4),
      to: Date.UTC(2026, 10, 1, 5, 30),
    });
  });

  it('last: s, m, h exact; d the same local time n calendar days earlier (across DST: 25 hours)', () => {
    const at = (last: string, now: number): number =>
      resolveHistoryRange(parseHistoryParams({ last }), now, tz).from;
    expect(at('90s', NOW)).toBe(NOW - 90_000);
    expect(at('90m', NOW)).toBe(NOW - 90 * 60_000);
    // Nov 1 12:00 EST (17:00Z) - 1d = Oct 31 12:00 EDT (16:00Z): 25 hours
    expect(at('1d', Date.UTC(2026, 10, 1, 17))).toBe(Date.UTC(2026, 9, 31, 16));
    expect(at('24h', Date.UTC(2026, 10, 1, 17))).toBe(Date.UTC(2026, 9, 31, 17));
  });

  it('end must be later than start', () => {
    const p = parseHistoryParams({ start: '2026-11-01T05:00:00Z', end: '2026-11-01T01:00:00-04:00' });
    expect(codeOf(() => resolveHistoryRange(p, NOW, tz))).toBe(TR50_CODES.invalidParam);
  });
});

describe('historyPlan', () => {
  it('counts api.request per bucket, zero-filled, grouped for the presenter', () => {
    const range = { from: 0, to: 3_600_000 };
    const byService = historyPlan(parseHistoryParams({ last: '1h' }), ['acme'], range, 'UTC');
    expect(byService).toMatchObject({
      orgs: ['acme'],
      types: ['api.request'],
      bucket: 'hour',
      aggregation: { fn: 'count' },
      fill: 'zero',
      window: { kind: 'none' },
      groupBy: [
        { kind: 'dim', key: 'service' },
        { kind: 'dim', key: 'command' },
      ],
    });
    const byOrg = historyPlan(
      parseHistoryParams({ last: '1h', dimension: 'org', series: 'day' }),
      ['a', 'b'],
      range,
      'UTC',
    );
    expect(byOrg).toMatchObject({ bucket: 'day', groupBy: [{ kind: 'org' }] });
  });
});

describe('parseAuthenticateParams', () => {
  it('appToken, or password with any username', () => {
    expect(parseAuthenticateParams({ appToken: 'k', appId: 'a', thingKey: 't' })).toEqual({ secret: 'k' });
    expect(parseAuthenticateParams({ username: 'me', password: 'k' })).toEqual({ secret: 'k' });
  });

  it.each([
    [{}, TR50_CODES.missingParam],
    [{ appToken: 'k', password: 'k' }, TR50_CODES.conflictingParams],
    [{ appToken: '' }, TR50_CODES.invalidParam],
    [{ password: ['k'] }, TR50_CODES.invalidParam],
    [{ token: 'k' }, TR50_CODES.invalidParam],
  ])('%j -> %i', (raw, code) => {
    expect(codeOf(() => parseAuthenticateParams(raw))).toBe(code);
  });
});
