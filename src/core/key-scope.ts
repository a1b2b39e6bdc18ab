/**
 * What a key may touch besides its orgs (docs/keys.md): until when it works
 * (`expires_at`) and which event types it reads (`types`). Pure: the rules a
 * new key's limits must follow given its creator's, whether a key is live at
 * an instant, and how a read's types and a query plan are held to a key's list.
 */
import { AuthError, TypeScopeError, ValidationError } from './errors.js';
import { filterLeaves, type Query } from './query/plan.js';

/** The bounds on the two fields of POST /v1/keys. */
export const KEY_LIMITS = {
  /** At most this many event types in a key's list. */
  maxTypes: 100,
  /** An expiry at most this many calendar years ahead (UTC): further is almost surely a typo. */
  maxLifetimeYears: 10,
};

/** The latest expiry a key created at `now` may have: KEY_LIMITS.maxLifetimeYears later, same UTC date and time. */
export function latestExpiry(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + KEY_LIMITS.maxLifetimeYears);
  return d.getTime();
}

/** A key's limits: null means none (it does not expire; it reads every type). */
export interface KeyLimits {
  expires_at: number | null;
  types: string[] | null;
}

/** Whether a key may be used at `now`: not revoked, and `now` before its expiry (refused from that instant on). */
export function keyIsLive(
  key: { revoked_at: number | null; expires_at: number | null },
  now: number,
): boolean {
  return key.revoked_at === null && (key.expires_at === null || now < key.expires_at);
}

/**
 * The limits of a key created by a key with `creator`'s limits, asked for `asked`: a key
 * cannot be given more than its creator has. Types default to the creator's and must be
 * among them (403 naming the first that is not); the expiry defaults to the creator's, and
 * may not be later (403). `asked.expires_at` must lie after `now` and not after
 * `latestExpiry(now)` (400).
 *
 * @example
 * grantLimits({ expires_at: null, types: ['a', 'b'] }, { types: ['b'] }, now) // { expires_at: null, types: ['b'] }
 */
export function grantLimits(
  creator: KeyLimits,
  asked: { expires_at?: number | undefined; types?: string[] | undefined },
  now: number,
): KeyLimits {
  const exp = asked.expires_at;
  if (exp !== undefined && exp <= now) throw ValidationError.param('expires_at', 'must be in the future');
  if (exp !== undefined && exp > latestExpiry(now))
    throw ValidationError.param(
      'expires_at',
      `must be at most ${KEY_LIMITS.maxLifetimeYears} years from now`,
    );
  if (exp !== undefined && creator.expires_at !== null && exp > creator.expires_at)
    throw new AuthError(
      'forbidden',
      `A key cannot outlive the key that creates it: this one expires at ${new Date(creator.expires_at).toISOString()}.`,
    );
  const types = asked.types === undefined ? creator.types : [...new Set(asked.types)];
  const outside = creator.types === null ? undefined : types?.find((t) => !creator.types!.includes(t));
  if (outside !== undefined) throw new AuthError('forbidden', `This key cannot grant event type ${outside}.`);
  return { expires_at: exp ?? creator.expires_at, types: types === null ? null : [...types] };
}

/**
 * The types a read covers for a key limited to `allowed` (null: no limit): the `asked` ones,
 * each of which must be allowed (TypeScopeError, 403, naming the first that is not), or with
 * none asked (meaning every type) the key's own list.
 */
export function typesWithin(allowed: readonly string[] | null, asked: readonly string[]): string[] {
  if (allowed === null) return [...asked];
  if (asked.length === 0) return [...allowed];
  const outside = asked.find((t) => !allowed.includes(t));
  if (outside !== undefined) throw new TypeScopeError(outside);
  return [...asked];
}

/**
 * A plan held to a key's types: its types as `typesWithin` gives them, and a filter that names
 * a type (`eq`/`in` on the field `type`) must name allowed ones too. Other filters on `type`
 * (`not_in`, `prefix`) can only narrow within the plan's types, so they stand.
 */
export function planWithin(allowed: readonly string[] | null, plan: Query): Query {
  if (allowed === null) return plan;
  // Every leaf of every tree: a type named anywhere, even under `or` or `not`, must be allowed.
  for (const f of filterLeaves(plan.filters)) {
    if (f.field.kind !== 'type' || (f.op !== 'eq' && f.op !== 'in')) continue;
    const outside = f.values.find((v) => v !== null && !allowed.includes(v));
    if (outside !== undefined && outside !== null) throw new TypeScopeError(outside);
  }
  return { ...plan, types: typesWithin(allowed, plan.types) };
}

/** Throws 403 when the key has a type scope: for what acts on every type at once (a backup, an erasure). */
export function requireEveryType(types: readonly string[] | null, what: string): void {
  if (types !== null)
    throw new AuthError(
      'forbidden',
      `${what} acts on every event type; this key is limited to ${types.join(', ')}.`,
    );
}
