/** The TR50 session role (compat/tr50/session.ts): session tokens by hash, with idle expiry. */
import type { SessionRecord } from '../../core/model.js';

export interface SessionStore {
  createSession(s: SessionRecord): Promise<void>;
  getSession(hash: string): Promise<SessionRecord | null>;
  /** Record a use of the session (for idle expiry). */
  touchSession(hash: string, at: number): Promise<void>;
  /**
   * Forget the sessions last used before `idleBefore` (expired ones). On ClickHouse the
   * rows go by a mutation, a little later; they are refused as expired until then.
   */
  deleteSessions(idleBefore: number): Promise<void>;
}
