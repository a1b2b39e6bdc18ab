/**
 * The shared fixture of the fuzz tests: one app with every surface, a small
 * org tree with data of every type the surfaces read (so that fuzzed requests
 * that get past their parameter checks run real engine queries), the keys a
 * fuzzed request may carry, and the ways it may carry them.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { KEY_KINDS, evil, type KeyKind } from './arbitraries.js';
import { ADMIN, judge, relApp, type RelApp } from './harness.js';
import { ORG, SEED } from './surface-reads.js';

const at = (h: number): string => `2026-11-19T${String(h).padStart(2, '0')}:30:00Z`;

/** More types, so that every report and series has something to read. */
const MORE = [
  { type: 'storage', value: 1000, dims: { app: 'app1', kind: 'ASSET' } },
  { type: 'bandwidth', value: 500, dims: { app: 'app1' } },
  { type: 'addon.run', dims: { addon: 'REMOVE_BACKGROUND' } },
  { type: 'transcode' },
  { type: 'report.state_changed', dims: { report: 'r1', state: 's2', state_name: 'Closed' } },
  { type: 'report.field_selected', dims: { report: 'r1', field: 'f1', value: 'v1', name: 'Yes' } },
  {
    type: 'report.image_added',
    dims: { report: 'r1', image: 'i1', thumb: 'https://t', medium: 'https://m' },
  },
  { type: 'report.read', actor: 'u2', dims: { report: 'r1' } },
  { type: 'alert.sent', actor: 'u2', dims: { alert: 'a1', report: 'r1' } },
  { type: 'alert.opened', actor: 'u2', dims: { alert: 'a1' } },
  {
    type: 'activity',
    actor: 'd1',
    dims: { app: 'app1', version: '1.1', workspace: 'w2', workspace_type: 'development' },
  },
].map((e, i) => ({ id: `more-${i}`, org: ORG, time: at(i), ...e }));

export interface FuzzFixture {
  t: RelApp;
  secrets: Record<KeyKind, string | null>;
}

/** The app, the data (org 101 with child 102, domain acme.com), and a secret per key kind. */
export async function fuzzFixture(): Promise<FuzzFixture> {
  const t = await relApp();
  for (const [id, body] of [
    [ORG, { domain: 'acme.com', timezone: 'Asia/Kathmandu' }],
    ['102', { parent: ORG }],
  ] as const)
    expect((await t.call('PUT', `/v1/orgs/${id}`, { body })).statusCode).toBe(200);
  const events = [...SEED, ...MORE, ...MORE.map((e) => ({ ...e, id: `child-${e.id}`, org: '102' }))];
  expect((await t.call('POST', '/v1/events', { body: events })).json()).toEqual({
    accepted: events.length,
    duplicates: 0,
  });
  await t.call('PUT', `/v1/orgs/${ORG}/actors/d1`, { body: { kind: 'developer', first_name: 'Dee' } });
  const secrets: Record<KeyKind, string | null> = {
    admin: ADMIN,
    read: await t.newKey('read', [ORG]),
    ingest: await t.newKey('ingest', [ORG]),
    none: null,
    bogus: 'tly_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
    hostile: "' OR 1=1 --",
  };
  return { t, secrets };
}

/** Where a key goes: each surface accepts some of these. */
const PLACES = ['bearer', 'raw', 'x-api-key', 'token', 'filespin', 'capgkey'] as const;

export interface Credential {
  kind: KeyKind;
  place: (typeof PLACES)[number];
  junk: string | null;
}

/** A credential: which key, and which header carries it; mostly one that works, so cases get deep. */
export const credential: fc.Arbitrary<Credential> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom<KeyKind>('admin', 'read'),
      place: fc.constant('bearer' as const),
      junk: fc.constant(null),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(...KEY_KINDS),
      place: fc.constantFrom(...PLACES),
      junk: fc.option(
        evil.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        { freq: 4 },
      ),
    }),
  },
);

/** The headers for a credential (a hostile key replaces the secret when `junk` is set). */
export function credentialHeaders(f: FuzzFixture, c: Credential): Record<string, string> {
  const secret = c.junk ?? f.secrets[c.kind];
  if (secret === null) return {};
  switch (c.place) {
    case 'bearer':
      return { authorization: `Bearer ${secret}` };
    case 'raw':
      return { authorization: secret };
    case 'x-api-key':
      return { 'x-api-key': secret };
    case 'token':
      return { authorization: `Token token=${secret}` };
    case 'filespin':
      return { 'x-filespin-api-key': secret };
    case 'capgkey':
      return { capgkey: secret };
  }
}

/** Tallies of one fuzz target, for the figures in docs/reliability.md. */
export interface Tally {
  cases: number;
  byStatus: Record<number, number>;
}

export const TALLIES: Record<string, Tally> = {};

/**
 * Send one fuzzed request and judge it; records the status. Throws (failing the
 * property, which fast-check then shrinks) on a 5xx or a body out of shape.
 */
export async function fire(
  f: FuzzFixture,
  target: string,
  req: { method: string; url: string; headers?: Record<string, string>; payload?: string },
): Promise<LightMyRequestResponse> {
  const res = await f.t.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers ?? {},
    ...(req.payload === undefined ? {} : { payload: req.payload }),
  });
  const tally = (TALLIES[target] ??= { cases: 0, byStatus: {} });
  tally.cases++;
  tally.byStatus[res.statusCode] = (tally.byStatus[res.statusCode] ?? 0) + 1;
  const bad = judge(req.method, req.url, res);
  if (bad) throw new Error(`${req.method} ${req.url.slice(0, 300)}\n${bad}`);
  return res;
}

/** How many runs a target gets: TALLY_FUZZ_SCALE multiplies every count (default 1). */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * Number(process.env['TALLY_FUZZ_SCALE'] ?? 1)));
}
