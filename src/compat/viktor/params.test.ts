/**
 * parseViktorQuery and the plans: UTC day granularity, DRF field errors, bounds, and which
 * kinds and workspace types each scope's plans filter on.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { actorPlans, daysOf, parseViktorQuery, workspacePlans } from './params.js';

function faults(query: Record<string, unknown>): Record<string, string> {
  try {
    parseViktorQuery(query);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return Object.fromEntries(err.details.map((d) => [d.path, d.message]));
  }
  throw new Error('expected a ValidationError');
}

describe('parseViktorQuery', () => {
  it.each([
    // [start, end, first UTC day, exclusive end]
    ['2024-01-30', '2024-02-02', Date.UTC(2024, 0, 30), Date.UTC(2024, 1, 3)],
    ['2024-01-30T23:59:59.999Z', '2024-02-02T00:00:00Z', Date.UTC(2024, 0, 30), Date.UTC(2024, 1, 3)],
    // 2024-01-31T01:00+05:45 is 2024-01-30T19:15Z; 2024-02-01T20:00-05:00 is 2024-02-02T01:00Z.
    ['2024-01-31T01:00:00+05:45', '2024-02-01T20:00:00-05:00', Date.UTC(2024, 0, 30), Date.UTC(2024, 1, 3)],
    // No offset: UTC. A space instead of T is allowed.
    ['2024-02-29 12:00', '2024-02-29', Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1)],
  ])('start %s, end %s: whole UTC days, both inclusive', (start, end, from, to) => {
    expect(parseViktorQuery({ stats_type: 'users', start, end })).toEqual({
      statsType: 'users',
      fromDay: from,
      toDay: to,
      orgDomain: null,
    });
  });

  it('takes the last of repeated values (as Django does) and lower-cases the domain', () => {
    const r = parseViktorQuery({
      stats_type: ['users', 'workspaces'],
      start: '2024-01-01',
      end: '2024-01-01',
      org_domain: ' Acme.COM ',
    });
    expect([r.statsType, r.orgDomain]).toEqual(['workspaces', 'acme.com']);
  });

  it('reports every fault together, with DRF messages', () => {
    expect(faults({ org_domain: '' })).toEqual({
      stats_type: 'This field is required.',
      start: 'This field is required.',
      end: 'This field is required.',
      org_domain: 'This field may not be blank.',
    });
    const f = faults({ stats_type: 'Users', start: '1609459200', end: '2021-01-01T24:00:00Z' });
    expect(Object.keys(f)).toEqual(['stats_type', 'start', 'end']);
    expect(f['stats_type']).toBe(
      '"Users" is not a valid choice. Choose one of users, developers, workspaces; did you mean users?',
    );
    expect(f['start']).toMatch(/^Datetime has wrong format/);
  });

  it('bounds: end not before start (same day allowed), at most 1830 days, domain at most 253 chars', () => {
    expect(faults({ stats_type: 'users', start: '2024-03-02', end: '2024-03-01T23:00:00Z' })).toEqual({
      end: 'End date must be on or after the start date.',
    });
    // 2020-01-01 .. 2025-01-03: 366 + 365 * 3 + 366 + 3 = 1830 days -> accepted; to 2025-01-04 is 1831.
    expect(
      daysOf(parseViktorQuery({ stats_type: 'users', start: '2020-01-01', end: '2025-01-03' })),
    ).toHaveLength(1830);
    expect(faults({ stats_type: 'users', start: '2020-01-01', end: '2025-01-04' })).toEqual({
      end: 'The range may cover at most 1830 days.',
    });
    expect(
      faults({ stats_type: 'users', start: '2020-01-01', end: '2020-01-01', org_domain: 'a'.repeat(254) }),
    ).toEqual({ org_domain: 'Ensure this field has no more than 253 characters.' });
    expect(faults({ stats_type: 'users', start: '1969-12-31', end: '2020-01-01' })).toHaveProperty('start');
  });
});

describe('plans', () => {
  const req = parseViktorQuery({ stats_type: 'developers', start: '2020-12-28', end: '2021-01-05' });

  it('developers: kind developer; daily counts development workspaces; monthly any activity', () => {
    const { monthly, daily } = actorPlans(req, ['acme']);
    expect(monthly).toMatchObject({
      types: ['activity'],
      range: { from: Date.UTC(2020, 11, 28), to: Date.UTC(2021, 0, 6) },
      timezone: 'UTC',
      bucket: 'month',
      aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
      filters: [{ field: { kind: 'actor_kind' }, op: 'in', values: ['developer'] }],
      fill: 'zero',
    });
    expect(daily.bucket).toBe('day');
    expect(daily.filters[1]).toEqual({
      field: { kind: 'dim', key: 'workspace_type' },
      op: 'in',
      values: ['development'],
    });
  });

  it('users: kinds user and developer; daily counts standard or missing workspace types', () => {
    const { daily } = actorPlans({ ...req, statsType: 'users' }, ['acme']);
    expect(daily.filters.map((f) => ('values' in f ? f.values : null))).toEqual([
      ['user', 'developer'],
      ['standard', null],
    ]);
  });

  it('workspaces: grouped by dims.workspace, events without one left out, total cumulative since all', () => {
    const p = workspacePlans({ ...req, statsType: 'workspaces' }, ['acme']);
    expect(p.cumulative.window).toEqual({ kind: 'cumulative', since: 'all' });
    expect(p.monthly.groupBy).toEqual([{ kind: 'dim', key: 'workspace' }]);
    expect(p.daily.filters[1]).toEqual({
      field: { kind: 'dim', key: 'workspace' },
      op: 'not_in',
      values: [null],
    });
  });
});
