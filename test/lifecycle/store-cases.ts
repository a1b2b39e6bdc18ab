/**
 * Store conformance for the data lifecycle (run by test/store/conformance.ts
 * on every engine): correction frees ids, erasure leaves every figure exactly
 * as a store that never received the erased data, retention expires by org,
 * the audit log records each deletion, and exports round-trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActorPatch, EventRecord } from '../../src/core/model.js';
import type { AuditInput } from '../../src/store/port.js';
import { readEventsParquet } from '../../src/store/parquet.js';
import type { Store } from '../../src/store/port.js';
import type { StoreFactory } from '../store/conformance.js';
import { day, event, eventually, figures } from './figures.js';

const audit = (op: AuditInput['op'], params: Record<string, unknown> = {}): AuditInput => ({
  keyId: 'k1',
  op,
  params,
  scope: [['acme']],
});

/** A small world: two orgs, profiles, gauges, and events with and without actors. */
const EVENTS: EventRecord[] = [
  event({ id: 'a1', actor: 'u', ts: day(2, 9), dims: { app: 'web' } }),
  event({ id: 'a2', actor: 'u', ts: day(3, 9), value: 2.5, type: 'api.request' }),
  event({ id: 'a3', actor: 'v', ts: day(3, 10) }),
  event({ id: 'a4', ts: day(4), type: 'storage', value: 100, dims: { kind: 'ASSET' } }),
  event({ id: 'a5', actor: 'u', ts: day(9), type: 'storage', value: 40, dims: { kind: 'ASSET' } }),
  event({ id: 'a6', actor: 'w', ts: day(10), dims: { app: 'ios', flag: 'true' } }),
  event({ org: 'beta', id: 'a1', actor: 'u', ts: day(2, 12) }),
  event({ org: 'beta', id: 'b2', actor: 'v', ts: day(5) }),
];
const PROFILES: ActorPatch[] = [
  { org: 'acme', id: 'u', kind: 'developer', created_at: day(1), first_name: 'Una' },
  { org: 'acme', id: 'w', kind: 'device' },
  { org: 'beta', id: 'u', kind: 'user', created_at: day(2) },
];
const ORGS = ['acme', 'beta'];
const ACTORS = ['u', 'v', 'w'];

async function load(store: Store, keep: (e: EventRecord) => boolean, profiles = PROFILES): Promise<void> {
  await store.upsertActors(profiles);
  await store.ingest(EVENTS.filter(keep));
}

