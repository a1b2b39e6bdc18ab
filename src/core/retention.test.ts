import { describe, expect, it } from 'vitest';
import { OrgTree } from './orgs.js';
import { orgRow } from './orgs.fixtures.js';
import { effectiveRetention, parseRetentionDays, retentionCutoff, retentionPlan } from './retention.js';

// a > b > c; a > d; e alone.
const tree = new OrgTree([orgRow('a'), orgRow('b', 'a'), orgRow('c', 'b'), orgRow('d', 'a'), orgRow('e')]);

describe('effectiveRetention', () => {
  it('takes the nearest setting up the tree, then the server default', () => {
    const settings = new Map([
      ['a', 90],
      ['b', 0],
    ]);
    expect(effectiveRetention(tree, settings, 'c', 7)).toEqual({ days: null, source: 'ancestor', from: 'b' });
    expect(effectiveRetention(tree, settings, 'd', 7)).toEqual({ days: 90, source: 'ancestor', from: 'a' });
    expect(effectiveRetention(tree, settings, 'a', 7)).toEqual({ days: 90, source: 'org', from: 'a' });
    expect(effectiveRetention(tree, settings, 'e', 7)).toEqual({ days: 7, source: 'server', from: null });
    expect(effectiveRetention(tree, settings, 'e', null)).toEqual({ days: null, source: 'none', from: null });
  });
});

describe('retentionPlan', () => {
  it('lists a cutoff for every org with a finite period, sorted', () => {
    const now = Date.UTC(2026, 0, 31);
    const plan = retentionPlan(
      tree,
      [
        { org: 'b', days: 10 },
        { org: 'd', days: 0 },
      ],
      ['e', 'd', 'c', 'b', 'a'],
      30,
      now,
    );
    expect(plan).toEqual([
      { org: 'a', days: 30, before: Date.UTC(2026, 0, 1) },
      { org: 'b', days: 10, before: Date.UTC(2026, 0, 21) },
      { org: 'c', days: 10, before: Date.UTC(2026, 0, 21) },
      { org: 'e', days: 30, before: Date.UTC(2026, 0, 1) },
    ]);
    expect(retentionCutoff(now, 1)).toBe(Date.UTC(2026, 0, 30));
  });
});

describe('parseRetentionDays', () => {
  it('reads whole days, or nothing for forever', () => {
    expect([undefined, '', ' 0 ', 'none', 'Forever'].map(parseRetentionDays)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect([parseRetentionDays('1'), parseRetentionDays(' 365 '), parseRetentionDays('100000')]).toEqual([
      1, 365, 100000,
    ]);
    for (const bad of ['-1', '1.5', '1e3', '100001', 'week'])
      expect(() => parseRetentionDays(bad), bad).toThrow(/TALLY_RETENTION_DAYS/);
  });
});
