/**
 * "Every figure": a fixed battery of reads over a store (query engine
 * aggregates, the actor headcount, the raw listing and actor profiles), so two
 * stores can be compared whole, e.g. one after an erasure against one that
 * never received the erased events. Also a small poller for what a store does
 * eventually (ClickHouse's retention mutations).
 */
import type { EventRecord } from '../../src/core/model.js';
import { makeQuery, type Query } from '../../src/core/query/plan.js';
import { runQuery } from '../../src/core/query/run.js';
import type { Store } from '../../src/store/port.js';

/** 2026-01-01 + d days (+ h hours), UTC. */
export const day = (d: number, h = 0): number => Date.UTC(2026, 0, d, h);

export function event(over: Partial<EventRecord>): EventRecord {
  return { org: 'acme', id: 'x', type: 'activity', ts: day(1), actor: null, value: 1, dims: {}, ...over };
}

const RANGE = { from: day(1), to: day(15) };

/** The query plans the comparison runs over `orgs`. */
function plans(orgs: string[]): Query[] {
  const base = { orgs, range: RANGE };
  return [
    makeQuery({ ...base }),
    makeQuery({ ...base, bucket: 'none', aggregation: { fn: 'sum' }, groupBy: [{ kind: 'type' }] }),
    makeQuery({ ...base, aggregation: { fn: 'unique', of: [{ kind: 'actor' }] } }),
    makeQuery({ ...base, bucket: 'week', groupBy: [{ kind: 'actor_kind' }, { kind: 'org' }] }),
    makeQuery({
      ...base,
      types: ['storage'],
      aggregation: { fn: 'latest', per: [{ kind: 'dim', key: 'kind' }] },
    }),
    makeQuery({
      ...base,
      bucket: 'none',
      aggregation: { fn: 'unique', of: [{ kind: 'actor' }] },
      window: { kind: 'cumulative', since: 'all' },
    }),
  ];
}

/** Everything a client could read about `orgs`, as plain data (read times left out). */
export async function figures(store: Store, orgs: string[], actors: string[]): Promise<unknown> {
  const queries = [];
  for (const q of plans(orgs)) {
    const r = await runQuery(q, Date.now(), (request) => store.fetchRows(request));
    queries.push({ series: r.series, other: r.other, total_groups: r.total_groups });
  }
  const instants = [2, 4, 6, 8, 10, 12, 14].map((d) => day(d));
  const headcount = await store.actorHeadcount({ orgs, kinds: ['user', 'developer', 'device'], instants });
  const scan = { orgs, types: [], filters: [], from: null, to: day(100) };
  const events: EventRecord[] = await store.listEvents(scan, 10_000);
  const profiles = [];
  for (const org of orgs) profiles.push(...(await store.getActors(org, actors)));
  return { queries, headcount, events, profiles };
}

/** Poll `read` until `check` passes (it throws otherwise), for at most `ms`. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (v: T) => void,
  ms = 20_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const v = await read();
    try {
      check(v);
      return;
    } catch (err) {
      if (Date.now() - started > ms) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