export function runLifecycleCases(f: StoreFactory): void {
  describe(`lifecycle conformance: ${f.name}`, () => {
    let store: Store;
    const others: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await f.createStore();
      others.push(s);
      return s;
    };
    beforeEach(async () => {
      store = await f.createStore();
    });
    afterEach(async () => {
      await store.close();
      for (const s of others.splice(0)) await s.close();
    });

    it('deletes events by (org, id), frees the ids and recomputes first_seen', async () => {
      await load(store, () => true);
      const r = await store.deleteEvents(
        [
          { org: 'acme', id: 'a1' },
          { org: 'acme', id: 'a1' },
          { org: 'acme', id: 'nope' },
        ],
        audit('delete_events', { events: 2 }),
      );
      expect(r.entry.counts).toEqual({ events: 1, actors: 0, orgs: 0, keys: 0 });
      expect(r.missing).toEqual([{ org: 'acme', id: 'nope' }]);
      // u's earliest acme event is now a2 (day 3, 09:00); beta's a1 is another event and stays.
      expect((await store.getActor('acme', 'u'))?.first_seen).toBe(day(3, 9));
      expect((await store.getActor('beta', 'u'))?.first_seen).toBe(day(2, 12));
      const reference = await fresh();
      await load(reference, (e) => !(e.org === 'acme' && e.id === 'a1'));
      expect(await figures(store, ORGS, ACTORS)).toEqual(await figures(reference, ORGS, ACTORS));
      // The corrected event is accepted under the same id, then is a duplicate like any other.
      const corrected = event({ id: 'a1', actor: 'u', ts: day(2, 8), value: 7 });
      expect(await store.ingest([corrected])).toEqual({ accepted: 1, duplicates: 0 });
      expect(await store.ingest([corrected])).toEqual({ accepted: 0, duplicates: 1 });
      expect((await store.getActor('acme', 'u'))?.first_seen).toBe(day(2, 8));
      await reference.ingest([corrected]);
      expect(await figures(store, ORGS, ACTORS)).toEqual(await figures(reference, ORGS, ACTORS));
    });

    it('leaves an actor with no events left without a first_seen', async () => {
      await load(store, () => true);
      await store.deleteEvents([{ org: 'acme', id: 'a6' }], audit('delete_events'));
      expect((await store.getActor('acme', 'w'))?.first_seen).toBeNull();
      await store.ingest([event({ id: 'a7', actor: 'w', ts: day(12) })]);
      expect((await store.getActor('acme', 'w'))?.first_seen).toBe(day(12));
    });

    it('erases an actor in chosen orgs: every figure as if it had never been sent', async () => {
      await load(store, () => true);
      const entry = await store.eraseActor(['acme'], 'u', audit('erase_actor'));
      // acme: a1, a2, a5 are u's; its profile goes too. beta's u stays.
      expect(entry.counts).toEqual({ events: 3, actors: 1, orgs: 0, keys: 0 });
      expect(await store.getActor('acme', 'u')).toBeNull();
      const reference = await fresh();
      await load(
        reference,
        (e) => !(e.org === 'acme' && e.actor === 'u'),
        PROFILES.filter((p) => !(p.org === 'acme' && p.id === 'u')),
      );
      expect(await figures(store, ORGS, ACTORS)).toEqual(await figures(reference, ORGS, ACTORS));
      // A later event of the same id makes a new actor, known from that event only.
      await store.ingest([event({ id: 'n1', actor: 'u', ts: day(11) })]);
      expect(await store.getActor('acme', 'u')).toMatchObject({
        kind: 'user',
        first_seen: day(11),
        created_at: null,
      });
    });

    it('erases an actor in every org at once', async () => {
      await load(store, () => true);
      const entry = await store.eraseActor(ORGS, 'u', audit('erase_actor'));
      expect(entry.counts).toEqual({ events: 4, actors: 2, orgs: 0, keys: 0 });
      const reference = await fresh();
      await load(
        reference,
        (e) => e.actor !== 'u',
        PROFILES.filter((p) => p.id !== 'u'),
      );
      expect(await figures(store, ORGS, ACTORS)).toEqual(await figures(reference, ORGS, ACTORS));
    });

    it('erases an org subtree with its actors, sessions and settings, and narrows or revokes keys', async () => {
      await load(store, () => true);
      await store.putOrg({ id: 'p', name: 'P', parent: null, domain: null, timezone: 'UTC', created_at: 1 });
      await store.putOrg({ id: 'c', name: null, parent: 'p', domain: null, timezone: 'UTC', created_at: 2 });
      await store.ingest([
        event({ org: 'c', id: 'c1', actor: 'z', ts: day(3) }),
        event({ org: 'p', id: 'p1' }),
      ]);
      await store.createSession({ hash: 'hc', keyId: 'k', org: 'c', created_at: 1, last_used: 1 });
      await store.setRetention('p', 30);
      const key = (id: string, orgs: string[]) => ({
        id,
        name: id,
        role: 'read' as const,
        orgs,
        hash: 'h',
        created_at: 1,
        revoked_at: null,
        expires_at: 50,
        types: ['a.b'],
      });
      for (const k of [key('k1', ['c']), key('k2', ['c', 'beta']), key('k3', ['*']), key('k4', ['acme'])])
        await store.createKey(k);
      // Read before the erasure: a store that remembers keys must forget what the erasure changed.
      expect((await store.getKey('k1'))?.revoked_at).toBeNull();
      expect((await store.getKey('k2'))?.orgs).toEqual(['c', 'beta']);
      const entry = await store.eraseOrgs(['p', 'c'], audit('erase_orgs'));
      expect(entry.counts).toEqual({ events: 2, actors: 1, orgs: 2, keys: 2 });
      expect((await store.listOrgs()).map((o) => o.id)).toEqual(['acme', 'beta']);
      expect(await store.getActor('c', 'z')).toBeNull();
      expect(await store.getSession('hc')).toBeNull();
      expect(await store.listRetention()).toEqual([]);
      expect((await store.getKey('k1'))?.revoked_at).toBe(entry.at);
      // Narrowed keys keep their expiry and types.
      expect(await store.getKey('k2')).toMatchObject({
        orgs: ['beta'],
        revoked_at: null,
        expires_at: 50,
        types: ['a.b'],
      });
      expect(await store.getKey('k3')).toMatchObject({ orgs: ['*'], revoked_at: null });
      expect(await store.getKey('k4')).toMatchObject({ orgs: ['acme'], revoked_at: null });
      const reference = await fresh();
      await load(reference, () => true);
      expect(await figures(store, ['acme', 'beta', 'p', 'c'], ['u', 'z'])).toEqual(
        await figures(reference, ['acme', 'beta', 'p', 'c'], ['u', 'z']),
      );
      // The id is free: a new event makes a new root org, with only the new data.
      expect(await store.ingest([event({ org: 'c', id: 'c1', actor: 'z', ts: day(6) })])).toEqual({
        accepted: 1,
        duplicates: 0,
      });
      expect((await store.listOrgs()).find((o) => o.id === 'c')).toMatchObject({ parent: null });
      expect((await store.getActor('c', 'z'))?.first_seen).toBe(day(6));
    });

    it('expires events before each cutoff, keeps actors, and audits per org', async () => {
      await load(store, () => true);
      const before = day(3, 9) + 1; // acme keeps a3 (day 3 10:00) and later; a1 and a2 go
      const entries = await store.expireEvents([
        { org: 'acme', before, audit: audit('retention', { days: 7 }) },
        { org: 'beta', before: day(1), audit: { ...audit('retention'), scope: [['beta']] } },
      ]);
      expect(entries.map((e) => [e.op, e.counts.events, e.params])).toEqual([['retention', 2, { days: 7 }]]);
      const scan = { orgs: ['acme'], types: [], filters: [], from: null, to: day(100) };
      await eventually(
        () => store.listEvents(scan, 100),
        (evs) => {
          expect(evs.map((e) => e.id)).toEqual(['a3', 'a4', 'a5', 'a6']);
        },
      );
      expect((await store.getActor('acme', 'u'))?.first_seen).toBe(day(2, 9));
    });

    it('sets, clears and lists retention settings', async () => {
      await store.setRetention('acme', 30);
      await store.setRetention('beta', 0);
      await store.setRetention('gamma', 5);
      await store.setRetention('acme', null);
      await store.setRetention('gamma', 9);
      expect(await store.listRetention()).toEqual([
        { org: 'beta', days: 0 },
        { org: 'gamma', days: 9 },
      ]);
    });

    it('lists the audit log newest first, page by page', async () => {
      await load(store, () => true);
      const a = (await store.deleteEvents([{ org: 'acme', id: 'a3' }], audit('delete_events', { n: 1 })))
        .entry;
      const b = await store.eraseActor(['beta'], 'v', {
        ...audit('erase_actor', { actor_sha256: 'x' }),
        keyId: null,
      });
      const c = (await store.deleteEvents([{ org: 'beta', id: 'zz' }], audit('delete_events', { n: 3 })))
        .entry;
      const first = await store.listAudit(null, 2);
      expect(first).toEqual([c, b]);
      expect(b).toMatchObject({
        keyId: null,
        op: 'erase_actor',
        params: { actor_sha256: 'x' },
        scope: [['acme']],
      });
      expect(b.counts).toEqual({ events: 1, actors: 1, orgs: 0, keys: 0 });
      expect(await store.listAudit(first[1]!.id, 2)).toEqual([a]);
    });

    it('exports raw events by org, type and time, page by page and as Parquet that loads back', async () => {
      await load(store, () => true);
      await store.deleteEvents([{ org: 'acme', id: 'a6' }], audit('delete_events'));
      const filter = {
        orgs: ['acme', 'beta'],
        types: ['activity', 'storage'],
        from: day(2, 12),
        to: day(10),
      };
      // By hand: activity/storage events in [day 2 12:00, day 10), a6 deleted, in (ts, org, id) order.
      const expected = ['beta/a1', 'acme/a3', 'acme/a4', 'beta/b2', 'acme/a5'];
      const pages: string[][] = [];
      for await (const page of store.exportEvents(filter, 2)) pages.push(page.map((e) => `${e.org}/${e.id}`));
      expect(pages).toEqual([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4)]);
      const dir = mkdtempSync(join(tmpdir(), 'tally-export-'));
      try {
        const path = join(dir, 'x.parquet');
        expect(await store.exportParquet({ ...filter, types: [], from: null, to: null }, path)).toBe(7);
        const copy = await fresh();
        for await (const page of readEventsParquet(path, 3)) await copy.ingest(page);
        await copy.upsertActors(PROFILES);
        const reference = await fresh();
        await load(reference, (e) => e.id !== 'a6');
        expect(await figures(copy, ORGS, ACTORS)).toEqual(await figures(reference, ORGS, ACTORS));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
