/**
 * The first start, as an operator meets it (CONTRACT §1): `npm start` on an empty
 * store writes no data it was not sent. It says how to send a first event and how
 * to see the demo, and prints the first admin key last. After it stops, the file
 * holds no org and no event. A second start on the same store says how to make a
 * new admin key instead of printing one, and the event from the hint is accepted.
 */
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { readConfig } from '../../src/cli/config.js';
import { everything } from '../../src/demo/load.js';
import { startServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-first-run-'));
const db = join(dir, 'tally.duckdb');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The store's orgs, events and keys, read from the stopped server's file. */
async function contents(): Promise<{ orgs: number; events: number; keys: number }> {
  const store = await createStore(readConfig({ TALLY_DB: db }));
  try {
    const orgs = (await store.listOrgs()).map((o) => o.id);
    const events = orgs.length === 0 ? 0 : (await store.listEvents(everything(orgs), 10)).length;
    return { orgs: orgs.length, events, keys: (await store.listKeys()).length };
  } finally {
    await store.close();
  }
}

describe('npm start on an empty store', () => {
  let adminKey = '';
  let hintEvent = '';

  it('serves the store as it is, says what to do next, and prints the admin key last', async () => {
    const s = await startServer({ TALLY_DB: db });
    try {
      for (let i = 0; i < 200 && !/\n\s+tly_\S+\s*$/.test(s.output()); i++)
        await new Promise((r) => setTimeout(r, 50));
      const out = s.output();
      expect(out).toContain(`Dashboard: ${s.url}/`);
      expect(out).toContain('The store is empty. Send a first event');
      expect(out).toContain(`curl -s ${s.url}/v1/events`);
      expect(out).toContain('npm run demo');
      expect(out).not.toMatch(/demo dataset \[|Loaded the demo/);
      // The key is the last thing printed, on a line of its own.
      adminKey = /admin key over all orgs was created.*\n\s+(tly_\S+)\s*$/.exec(out)?.[1] ?? '';
      expect(adminKey).toMatch(/^tly_/);
      hintEvent = /-d '(\{.*\})'/.exec(out)?.[1] ?? '';
      expect(JSON.parse(hintEvent)).toMatchObject({ id: 'evt-1', org: 'acme' });

      const orgs = await fetch(`${s.url}/v1/orgs`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(orgs.status).toBe(200);
      expect(await orgs.json()).toEqual({ orgs: [] });
    } finally {
      s.signal('SIGTERM');
    }
    expect(await s.exited).toBe(0);
    // Nothing but the key was written: no org, no event (and no demo file beside it).
    expect(await contents()).toEqual({ orgs: 0, events: 0, keys: 1 });
    expect(readdirSync(dir).some((f) => f.includes('demo'))).toBe(false);
  }, 60_000);

  it('on a store with keys, says how to make a new admin key, and the hinted event is accepted', async () => {
    const s = await startServer({ TALLY_DB: db });
    try {
      for (let i = 0; i < 200 && !s.output().includes('Lost the admin key?'); i++)
        await new Promise((r) => setTimeout(r, 50));
      const out = s.output();
      expect(out).toContain(
        `Lost the admin key? stop Tally, then run: TALLY_DB=${db} npx tally keys create --role admin --orgs '*'`,
      );
      expect(out).not.toMatch(/tly_/);
      const res = await fetch(`${s.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: hintEvent,
      });
      expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    } finally {
      s.signal('SIGTERM');
    }
    expect(await s.exited).toBe(0);
    expect(await contents()).toEqual({ orgs: 1, events: 1, keys: 1 });
  }, 60_000);

  it('refuses a TALLY_ADMIN_KEY shorter than 24 characters at start-up', async () => {
    await expect(startServer({ TALLY_DB: db, TALLY_ADMIN_KEY: 'hunter2' }, 90_000)).rejects.toThrow(
      /TALLY_ADMIN_KEY: is 7 characters long; an admin key over every org needs at least 24/,
    );
  }, 120_000);

  it('names the port and PORT when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(
        startServer({ TALLY_DB: join(dir, 'port.duckdb'), PORT: String(port) }, 90_000),
      ).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use by another process. Stop that process, or set PORT (or --port) to a free port.`,
      );
    } finally {
      taken.close();
    }
  }, 120_000);
});
