/** What both engines' audit code shares: entry ids, and the counts of a deletion that removed nothing. */
import { randomBytes } from 'node:crypto';
import type { DeletionCounts } from './port.js';

/**
 * New audit entry ids that sort in creation order: the time in base 36 (fixed
 * width; never going back for one store), a sequence number within that
 * millisecond, and a random tail so that two processes do not collide.
 * Newest-first listing orders by id. Each store holds its own.
 */
export class AuditIds {
  private lastAt = 0;
  private seq = 0;

  next(at: number): string {
    if (at > this.lastAt) [this.lastAt, this.seq] = [at, 0];
    else this.seq += 1;
    return `${this.lastAt.toString(36).padStart(9, '0')}${this.seq.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
  }
}

/** A deletion's counts before anything is counted. */
export const NO_COUNTS: DeletionCounts = { events: 0, actors: 0, orgs: 0, keys: 0 };
