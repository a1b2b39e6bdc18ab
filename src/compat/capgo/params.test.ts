/**
 * Capgo request parsing and plans: dates and date-times to UTC instants, the two booleans,
 * the day spans (cut at today; bundle_usage inclusive of `to`), and the plans' shapes.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import {
  appOrgsPlan,
  BAD_DATES,
  bundlePlan,
  bundleSpan,
  dayStarts,
  parseStatsQuery,
  statsPlans,
  statsSpan,
} from './params.js';

const NOW = Date.UTC(2026, 10, 20, 12);

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ValidationError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

describe('parseStatsQuery', () => {
  it('reads dates as UTC midnight and date-times as instants', () => {
    expect(parseStatsQuery({ from: '2024-01-01', to: '2024-02-01' }, [])).toEqual({
      from: Date.UTC(2024, 0, 1),
      to: Date.UTC(2024, 1, 1),
      noAccumulate: false,
      breakdown: false,
    });
    const p = parseStatsQuery({ from: '2024-03-10T02:30:00+05:45', to: '2024-03-10T12:00:00' }, []);
    expect(p.from).toBe(Date.UTC(2024, 2, 9, 20, 45));
    // No offset: UTC, as Capgo's dates are.
    expect(p.to).toBe(Date.UTC(2024, 2, 10, 12));
    expect(parseStatsQuery({ from: '2024-02-29', to: '2024-02-29' }, []).from).toBe(Date.UTC(2024, 1, 29));
  });

  it('rejects missing, malformed, impossible and out-of-range dates with Capgo’s message', () => {
    for (const q of [
      {},
      { from: '2024-01-01' },
      { to: '2024-01-01' },
      { from: '2023-02-29', to: '2024-01-01' },
      { from: '20240101', to: '2024-01-01' },
      { from: '1704067200', to: '2024-01-01' },
      { from: 'now', to: '2024-01-01' },
      { from: '2024-01-01T24:00:00Z', to: '2024-01-02' },
      { from: '1969-12-31', to: '2024-01-02' },
      { from: '2024-01-01', to: '10000-01-01' },
    ]) {
      expect(
        errorOf(() => parseStatsQuery(q, [])),
        JSON.stringify(q),
      ).toBe(BAD_DATES);
    }
  });

  it('takes exactly true or false for the booleans a route names, once', () => {
    const base = { from: '2024-01-01', to: '2024-01-02' };
    const both = ['noAccumulate', 'breakdown'] as const;
    expect(parseStatsQuery({ ...base, noAccumulate: 'true', breakdown: 'false' }, both)).toMatchObject({
      noAccumulate: true,
      breakdown: false,
    });
    expect(parseStatsQuery({ ...base, breakdown: 'true' }, both).breakdown).toBe(true);
    // A route without breakdown ignores it, whatever it holds.
    expect(parseStatsQuery({ ...base, breakdown: 'yes' }, ['noAccumulate']).breakdown).toBe(false);
    for (const v of ['1', 'True', 'yes', '', 'true ']) {
      expect(errorOf(() => parseStatsQuery({ ...base, noAccumulate: v }, both))).toBe(
        'noAccumulate must be true or false',
      );
    }
    expect(errorOf(() => parseStatsQuery({ ...base, breakdown: ['true', 'true'] }, both))).toBe(
      'breakdown must be given once',
    );
    expect(errorOf(() => parseStatsQuery({ from: ['2024-01-01'], to: '2024-01-02' }, []))).toBe(
      'from must be given once',
    );
  });

  it('refuses from after to, allows from = to', () => {
    expect(errorOf(() => parseStatsQuery({ from: '2024-01-02', to: '2024-01-01' }, []))).toBe(
      'from must not be after to',
    );
    expect(parseStatsQuery({ from: '2024-01-02', to: '2024-01-02' }, []).from).toBe(Date.UTC(2024, 0, 2));
  });
});

const params = (from: number, to: number) => ({ from, to, noAccumulate: false, breakdown: false });

describe('spans', () => {
  it('statistics: [from, to) cut at the end of today; null when nothing is left', () => {
    expect(statsSpan(params(Date.UTC(2026, 10, 16), Date.UTC(2026, 10, 30)), NOW)).toEqual({
      from: Date.UTC(2026, 10, 16),
      to: Date.UTC(2026, 10, 21),
    });
    expect(statsSpan(params(Date.UTC(2026, 10, 21), Date.UTC(2026, 10, 30)), NOW)).toBeNull();
    expect(statsSpan(params(Date.UTC(2026, 10, 16), Date.UTC(2026, 10, 16)), NOW)).toBeNull();
    // 5000 days back from the end of today is fine, 5001 is not.
    const end = Date.UTC(2026, 10, 21);
    expect(statsSpan(params(end - 5000 * 86_400_000, end), NOW)).not.toBeNull();
    expect(errorOf(() => statsSpan(params(end - 5001 * 86_400_000, end), NOW))).toBe(
      'The range covers more than 5000 days',
    );
  });

  it('bundle_usage: whole days from..to inclusive; data only up to today', () => {
    const s = bundleSpan(params(Date.UTC(2026, 10, 17, 15), Date.UTC(2026, 10, 22, 1)), NOW);
    expect(s.labels).toEqual({ from: Date.UTC(2026, 10, 17), to: Date.UTC(2026, 10, 23) });
    expect(s.data).toEqual({ from: Date.UTC(2026, 10, 17), to: Date.UTC(2026, 10, 21) });
    expect(bundleSpan(params(Date.UTC(2026, 10, 21), Date.UTC(2026, 10, 21)), NOW).data).toBeNull();
    expect(bundleSpan(params(Date.UTC(9999, 11, 31), Date.UTC(9999, 11, 31, 5)), NOW).labels.to).toBe(
      Date.UTC(10000, 0, 1),
    );
  });

  it('dayStarts lists the UTC days a span touches, across month and year ends', () => {
    expect(dayStarts({ from: Date.UTC(2025, 11, 30, 18), to: Date.UTC(2026, 0, 2) })).toEqual([
      Date.UTC(2025, 11, 30),
      Date.UTC(2025, 11, 31),
      Date.UTC(2026, 0, 1),
    ]);
    // Leap day and the half-open end: [Feb 28 00:00, Mar 1 00:00:00.001) touches Mar 1.
    expect(dayStarts({ from: Date.UTC(2024, 1, 28), to: Date.UTC(2024, 2, 1) + 1 })).toHaveLength(3);
  });
});

describe('plans', () => {
  const span = { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 8) };
  const app = { kind: 'dim', key: 'app' };

  it('finds an app’s orgs over all time among the given orgs', () => {
    expect(appOrgsPlan('com.demo.app', ['acme'])).toMatchObject({
      orgs: ['acme'],
      types: ['activity', 'bandwidth', 'storage'],
      range: { from: 0, to: Date.UTC(10000, 0, 1) },
      bucket: 'none',
      filters: [{ field: app, op: 'eq', values: ['com.demo.app'] }],
      groupBy: [{ kind: 'org' }],
    });
  });

  it('statistics: per app, UTC days; mau cumulative, storage latest, bandwidth running or per day', () => {
    const p = statsPlans(['acme'], null, span, false);
    const anyApp = [{ field: app, op: 'not_in', values: [null] }];
    expect(p.mau).toMatchObject({
      types: ['activity'],
      timezone: 'UTC',
      bucket: 'day',
      aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
      window: { kind: 'cumulative', since: 'range' },
      filters: anyApp,
      groupBy: [app],
    });
    expect(p.storage).toMatchObject({
      types: ['storage'],
      aggregation: { fn: 'latest', per: [] },
      window: { kind: 'none' },
    });
    expect(p.bandwidth).toMatchObject({
      aggregation: { fn: 'sum' },
      window: { kind: 'cumulative', since: 'range' },
    });
    const perDay = statsPlans(['acme'], 'x', span, true);
    expect(perDay.bandwidth.window).toEqual({ kind: 'none' });
    expect(perDay.mau.window).toEqual({ kind: 'cumulative', since: 'range' });
    expect(perDay.mau.filters).toEqual([{ field: app, op: 'eq', values: ['x'] }]);
  });

  it('bundle_usage: activity per version, shares at 0.1', () => {
    expect(bundlePlan(['acme'], 'x', span)).toMatchObject({
      types: ['activity'],
      aggregation: { fn: 'count' },
      groupBy: [{ kind: 'dim', key: 'version' }],
      share: { precision: 1 },
      fill: 'zero',
      filters: [
        { field: app, op: 'eq', values: ['x'] },
        { field: { kind: 'dim', key: 'version' }, op: 'not_in', values: [null] },
      ],
    });
  });
});
