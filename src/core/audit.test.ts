import { describe, expect, it } from 'vitest';
import { actorDigest, auditVisible, scopeOf } from './audit.js';
import { OrgTree } from './orgs.js';
import { orgRow } from './orgs.fixtures.js';

describe('audit scope', () => {
  it('records each target with its ancestors', () => {
    const tree = new OrgTree([orgRow('a'), orgRow('b', 'a'), orgRow('c', 'b')]);
    expect(scopeOf(tree, ['c', 'a', 'gone'])).toEqual([['c', 'b', 'a'], ['a'], ['gone']]);
  });

  it('shows an entry to keys that covered every target', () => {
    const scope = [
      ['c', 'b', 'a'],
      ['x', 'y'],
    ];
    expect(auditVisible(['*'], scope)).toBe(true);
    expect(auditVisible(['a', 'y'], scope)).toBe(true);
    expect(auditVisible(['b', 'x'], scope)).toBe(true);
    expect(auditVisible(['a'], scope)).toBe(false);
    expect(auditVisible(['c', 'b', 'a'], [['*']])).toBe(false);
    expect(auditVisible(['*'], [['*']])).toBe(true);
  });

  it('names actors by the SHA-256 of their id', () => {
    // printf %s u1 | sha256sum
    expect(actorDigest('u1')).toBe('bb82030dbc2bcaba32a90bf2e207a84a856fc5f033b77c480836ab6f77f40f19');
  });
});
