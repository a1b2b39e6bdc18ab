/**
 * The lifecycle commands of `tally` against listening apps (in-process runs,
 * and the real binary where a second process matters): retention, erasure,
 * correction and audit with hand-computed figures after each; export, import,
 * backup and restore round-tripping to the same answers.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { cli, tally } from '../ecosystem/cli-run.js';
import { ADMIN, battery, lifeApp, loadWorld, ORGS, PROFILES, type LifeApp } from './app.js';

let t: LifeApp;
let env: Record<string, string>;
let dir: string;
const extra: LifeApp[] = [];
beforeEach(async () => {
  t = await lifeApp();
  await loadWorld(t);
  env = { TALLY_URL: await t.listen(), TALLY_KEY: ADMIN };
  dir = mkdtempSync(join(tmpdir(), 'tally-cli-life-'));
});
afterEach(async () => {
  await t.close();
  for (const a of extra.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async (org: string): Promise<number> => {
  const r = await t.call('GET', `/v1/query?org=${org}&from=2026-01-01&bucket=none`);
  return r.json<{ series: { total: number }[] }>().series[0]?.total ?? 0;
};
const ok = async (args: string[]): Promise<string> => {
  const r = await cli(args, env);
  expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
};

describe('retention, erase, delete-events and audit', () => {
  it('set and show retention, then run it', async () => {
    expect(await ok(['retention', 'set', 'acme', '15'])).toBe(
      'acme: 15 days; raw events are kept 15 days (its own setting)\n',
    );
    expect(await ok(['retention', 'get', 'acme-eu'])).toBe(
      'acme-eu: inherits; raw events are kept 15 days (set on acme)\n',
    );
    expect(await ok(['retention', 'set', 'beta', 'forever'])).toBe(
      'beta: forever; raw events are kept forever (its own setting)\n',
    );
    expect((await cli(['retention', 'set', 'beta', 'soon'], env)).err).toContain(
      'whole number, forever or inherit',
    );
    // As in retention.test.ts: cutoff 2026-11-05T12:00Z; acme loses 6 of 7, acme-eu 1 of 2, beta none.
    expect(await ok(['retention', 'run'])).toBe(
      [
        'org      days  deletes before            events deleted',
        '-------  ----  ------------------------  --------------',
        'acme       15  2026-11-05T12:00:00.000Z               6',
        'acme-eu    15  2026-11-05T12:00:00.000Z               1',
        '',
      ].join('\n'),
    );
    expect([await count('acme'), await count('acme-eu'), await count('beta')]).toEqual([1, 1, 2]);
    expect(await ok(['retention', 'set', 'acme', 'inherit'])).toBe(
      'acme: inherits; raw events are kept forever (no setting anywhere)\n',
    );
  });

  it('erase an actor (only with --yes), delete events, read the audit log', async () => {
    const refused = await cli(['erase', 'actor', 'u1', '--org', 'acme'], env);
    expect([refused.code, refused.err]).toEqual([
      1,
      'This erases actor u1 in acme for good; add --yes to go ahead.\n',
    ]);
    expect(await count('acme')).toBe(7);
    expect(await ok(['erase', 'actor', 'u1', '--org', 'acme', '--yes'])).toMatch(
      /^Deleted 4 events, 1 actors \(audit entry \w+\)\.\n$/,
    );
    expect(await count('acme')).toBe(3);
    expect(await ok(['delete-events', 'acme', 'e3', 'e404'])).toMatch(
      /^Deleted 1 events, 0 actors \(audit entry \w+\)\.\nNot found: e404\n$/,
    );
    expect(await count('acme')).toBe(2);
    expect(await ok(['erase', 'org', 'beta', '--yes'])).toMatch(
      /^Deleted 2 events, 2 actors, 1 orgs, 0 keys changed \(audit/,
    );
    expect((await t.call('GET', '/v1/orgs/beta')).statusCode).toBe(404);
    const audit = JSON.parse(await ok(['audit', '--json'])) as {
      entries: { op: string; deleted: { events: number } }[];
    };
    expect(audit.entries.map((e) => [e.op, e.deleted.events])).toEqual([
      ['erase_orgs', 2],
      ['delete_events', 1],
      ['erase_actor', 4],
    ]);
    const table = await ok(['audit', '--limit', '1']);
    expect(table.split('\n')[2]).toContain('erase_orgs');
    expect(table).toMatch(/More: --before \w+\n$/);
  });
});

describe('export, import, backup and restore', () => {
  it('NDJSON and Parquet exports load into an empty server with the same answers', async () => {
    for (const org of ['acme', 'beta']) {
      await ok(['export', org, '--subtree', '--out', join(dir, `${org}.ndjson`)]);
      await ok(['export', org, '--subtree', '--format', 'parquet', '--out', join(dir, `${org}.parquet`)]);
    }
    expect(readFileSync(join(dir, 'beta.ndjson'), 'utf8').split('\n')[0]).toBe(
      '{"id":"b1","type":"activity","time":"2026-11-03T08:00:00.000Z","org":"beta","actor":"u1","value":1,"dims":{"workspace":"w9","workspace_type":"standard"}}',
    );
    expect(await ok(['export', 'acme', '--type', 'storage'])).toBe(
      '{"id":"e7","type":"storage","time":"2026-11-04T00:00:00.000Z","org":"acme","value":500,"dims":{"kind":"ASSET"}}\n',
    );
    for (const format of ['ndjson', 'parquet']) {
      const copy = await lifeApp();
      extra.push(copy);
      for (const [id, body] of ORGS) await copy.call('PUT', `/v1/orgs/${id}`, { body });
      await copy.call('POST', '/v1/actors', { body: PROFILES });
      const copyEnv = { TALLY_URL: await copy.listen(), TALLY_KEY: ADMIN };
      for (const org of ['acme', 'beta']) {
        const file = join(dir, `${org}.${format}`);
        const args = format === 'ndjson' ? ['ingest', file, '--no-progress'] : ['import', file];
        const r = await cli(args, copyEnv);
        expect(r.code, r.err).toBe(0);
      }
      expect(await battery(copy), format).toEqual(await battery(t));
    }
  });

  it('backs up a running server and restores into a new file with the same answers', async () => {
    const file = join(dir, 'b.duckdb');
    expect(await ok(['backup', file])).toMatch(/^Backed up to .*b\.duckdb \(\d+ bytes\)\./);
    expect((await cli(['backup', file], env)).err).toContain('exists; add --force');
    const db = join(dir, 'restored.duckdb');
    expect(await ok(['restore', file, '--db', db])).toBe(
      `Restored 11 events to ${db}. Start the server on it with TALLY_DB=${db}.\n`,
    );
    expect((await cli(['restore', file, '--db', db], env)).err).toContain('exists; add --force');
    const restored = await lifeApp({ path: db });
    extra.push(restored);
    expect(await battery(restored)).toEqual(await battery(t));
    writeFileSync(join(dir, 'junk.duckdb'), 'not a database');
    const junk = await cli(['restore', join(dir, 'junk.duckdb'), '--db', join(dir, 'x.duckdb')], env);
    expect([junk.code, junk.err]).toEqual([1, expect.stringContaining('is not a DuckDB database')]);
  });

  it('never restores over a database a running process holds', async () => {
    const file = join(dir, 'b.duckdb');
    await ok(['backup', file]);
    const held = join(dir, 'held.duckdb');
    const instance = await DuckDBInstance.create(held);
    try {
      const r = await tally(['restore', file, '--db', held, '--force']);
      expect([r.code, r.err]).toEqual([1, expect.stringContaining('is in use (stop the server first)')]);
    } finally {
      instance.closeSync();
    }
  });
});
