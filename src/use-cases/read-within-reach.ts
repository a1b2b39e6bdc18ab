/**
 * Reading within reach: the one place a compatibility API's query plans, event
 * scans and actor reads are run. A reader is opened for the orgs a key covers; the
 * vendor code decides which orgs a request asks for (each vendor answers a
 * refusal in its own words, so those checks stay with it), and every plan or
 * scan it runs through the reader is held to the key's reach once more here,
 * so that a vendor's mistake cannot read another tenant's events. A key limited
 * to some event types (docs/keys.md) has every plan and scan held to them too: one
 * that names no type reads the key's types, one that names another is refused
 * (TypeScopeError, 403, which each surface answers in its own shape).
 */
import { AuthError } from '../core/errors.js';
import { planWithin, typesWithin } from '../core/key-scope.js';
import type { Actor, EventRecord } from '../core/model.js';
import { OrgTree } from '../core/orgs.js';
import type { Query } from '../core/query/plan.js';
import type { Scan } from '../core/query/requests.js';
import type { QueryResult } from '../core/query/result.js';
import type { Deadline } from '../core/query/bounds.js';
import type { ActorStore, EventStore, HeadcountQuery, Registry } from '../store/port.js';

/** The store roles a reader uses, and the query runner (the core's, over the event store). */
export interface ReadStore {
  registry: Pick<Registry, 'listOrgs'>;
  events: Pick<EventStore, 'listEvents'>;
  actors: Pick<ActorStore, 'getActors' | 'actorHeadcount'>;
  query: (plan: Query, under?: QueryDeadline) => Promise<QueryResult>;
  /** The deadline raw event scans run under, as plans do. */
  deadline: Deadline;
}

/** A deadline a caller already runs under: its signal fires when it passes (null: none). */
export interface QueryDeadline {
  signal: AbortSignal | null;
}

/** What a key may read: its orgs (['*'] for all) and its event types (null for all). */
export interface ReadScope {
  orgs: readonly string[];
  types: readonly string[] | null;
}

/** Runs plans and scans over orgs a key reaches; see openReader. */
export interface Reader {
  /** The org tree, read once when the reader was opened. */
  readonly tree: OrgTree;
  /** Every org the key reaches, subtrees included. */
  reachable(): string[];
  /** Those of `types` the key reads (all of them for a key without a type scope), in their order. */
  visibleTypes(types: readonly string[]): string[];
  /**
   * A plan's answer; a plan over no org is an empty answer (the engine needs one at least).
   * Under the store's deadline, or the caller's (`under`) when given.
   */
  run(plan: Query, under?: QueryDeadline): Promise<QueryResult>;
  /** The events a scan selects, at most `limit` of them, in time then id order. */
  list(scan: Scan, limit: number): Promise<EventRecord[]>;
  /** Actors of one org by id, ordered by id (unknown ids are left out). */
  actors(org: string, ids: string[]): Promise<Actor[]>;
  /** Actors existing just before each instant (HeadcountQuery); zeros over no org. */
  headcount(q: HeadcountQuery): Promise<number[]>;
}

/** An empty answer shaped like the plan's. */
export function emptyResult(q: Query): QueryResult {
  return {
    range: { from: q.range.from, to: q.range.to, from_iso: '', to_iso: '' },
    timezone: q.timezone,
    bucket: q.bucket,
    week_start: q.weekStart,
    series: [],
    other: null,
    total_groups: 0,
    meta: { read_at: 0, last_bucket_open: false, buckets: 0 },
  };
}

/**
 * A reader for a key's scope (a Principal is one), over the org tree as it is now.
 *
 * @example
 * const reader = await openReader(app.ctx, principal);
 * const result = await reader.run(makeQuery({ orgs: reader.reachable(), types: ['api.request'], range }));
 */
export async function openReader(store: ReadStore, scope: ReadScope): Promise<Reader> {
  const grants = scope.orgs;
  const tree = new OrgTree(await store.registry.listOrgs());
  const within = (orgs: readonly string[]): void => {
    const outside = orgs.find((o) => !tree.reaches(grants, o));
    if (outside !== undefined) throw new AuthError('forbidden', `This key does not cover org ${outside}.`);
  };
  return {
    tree,
    reachable: () => tree.reachable(grants),
    visibleTypes: (types) => types.filter((t) => scope.types === null || scope.types.includes(t)),
    run: async (asked, under) => {
      within(asked.orgs);
      const plan = planWithin(scope.types, asked);
      return plan.orgs.length === 0 ? emptyResult(plan) : store.query(plan, under);
    },
    list: async (scan, limit) => {
      within(scan.orgs);
      const held = { ...scan, types: typesWithin(scope.types, scan.types) };
      return store.deadline((signal) => store.events.listEvents(held, limit, 'asc', signal));
    },
    actors: async (org, ids) => {
      within([org]);
      return store.actors.getActors(org, ids);
    },
    headcount: async (q) => {
      within(q.orgs);
      return q.orgs.length === 0 ? q.instants.map(() => 0) : store.actors.actorHeadcount(q);
    },
  };
}
