/** The rules of a key's limits: liveness at the boundary, what a new key may be given, and how reads are held to a type list. */
import { describe, expect, it } from 'vitest';
import { AuthError, TypeScopeError, ValidationError } from './errors.js';
import {
  grantLimits,
  keyIsLive,
  KEY_LIMITS,
  latestExpiry,
  planWithin,
  requireEveryType,
  typesWithin,
} from './key-scope.js';
import { makeQuery } from './query/plan.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;
const NONE = { expires_at: null, types: null };

describe('keyIsLive', () => {
  it('works up to the millisecond before expires_at and is refused from it on; revoked is refused', () => {
    const key = { revoked_at: null, expires_at: NOW };
    expect(keyIsLive(key, NOW - 1)).toBe(true);
    expect(keyIsLive(key, NOW)).toBe(false);
    expect(keyIsLive(key, NOW + 1)).toBe(false);
    expect(keyIsLive({ revoked_at: null, expires_at: null }, NOW * 3)).toBe(true);
    expect(keyIsLive({ revoked_at: 5, expires_at: null }, 1)).toBe(false);
  });
});

describe('grantLimits', () => {
  it('inherits the creator limits when none are asked, and keeps no limit when the creator has none', () => {
    expect(grantLimits(NONE, {}, NOW)).toEqual(NONE);
    const creator = { expires_at: NOW + HOUR, types: ['a', 'b'] };
    expect(grantLimits(creator, {}, NOW)).toEqual(creator);
  });

  it('takes a subset of the creator types (duplicates collapsed) and an earlier or equal expiry', () => {
    const creator = { expires_at: NOW + HOUR, types: ['a', 'b', 'c'] };
    expect(grantLimits(creator, { types: ['c', 'a', 'c'], expires_at: NOW + HOUR }, NOW)).toEqual({
      expires_at: NOW + HOUR,
      types: ['c', 'a'],
    });
    expect(grantLimits(NONE, { types: ['x'], expires_at: NOW + 1 }, NOW)).toEqual({
      expires_at: NOW + 1,
      types: ['x'],
    });
  });

  it('refuses more than the creator has with 403, naming the type or the expiry', () => {
    const creator = { expires_at: NOW + HOUR, types: ['a'] };
    expect(() => grantLimits(creator, { types: ['a', 'b'] }, NOW)).toThrow(
      new AuthError('forbidden', 'This key cannot grant event type b.'),
    );
    expect(() => grantLimits(creator, { expires_at: NOW + HOUR + 1 }, NOW)).toThrow(
      /cannot outlive .* expires at 2026-11-20T13:00:00.000Z/,
    );
  });

  it('refuses an expiry not in the future or past 10 years with 400 naming expires_at', () => {
    const tenYears = Date.UTC(2036, 10, 20, 12); // 3653 days: 2028, 2032 and 2036 are leap years
    expect(latestExpiry(NOW)).toBe(tenYears);
    expect(KEY_LIMITS.maxLifetimeYears).toBe(10);
    for (const expires_at of [NOW, NOW - 1, tenYears + 1]) {
      let err: unknown;
      try {
        grantLimits(NONE, { expires_at }, NOW);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details[0]?.path).toBe('expires_at');
    }
    expect(grantLimits(NONE, { expires_at: tenYears }, NOW).expires_at).toBe(tenYears);
  });
});

describe('typesWithin and planWithin', () => {
  it('passes every read through for a key without types', () => {
    expect(typesWithin(null, [])).toEqual([]);
    expect(typesWithin(null, ['z'])).toEqual(['z']);
  });

  it('narrows a read that names no type, keeps one within the list, refuses one outside with its name', () => {
    expect(typesWithin(['a', 'b'], [])).toEqual(['a', 'b']);
    expect(typesWithin(['a', 'b'], ['b'])).toEqual(['b']);
    expect(() => typesWithin(['a', 'b'], ['b', 'c'])).toThrow(TypeScopeError);
    expect(() => typesWithin(['a'], ['c'])).toThrow('This key may not read events of type c');
  });

  it('holds a plan to the list: its types, and eq/in filters on type; not_in and prefix stand', () => {
    const plan = makeQuery({ orgs: ['o'], range: { from: 0, to: 1 } });
    expect(planWithin(['a'], plan)).toEqual({ ...plan, types: ['a'] });
    expect(planWithin(null, plan)).toBe(plan);
    const onType = (op: 'eq' | 'in' | 'not_in' | 'prefix', values: string[]) =>
      makeQuery({ ...plan, filters: [{ field: { kind: 'type' }, op, values }] });
    expect(planWithin(['a', 'b'], onType('in', ['a'])).types).toEqual(['a', 'b']);
    expect(() => planWithin(['a', 'b'], onType('in', ['a', 'x']))).toThrow(new TypeScopeError('x'));
    expect(() => planWithin(['a'], onType('eq', ['b']))).toThrow(new TypeScopeError('b'));
    expect(planWithin(['a'], onType('not_in', ['b'])).types).toEqual(['a']);
    expect(planWithin(['a'], onType('prefix', ['zz'])).types).toEqual(['a']);
    // A type named deep in a filter tree counts as one named at the top.
    const deep = makeQuery({
      ...plan,
      filters: [
        {
          or: [
            { field: { kind: 'actor' }, op: 'eq', values: ['u'] },
            { not: onType('eq', ['b']).filters[0]! },
          ],
        },
      ],
    });
    expect(() => planWithin(['a'], deep)).toThrow(new TypeScopeError('b'));
  });

  it('requireEveryType refuses a key with types only', () => {
    expect(() => {
      requireEveryType(null, 'A backup');
    }).not.toThrow();
    expect(() => {
      requireEveryType(['a', 'b'], 'A backup');
    }).toThrow(new AuthError('forbidden', 'A backup acts on every event type; this key is limited to a, b.'));
  });
});
