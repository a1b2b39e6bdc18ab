/**
 * Authentication and authorisation shared by every surface: find the key a
 * request carries, check it against the store (so revocation is immediate),
 * and answer the two questions each route asks: may this role do this, and
 * does the key reach this org.
 */
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../core/errors.js';
import { keyIdOf, secretMatches } from '../core/keys.js';
import { keyIsLive } from '../core/key-scope.js';
import type { KeyRecord, Role } from '../core/model.js';
import { OrgTree } from '../core/orgs.js';
import type { AppContext } from './context.js';

export interface Principal {
  keyId: string;
  role: Role;
  orgs: string[];
  /** The only event types the key reads and writes; null: every type (docs/keys.md). */
  types: string[] | null;
  /** When the key stops working; null: never. */
  expiresAt: number | null;
}

/** TALLY_ADMIN_KEY: the operator, over every org and type, with no expiry. */
export const ADMIN_PRINCIPAL: Readonly<Principal> = {
  keyId: 'env-admin',
  role: 'admin',
  orgs: ['*'],
  types: null,
  expiresAt: null,
};
const MAX_SECRET_CHARS = 512;

/** The key in the native headers: `Authorization: Bearer k`, `Authorization: k`, or `x-api-key: k`. */
export function nativeSecret(req: FastifyRequest): string | null {
  const auth = header(req, 'authorization');
  if (auth !== null) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    return (m ? m[1]! : auth).trim();
  }
  return header(req, 'x-api-key');
}

export function header(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? null : s;
}

/**
 * The principal of a stored key, or null when there is none or it is revoked or expired at
 * `now`. The expiry is checked here, on every use, against the app's clock: a key a store
 * remembers (ClickHouse's key cache) cannot outlive it.
 */
export function livePrincipal(key: KeyRecord | null, now: number): Principal | null {
  if (key === null || !keyIsLive(key, now)) return null;
  return { keyId: key.id, role: key.role, orgs: key.orgs, types: key.types, expiresAt: key.expires_at };
}

/** Resolve a presented secret to a principal, or null when it is unknown, revoked or expired. */
export async function resolveSecret(ctx: AppContext, secret: string): Promise<Principal | null> {
  if (secret.length === 0 || secret.length > MAX_SECRET_CHARS) return null;
  if (ctx.adminKeyHash !== null && secretMatches(secret, ctx.adminKeyHash)) return { ...ADMIN_PRINCIPAL };
  const id = keyIdOf(secret);
  if (id === null) return null;
  const key = await ctx.registry.getKey(id);
  if (key === null || !secretMatches(secret, key.hash)) return null;
  return livePrincipal(key, ctx.clock());
}

/** Authenticate with the given secret (or the native headers); throws 401. */
export async function authenticate(
  req: FastifyRequest,
  ctx: AppContext,
  secret = nativeSecret(req),
): Promise<Principal> {
  if (secret === null) throw new AuthError('unauthenticated', 'An API key is required.');
  const p = await resolveSecret(ctx, secret);
  if (!p) throw new AuthError('unauthenticated', 'The API key is unknown, revoked or expired.');
  admit(ctx, p);
  req.principal = p;
  return p;
}

/** Spend one request of the key's rate limit, when one is set; throws RateLimitError (429). */
export function admit(ctx: AppContext, p: Principal): void {
  ctx.limiter?.take(p.keyId);
}

/** Throws 403 unless the principal's role is one of `roles` (admin may do everything). */
export function requireRole(p: Principal, ...roles: Role[]): void {
  if (p.role !== 'admin' && !roles.includes(p.role)) {
    // requireRole(p, 'admin') means admin alone; don't name it twice ("admin or admin").
    const allowed = [...new Set(['admin', ...roles])];
    throw new AuthError(
      'forbidden',
      `This needs a key with role ${allowed.join(' or ')}; this key's role is ${p.role}.`,
    );
  }
}

export async function loadOrgTree(ctx: AppContext): Promise<OrgTree> {
  return new OrgTree(await ctx.registry.listOrgs());
}

/** Throws 403 unless the key covers `org` (its own orgs or an ancestor of it). */
export function requireReach(p: Principal, tree: OrgTree, org: string): void {
  if (!tree.reaches(p.orgs, org)) throw new AuthError('forbidden', `This key does not cover org ${org}.`);
}
