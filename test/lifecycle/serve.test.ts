/**
 * `npm start` with TALLY_RETENTION_DAYS: the server default reaches the API,
 * the retention job starts with the server and stops with it (SIGTERM still
 * exits 0), and a bad value stops start-up with a message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../e2e/server.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-serve-life-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('serve with TALLY_RETENTION_DAYS', () => {
  it('shows the server default, and shuts down cleanly with the job running', async () => {
    const s = await startServer({
      TALLY_DB: join(dir, 'a.duckdb'),
      TALLY_ADMIN_KEY: 'serve-admin-0123456789abcdef',
      TALLY_RETENTION_DAYS: '30',
    });
    try {
      const auth = {
        authorization: 'Bearer serve-admin-0123456789abcdef',
        'content-type': 'application/json',
      };
      const put = await fetch(`${s.url}/v1/orgs/acme`, { method: 'PUT', headers: auth, body: '{}' });
      expect(put.status).toBe(200);
      const r = await fetch(`${s.url}/v1/orgs/acme/retention`, { headers: auth });
      expect(await r.json()).toEqual({
        org: 'acme',
        days: null,
        effective: { days: 30, source: 'server', from: null },
      });
    } finally {
      s.signal('SIGTERM');
    }
    expect(await s.exited).toBe(0);
  });

  it('refuses to start with a bad value', async () => {
    await expect(
      startServer({ TALLY_DB: join(dir, 'b.duckdb'), TALLY_RETENTION_DAYS: 'a week' }, 20_000),
    ).rejects.toThrow(/TALLY_RETENTION_DAYS: must be a whole number of days/);
  });
});
