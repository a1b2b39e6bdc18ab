/**
 * ClickHouse deletes rows by asynchronous mutations. With merges (and so
 * mutations) stopped on `events`, a correction and an erasure must already
 * give every figure of a DuckDB store that never got the deleted events, the
 * corrected id must be accepted again, and once the mutations run the rows are
 * gone for good while the figures stay the same.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { ClickHouseStore } from '../../src/store/clickhouse/store.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { clickhouseAvailable, clickhouseBaseUrl, freshStore } from '../clickhouse/env.js';
import { day, event, eventually, figures } from './figures.js';

const EVENTS: EventRecord[] = [
  event({ id: 'a1', actor: 'u', ts: day(2) }),
  event({ id: 'a2', actor: 'u', ts: day(3), type: 'api.request', value: 3 }),
  event({ id: 'a3', actor: 'v', ts: day(4) }),
  event({ id: 'a4', actor: 'w', ts: day(5), dims: { app: 'x' } }),
  event({ org: 'beta', id: 'a1', actor: 'u', ts: day(6) }),
];
const corrected = event({ id: 'a3', actor: 'v', ts: day(7), value: 9 });

/** Run SQL on the store's server (the test reaches past the store on purpose). */
async function sql(text: string): Promise<string> {
  const res = await fetch(`${await clickhouseBaseUrl()}/`, { method: 'POST', body: text });
  const body = await res.text();
  if (!res.ok) throw new Error(body);
  return body.trim();
}

describe.skipIf(!clickhouseAvailable)('clickhouse deletions before their mutations run', () => {
  let ch: ClickHouseStore;
  let duck: DuckDbStore;
  let db: string;
  beforeEach(async () => {
    ch = await freshStore();
    db = new URL(ch.url).pathname.slice(1);
    duck = await DuckDbStore.open({ path: ':memory:' });
    await duck.init();
  });
  afterEach(async () => {
    await sql(`SYSTEM START MERGES ${db}.events`).catch(() => undefined);
    await ch.close();
    await duck.close();
  });

  it('reads are right at once, the id is free, and the rows go once the mutations run', async () => {
    await ch.ingest(EVENTS);
    await sql(`SYSTEM STOP MERGES ${db}.events`);
    const audit = { keyId: 'k', op: 'delete_events' as const, params: {}, scope: [['acme']] };
    expect((await ch.deleteEvents([{ org: 'acme', id: 'a3' }], audit)).entry.counts.events).toBe(1);
    expect((await ch.eraseActor(['acme'], 'u', { ...audit, op: 'erase_actor' })).counts.events).toBe(2);
    expect(await ch.ingest([corrected])).toEqual({ accepted: 1, duplicates: 0 });
    // The proof that this ran before the mutations: they are still pending, and the rows still there.
    expect(
      Number(
        await sql(
          `SELECT count() FROM system.mutations WHERE database = '${db}' AND table = 'events' AND is_done = 0`,
        ),
      ),
    ).toBeGreaterThan(0);
    expect(Number(await sql(`SELECT count() FROM ${db}.events WHERE org = 'acme'`))).toBe(5);

    await duck.ingest(EVENTS.filter((e) => !(e.org === 'acme' && (e.actor === 'u' || e.id === 'a3'))));
    await duck.ingest([corrected]);
    const orgs = ['acme', 'beta'];
    const actors = ['u', 'v', 'w'];
    expect(await figures(ch, orgs, actors)).toEqual(await figures(duck, orgs, actors));

    await sql(`SYSTEM START MERGES ${db}.events`);
    // An insert wakes the server's background pool, which otherwise may sleep for seconds before mutating.
    await ch.ingest([event({ org: 'other', id: 'wake' })]);
    await eventually(
      () => sql(`SELECT count() FROM ${db}.events WHERE org = 'acme'`),
      (n) => {
        expect(Number(n)).toBe(2); // a4 and the corrected a3
      },
    );
    expect(await figures(ch, orgs, actors)).toEqual(await figures(duck, orgs, actors));
  });
});
