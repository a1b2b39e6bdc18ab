/**
 * Issue 26, point 8: start-up and corruption errors keep their cause. A file DuckDB cannot
 * open is reported with its path and DuckDB's reason (and the lock holder's pid for a file
 * another process has open), through the CLI's own output; a checksum failure met while
 * serving turns /healthz into 503 with the reason, for good. Real files, a real second
 * process holding the lock, and real bytes overwritten in a real database file.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { operatorMessage, StoreError } from '../../src/core/errors.js';
import { runCli } from '../../src/cli/program.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import { NOW, relApp } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-start-up-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The operator text of opening `path`, or null when it opened. */
async function openText(path: string): Promise<string | null> {
  try {
    const s = await DuckDbStore.open({ path, upkeep: false });
    await s.close();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    // Clients still get the generic sentence: the path is for the operator only.
    expect((err as StoreError).message).toBe('The DuckDB file could not be opened.');
    return operatorMessage(err);
  }
}

/** A checkpointed file of 80,000 events in org `a` (dims.x distinct per event). */
async function goodFile(path: string): Promise<void> {
  const s = await DuckDbStore.open({ path, upkeep: false, clock: () => NOW });
  await s.init();
  for (let b = 0; b < 4; b++)
    await s.ingest(
      Array.from({ length: 20_000 }, (_, k) => ({
        org: 'a',
        id: `e${b}-${k}`,
        type: 'activity',
        ts: NOW - 86_400_000 + k * 1000,
        actor: `u${k % 500}`,
        value: 1,
        dims: { x: `v${b}-${k}` },
      })),
    );
  await s.close(); // closing checkpoints: everything is in the file, no WAL
}

describe('start-up errors name the file and DuckDB’s reason (issue 26.8)', () => {
  it('a garbage header and a truncated file: path and reason, also as the CLI prints them', async () => {
    const garbage = join(dir, 'garbage.duckdb');
    writeFileSync(garbage, Buffer.alloc(20_000, 7));
    const text = await openText(garbage);
    expect(text).toContain(`The DuckDB file ${garbage} could not be opened`);
    expect(text).toContain('not a valid DuckDB database file');

    const good = join(dir, 'good.duckdb');
    await goodFile(good);
    const truncated = join(dir, 'truncated.duckdb');
    writeFileSync(truncated, readFileSync(good).subarray(0, 6000));
    const cut = await openText(truncated);
    expect(cut).toContain(`The DuckDB file ${truncated} could not be opened`);
    expect(cut).toMatch(/DuckDB said: \w+ Error: .+/);

    const err: string[] = [];
    const code = await runCli(['serve'], {
      out: () => undefined,
      err: (t) => err.push(t),
      env: { TALLY_DB: garbage, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    });
    expect(code).toBe(1);
    expect(err.join('')).toContain(`The DuckDB file ${garbage} could not be opened`);
    expect(err.join('')).toContain('not a valid DuckDB database file');
  }, 60_000);

  it('a file another process has open: the lock holder’s pid', async () => {
    const path = join(dir, 'locked.duckdb');
    await goodFile(path);
    const script = `import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect();
      process.stdout.write('ready\\n'); setTimeout(() => {}, 60000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const text = await openText(path);
      expect(text).toContain(
        `The DuckDB file ${path} could not be opened: another process (pid ${child.pid}) has it open`,
      );
      expect(text).toContain(`(PID ${child.pid})`); // DuckDB's own words follow
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('a corrupt block met while serving (issue 26.8)', () => {
  it('/healthz answers 503 with the reason from the first failed read on, and reads answer 503', async () => {
    const base = join(dir, 'base.duckdb');
    await goodFile(base);
    const size = statSync(base).size;
    // 16 KiB of garbage where the store still starts but a full read meets it: found by trying
    // offsets (the file's layout is DuckDB's); some offsets hit what start-up reads and fail there.
    for (let off = 12_288; off + 16_384 <= size; off += 65_536) {
      const path = join(dir, `corrupt-${off}.duckdb`);
      copyFileSync(base, path);
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(16_384, 0x5a), 0, 16_384, off);
      closeSync(fd);
      let store: DuckDbStore;
      try {
        store = await DuckDbStore.open({ path, upkeep: false, clock: () => NOW });
        await store.init();
      } catch (err) {
        // Start-up met it: the reason is printed (operatorMessage keeps DuckDB's words).
        expect(operatorMessage(err)).toMatch(/Corrupt database file|checksum/);
        continue;
      }
      const t = await relApp({ store, closeStore: true });
      try {
        expect((await t.call('GET', '/healthz', { key: null })).statusCode).toBe(200);
        const read = await t.call(
          'GET',
          '/v1/query?org=a&from=2026-11-18&to=2026-11-20&bucket=none&group_by=dims.x&top=1',
        );
        if (read.statusCode === 200) continue; // this offset hit nothing a read needs
        expect(read.statusCode, read.body).toBe(503);
        const health = await t.call('GET', '/healthz', { key: null });
        expect(health.statusCode).toBe(503);
        const body = health.json<{ status: string; reason: string }>();
        expect(body.status).toBe('unhealthy');
        expect(body.reason).toMatch(
          /^The store's file is corrupt: .*Corrupt database file.*Restore it from a backup/,
        );
        expect(body.reason).not.toContain(dir);
        // It stays unhealthy: a corrupt file does not heal.
        expect((await t.call('GET', '/healthz', { key: null })).statusCode).toBe(503);
        return;
      } finally {
        await t.close();
      }
    }
    throw new Error('no offset gave a store that starts and then fails a read');
  }, 120_000);
});
