/** The actors role: actor profiles, and the headcount VIKTOR's total_users reads. */
import type { Actor, ActorPatch } from '../../core/model.js';

/**
 * Count actors of `kinds` in `orgs` that exist just before each instant t:
 * born (created_at, or their first event when it is unset) before t, and not
 * deleted before t (an actor deleted exactly at t still existed just before
 * it). VIKTOR's total_users asks this at each day's end (the next midnight).
 */
export interface HeadcountQuery {
  orgs: string[];
  kinds: string[];
  /** Epoch ms; the answer has one count per instant, in the same order. */
  instants: number[];
}

export interface ActorStore {
  getActor(org: string, id: string): Promise<Actor | null>;
  /** Actors of one org by id (unknown ids are left out), ordered by id. */
  getActors(org: string, ids: string[]): Promise<Actor[]>;
  /** Create or update actors; fields a patch leaves out keep their value. */
  upsertActors(patches: ActorPatch[]): Promise<void>;
  /** Headcount of actors existing just before each instant; see HeadcountQuery. */
  actorHeadcount(q: HeadcountQuery): Promise<number[]>;
}
