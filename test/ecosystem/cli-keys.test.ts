/**
 * Getting back in: `tally keys create --role admin --orgs '*'` with no server and
 * no key writes the key straight into the stopped embedded store, and the key
 * then opens it. A store in use, or a file that does not exist, is refused with
 * what to do instead. Also the hints a client command gives when it has no key
 * or reaches no server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/cli/config.js';
import { createApp } from '../../src/http/app.js';
import { createStore } from '../../src/store/index.js';
import { NOW } from '../helpers.js';
import { cli, tally } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-cli-keys-'));
const db = join(dir, 'tally.duckdb');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Ask the store, through the real app, with `secret`: the key list (names and roles). */
async function keysSeenWith(secret: string): Promise<{ status: number; keys: string[] }> {
  const store = await createStore(readConfig({ TALLY_DB: db }));
  const app = await createApp({ store, clock: () => NOW }, []);
  try {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/keys',
      headers: { authorization: `Bearer ${secret}` },
    });
    const body = res.json<{ keys?: { name: string; role: string; orgs: string[] }[] }>();
    return {
      status: res.statusCode,
      keys: (body.keys ?? []).map((k) => `${k.name}/${k.role}/${k.orgs.join(',')}`),
    };
  } finally {
    await app.close();
    await store.close();
  }
}

describe('tally keys create on the store itself', () => {
  it('refuses a file that does not exist rather than creating an empty store', async () => {
    const r = await cli(['keys', 'create', '--role', 'admin', '--orgs', '*'], { TALLY_DB: db });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`No store at ${db}. Point TALLY_DB (or --db) at the file Tally serves`);
  });

  it('writes an admin key over every org into the stopped store, and that key opens it', async () => {
    // A store a server once created and then lost the key to: one key nobody knows.
    const store = await createStore(readConfig({ TALLY_DB: db }));
    await store.close();
    const r = await cli(['keys', 'create', '--role', 'admin', '--orgs', '*'], { TALLY_DB: db });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`(admin over *) directly in ${db}. Its secret is shown only now:`);
    const secret = /\n\s+(tly_\S+)\n/.exec(r.out)?.[1] ?? '';
    expect(await keysSeenWith(secret)).toEqual({ status: 200, keys: ['admin key/admin/*'] });
    // --db names the file explicitly, and --org works as --orgs does.
    const named = await cli(
      ['keys', 'create', '--role', 'read', '--org', 'acme', '--name', 'ro', '--db', db],
      {},
    );
    expect(named.code).toBe(0);
    expect((await keysSeenWith(secret)).keys).toEqual(['admin key/admin/*', 'ro/read/acme']);
  }, 60_000);

  it('writes --expires-at and --types into the store too, checked as the server checks them', async () => {
    // 30 days from the real now, to the second: the store is written with the real clock.
    const expires = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000).toISOString();
    const limits = ['--expires-at', expires, '--types', 'api.request', '--db', db, '--json'];
    const r = await cli(['keys', 'create', '--role', 'read', '--org', 'acme', ...limits], {});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      orgs: ['acme'],
      expires_at: expires,
      types: ['api.request'],
    });
    const past = await cli(
      [
        'keys',
        'create',
        '--role',
        'read',
        '--org',
        'acme',
        '--expires-at',
        '2001-01-01T00:00:00Z',
        '--db',
        db,
      ],
      {},
    );
    expect([past.code, past.err.trim()]).toEqual([1, '--expires-at must be in the future']);
  });

  it('says to stop the server (or use it) when another process holds the file', async () => {
    const store = await createStore(readConfig({ TALLY_DB: db }));
    try {
      // Another process: DuckDB's file lock is between processes.
      const r = await tally(['keys', 'create', '--role', 'admin', '--orgs', '*', '--db', db]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Cannot open ${db} directly:`);
      expect(r.err).toContain(
        'If a Tally server holds it, stop the server first, or create the key through it with --url',
      );
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('client commands say what is missing', () => {
  it('names TALLY_URL when no server answers, and TALLY_KEY when no key was given', async () => {
    const down = await cli(['orgs', '--url', 'http://127.0.0.1:9'], { TALLY_KEY: 'k' });
    expect(down.err).toContain('Cannot reach Tally at http://127.0.0.1:9');
    expect(down.err).toContain('Point --url or TALLY_URL at it');
    const store = await createStore(readConfig({ TALLY_DB: ':memory:' }));
    const app = await createApp({ store, clock: () => NOW }, []);
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const noKey = await cli(['orgs'], { TALLY_URL: url });
      expect(noKey.code).toBe(1);
      expect(noKey.err).toContain('401 unauthenticated');
      expect(noKey.err).toContain('No key was given: pass --key <key> or set TALLY_KEY');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
