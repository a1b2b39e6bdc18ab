/**
 * The store conformance suite: the same cases for every engine. Each engine's
 * test file is one call, `runStoreCases({ name, createStore })`, where
 * createStore returns a fresh, initialised, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/core/model.js';
import type { Store } from '../../src/store/port.js';
import { runLifecycleCases } from '../lifecycle/store-cases.js';

export interface StoreFactory {
  name: string;
  createStore(): Promise<Store>;
  /** Cases an engine cannot run, each with its reason. */
  skip?: Record<string, string>;
}

const day = (d: number, h = 0): number => Date.UTC(2026, 0, d, h);

function event(over: Partial<EventRecord>): EventRecord {
  return { org: 'acme', id: 'x', type: 'activity', ts: day(1), actor: null, value: 1, dims: {}, ...over };
}

export function runStoreCases(f: StoreFactory): void {
  describe(`store conformance: ${f.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await f.createStore();
    });
    afterEach(async () => {
      await store.close();
    });
    const test = (name: string, fn: () => Promise<void>): void => {
      const why = f.skip?.[name];
      if (why) it.skip(`${name} (skipped: ${why})`, fn);
      else it(name, fn);
    };

    test('dedupes on (org, id) within a batch, across batches and across concurrent batches', async () => {
      expect(
        await store.ingest([event({ id: 'a' }), event({ id: 'a', value: 5 }), event({ id: 'a', org: 'b' })]),
      ).toEqual({ accepted: 2, duplicates: 1 });
      const [r1, r2] = await Promise.all([
        store.ingest([event({ id: 'a' }), event({ id: 'c' })]),
        store.ingest([event({ id: 'c' }), event({ id: 'd' })]),
      ]);
      expect(r1.accepted + r2.accepted).toBe(2);
      expect(r1.duplicates + r2.duplicates).toBe(2);
      expect((await store.listOrgs()).map((o) => o.id)).toEqual(['acme', 'b']);
    });

    test('records first_seen as the earliest event of an actor, even when it arrives late', async () => {
      await store.ingest([event({ id: '1', actor: 'u', ts: day(5) })]);
      await store.ingest([
        event({ id: '2', actor: 'u', ts: day(3) }),
        event({ id: '3', actor: 'u', ts: day(9) }),
      ]);
      expect(await store.getActor('acme', 'u')).toMatchObject({
        kind: 'user',
        first_seen: day(3),
        created_at: null,
      });
    });

    test('merges actor patches field by field', async () => {
      await store.upsertActors([
        { org: 'acme', id: 'u', kind: 'developer', first_name: 'A', props: { a: 1 } },
      ]);
      await store.upsertActors([
        { org: 'acme', id: 'u', last_name: 'B' },
        { org: 'acme', id: 'u', first_name: null },
      ]);
      expect(await store.getActor('acme', 'u')).toMatchObject({
        kind: 'developer',
        first_name: null,
        last_name: 'B',
        props: { a: 1 },
      });
      expect((await store.getActors('acme', ['u', 'ghost'])).map((a) => a.id)).toEqual(['u']);
    });

    test('counts actors alive just before each instant', async () => {
      // Worked by hand; instants are the ends of Jan 1..5 (i.e. day(2)..day(6)).
      await store.upsertActors([
        { org: 'acme', id: 'a', kind: 'user', created_at: day(1, 10) }, // alive from day 1 on
        { org: 'acme', id: 'b', kind: 'developer', created_at: day(2), deleted_at: day(4, 12) }, // days 2, 3 only
        { org: 'acme', id: 'c', kind: 'user', created_at: day(3), deleted_at: day(3, 1) }, // born and gone on day 3
        { org: 'acme', id: 'd', kind: 'device', created_at: day(1) }, // another kind
        { org: 'acme', id: 'f', kind: 'user', deleted_at: day(1) }, // deleted before it was ever seen
        { org: 'other', id: 'g', kind: 'user', created_at: day(1) }, // another org
      ]);
      await store.ingest([
        event({ id: 'e1', actor: 'e', ts: day(4, 23) }),
        event({ id: 'f1', actor: 'f', ts: day(2) }),
      ]); // e: no created_at, first event day 4
      const instants = [2, 3, 4, 5, 6].map((d) => day(d));
      expect(await store.actorHeadcount({ orgs: ['acme'], kinds: ['user', 'developer'], instants })).toEqual([
        1, 2, 2, 2, 2,
      ]);
      expect(await store.actorHeadcount({ orgs: ['acme'], kinds: ['developer'], instants })).toEqual([
        0, 1, 1, 0, 0,
      ]);
      expect(
        await store.actorHeadcount({ orgs: ['acme', 'other'], kinds: ['user'], instants: [day(6), day(2)] }),
      ).toEqual([3, 2]);
    });

    test('lists the events a scan selects, in time order, up to a limit', async () => {
      await store.ingest([
        event({ id: 'late', ts: day(3), actor: 'u', dims: { report: 'r1', n: '2' } }),
        event({ id: 'early', ts: day(2), dims: { report: 'r2' } }),
        event({ id: 'other-type', ts: day(2), type: 'api.request' }),
        event({ id: 'outside', ts: day(9) }),
      ]);
      const scan = { orgs: ['acme'], types: ['activity'], filters: [], from: day(1), to: day(5) };
      expect(await store.listEvents(scan, 10)).toEqual([
        {
          org: 'acme',
          id: 'early',
          type: 'activity',
          ts: day(2),
          actor: null,
          value: 1,
          dims: { report: 'r2' },
        },
        {
          org: 'acme',
          id: 'late',
          type: 'activity',
          ts: day(3),
          actor: 'u',
          value: 1,
          dims: { report: 'r1', n: '2' },
        },
      ]);
      expect((await store.listEvents(scan, 1)).map((e) => e.id)).toEqual(['early']);
      const filtered = {
        ...scan,
        filters: [{ field: { kind: 'dim' as const, key: 'report' }, op: 'eq' as const, values: ['r1'] }],
      };
      expect((await store.listEvents(filtered, 10)).map((e) => e.id)).toEqual(['late']);
    });

    test('stores sessions and records their use', async () => {
      await store.createSession({ hash: 'h1', keyId: 'k', org: 'acme', created_at: 10, last_used: 10 });
      await store.touchSession('h1', 50);
      await store.touchSession('h1', 40);
      expect(await store.getSession('h1')).toEqual({
        hash: 'h1',
        keyId: 'k',
        org: 'acme',
        created_at: 10,
        last_used: 50,
      });
      expect(await store.getSession('h2')).toBeNull();
    });

    test('deletes sessions last used before a time, keeping those used since', async () => {
      await store.createSession({ hash: 'old', keyId: 'k', org: 'acme', created_at: 10, last_used: 10 });
      await store.createSession({ hash: 'edge', keyId: 'k', org: 'acme', created_at: 10, last_used: 100 });
      // Used again since: its newest use counts, not its first.
      await store.createSession({ hash: 'used', keyId: 'k', org: 'acme', created_at: 10, last_used: 10 });
      await store.touchSession('used', 150);
      await store.deleteSessions(100);
      await expect.poll(() => store.getSession('old'), { timeout: 20_000 }).toBeNull();
      expect((await store.getSession('edge'))?.last_used).toBe(100);
      expect(await store.getSession('used')).toMatchObject({ created_at: 10, last_used: 150 });
    });

    test('creates, reads and revokes keys', async () => {
      await store.createKey({
        id: 'k1',
        name: 'n',
        role: 'read',
        orgs: ['a', 'b'],
        hash: 'ab',
        created_at: 1,
        revoked_at: null,
        expires_at: null,
        types: null,
      });
      expect(await store.getKey('k1')).toEqual({
        id: 'k1',
        name: 'n',
        role: 'read',
        orgs: ['a', 'b'],
        hash: 'ab',
        created_at: 1,
        revoked_at: null,
        expires_at: null,
        types: null,
      });
      // A customer's key: an expiry and a type scope, kept through revocation.
      const limited = {
        ...(await store.getKey('k1'))!,
        id: 'k2',
        created_at: 2,
        expires_at: 1_800_000_000_123,
      };
      await store.createKey({ ...limited, types: ['api.request', 'activity'] });
      expect(await store.revokeKey('k1', 7)).toBe(true);
      expect(await store.revokeKey('k1', 8)).toBe(false);
      expect(await store.revokeKey('k2', 9)).toBe(true);
      expect(await store.listKeys()).toEqual([
        expect.objectContaining({ id: 'k1', revoked_at: 7, expires_at: null, types: null }),
        { ...limited, types: ['api.request', 'activity'], revoked_at: 9 },
      ]);
      expect(await store.getKey('nope')).toBeNull();
    });

    test('puts orgs and lists them', async () => {
      await store.putOrg({
        id: 'p',
        name: 'P',
        parent: null,
        domain: 'p.com',
        timezone: 'Asia/Kathmandu',
        created_at: 5,
      });
      await store.putOrg({ id: 'c', name: null, parent: 'p', domain: null, timezone: 'UTC', created_at: 6 });
      await store.putOrg({
        id: 'p',
        name: 'P2',
        parent: null,
        domain: 'p.com',
        timezone: 'UTC',
        created_at: 99,
      });
      expect(await store.listOrgs()).toEqual([
        { id: 'c', name: null, parent: 'p', domain: null, timezone: 'UTC', created_at: 6 },
        { id: 'p', name: 'P2', parent: null, domain: 'p.com', timezone: 'UTC', created_at: 5 },
      ]);
    });
  });
  runLifecycleCases(f);
}
