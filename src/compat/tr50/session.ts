/**
 * TR50 sessions and callers. `api.authenticate` trades a key for a session id; only the
 * SHA-256 of the id is stored, through the store port, so any Tally process in front of
 * a shared store can serve it. A session acts for its key's first org (none for a key
 * over '*', stored as '*'), expires after 30 minutes idle, and dies with its key: the key
 * is checked on every use. Expired sessions are deleted when a new one opens, at most
 * once per SESSION_IDLE_MS per store.
 */
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../core/keys.js';
import { ADMIN_PRINCIPAL, admit, livePrincipal, resolveSecret, type Principal } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { TR50_CODES, Tr50Error } from './errors.js';

/** A session expires once it has been idle this long. */
export const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSION_ID_CHARS = 128;
/** Sessions of the TALLY_ADMIN_KEY name the key by a prefix of its hash, so a new key ends them. */
const ENV_ADMIN = 'env-admin';
const NO_ORG = '*';

/** Who is calling, and the org the call acts for (null: a key over '*', showAll only). */
export interface Caller {
  principal: Principal;
  org: string | null;
}

/** The org a key acts for: its first org, or null for '*'. */
export function firstOrg(orgs: readonly string[]): string | null {
  const first = orgs[0];
  return first === undefined || first === NO_ORG ? null : first;
}

function envAdminId(ctx: AppContext): string | null {
  return ctx.adminKeyHash === null ? null : `${ENV_ADMIN}:${ctx.adminKeyHash.slice(0, 16)}`;
}

/** The caller for a key secret (appToken, password or a native header); -90008 when unknown, revoked or expired. */
export async function callerFromSecret(ctx: AppContext, secret: string): Promise<Caller> {
  const principal = await resolveSecret(ctx, secret);
  if (principal === null)
    throw new Tr50Error(TR50_CODES.notAuthenticated, 'The API key is unknown, revoked or expired.');
  admit(ctx, principal);
  return { principal, org: firstOrg(principal.orgs) };
}

/** When each store last deleted expired sessions (by clock time). */
const lastPurge = new WeakMap<object, number>();

/** Delete the sessions that have expired, unless that was done less than SESSION_IDLE_MS ago. */
async function purgeExpired(ctx: AppContext, now: number): Promise<void> {
  const last = lastPurge.get(ctx.sessions);
  if (last !== undefined && now - last < SESSION_IDLE_MS && now >= last) return;
  lastPurge.set(ctx.sessions, now);
  // Expired: idle for SESSION_IDLE_MS or more, i.e. last_used <= now - SESSION_IDLE_MS.
  await ctx.sessions.deleteSessions(now - SESSION_IDLE_MS + 1);
}

/**
 * Open a session for a caller; returns the new session id (shown once, stored hashed).
 */
export async function openSession(ctx: AppContext, caller: Caller): Promise<string> {
  const sessionId = randomBytes(24).toString('base64url');
  const now = ctx.clock();
  await purgeExpired(ctx, now);
  const keyId = caller.principal.keyId === ENV_ADMIN ? envAdminId(ctx) : caller.principal.keyId;
  await ctx.sessions.createSession({
    hash: hashSecret(sessionId),
    keyId: keyId ?? ENV_ADMIN,
    org: caller.org ?? NO_ORG,
    created_at: now,
    last_used: now,
  });
  return sessionId;
}

function invalidSession(message: string): Tr50Error {
  return new Tr50Error(TR50_CODES.invalidSession, message);
}

/** The principal behind a session's key, or null when that key is gone, revoked or expired. */
async function sessionPrincipal(ctx: AppContext, keyId: string): Promise<Principal | null> {
  if (keyId.startsWith(`${ENV_ADMIN}:`)) return keyId === envAdminId(ctx) ? { ...ADMIN_PRINCIPAL } : null;
  // Checked at every use: a session ends the instant its key expires.
  return livePrincipal(await ctx.registry.getKey(keyId), ctx.clock());
}

/**
 * Resume a session from its id: -90009 when the id is malformed or unknown, the session
 * has been idle for 30 minutes or more, or its key was revoked. A valid use is recorded.
 */
export async function resumeSession(ctx: AppContext, sessionId: unknown): Promise<Caller> {
  if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_CHARS) {
    throw invalidSession(`sessionId must be a string of 1-${MAX_SESSION_ID_CHARS} characters.`);
  }
  const hash = hashSecret(sessionId);
  const session = await ctx.sessions.getSession(hash);
  if (session === null) throw invalidSession('The session is unknown; authenticate again.');
  const now = ctx.clock();
  if (now - session.last_used >= SESSION_IDLE_MS)
    throw invalidSession('The session has expired; authenticate again.');
  const principal = await sessionPrincipal(ctx, session.keyId);
  if (principal === null)
    throw invalidSession("The session's key was revoked or has expired; authenticate again.");
  admit(ctx, principal);
  await ctx.sessions.touchSession(hash, now);
  return { principal, org: session.org === NO_ORG ? null : session.org };
}
