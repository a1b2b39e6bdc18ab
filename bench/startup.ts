/**
 * `npx tsx bench/startup.ts --store <file>`: how long the real server takes to
 * answer /healthz on a copy of a stored DuckDB file, its RSS then, and what
 * dedupe costs at the largest org: one batch of 1,000 stored events retried
 * (all duplicates, so every one is settled by the exact check) and one of
 * 1,000 new events. The server starts twice on the same copy: first with no
 * dedupe filter file next to it (a store from before the filter, or one whose
 * file was lost), then after a clean stop has written one. docs/benchmarks.md
 * has the figures; `--root` runs another checkout's server (e.g. main's) for a
 * before/after comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DuckDBInstance } from '@duckdb/node-api';

const ADMIN = 'startup-admin-secret-0123456789';

interface Server {
  url: string;
  proc: ChildProcess;
  pid: number;
  /** Spawn to the first 200 from /healthz, in ms. */
  healthyMs: number;
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kb ? Number(kb[1]) / 1024 : NaN;
}

async function startServer(root: string, db: string, env: Record<string, string>): Promise<Server> {
  const t0 = performance.now();
  const proc = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src/cli/main.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', TALLY_DB: db, TALLY_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const m = /listening on (http:\/\/\S+) .*pid (\d+)/.exec(out);
    if (m) {
      const res = await fetch(`${m[1]}/healthz`).catch(() => null);
      if (res?.status === 200)
        return { url: m[1]!, proc, pid: Number(m[2]), healthyMs: performance.now() - t0 };
    }
    if (proc.exitCode !== null) throw new Error(`the server did not start:\n${out}`);
  }
}

/** Wait (at most 10 minutes) for a file to exist; ms waited. */
async function waitFor(path: string): Promise<number> {
  const t0 = performance.now();
  while (!existsSync(path) && performance.now() - t0 < 600_000) await new Promise((r) => setTimeout(r, 100));
  return Math.round(performance.now() - t0);
}

async function stop(s: Server): Promise<void> {
  const done = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await done;
}

async function post(s: Server, events: unknown[]): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  const body: unknown = await res.json();
  return { ms: performance.now() - t0, body };
}

/** 1,000 stored events of the largest org, as a client would send them again. */
async function storedBatch(db: string): Promise<{ org: string; rows: number; events: unknown[] }> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const top = (
      await conn.runAndReadAll('SELECT org, count(*) AS n FROM events GROUP BY org ORDER BY n DESC LIMIT 1')
    ).getRowObjectsJS()[0]!;
    const rows = (
      await conn.runAndReadAll(
        'SELECT org, id, type, ts, actor, value FROM events WHERE org = $1 ORDER BY hash(id) LIMIT 1000',
        [top['org'] as string],
      )
    ).getRowObjectsJS();
    const events = rows.map((r) => ({
      org: r['org'],
      id: r['id'],
      type: r['type'],
      time: Number(r['ts']) / 1000,
      ...(r['actor'] === null ? {} : { actor: r['actor'] }),
      value: r['value'],
    }));
    return { org: top['org'] as string, rows: Number(top['n']), events };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const o = new Command()
    .requiredOption('--store <file>', 'a stored DuckDB file (copied, never changed)')
    .option('--root <dir>', 'the checkout whose server runs', process.cwd())
    .option('--runs <n>', 'starts with the filter file in place', '2')
    .parse()
    .opts<{ store: string; root: string; runs: string }>();
  const dir = mkdtempSync(join(tmpdir(), 'tally-startup-'));
  const saves = existsSync(join(o.root, 'src/store/duckdb/dedupe-file.ts'));
  const db = join(dir, 'tally.duckdb');
  try {
    copyFileSync(o.store, db);
    const batch = await storedBatch(db);
    console.log(`largest org ${batch.org}: ${batch.rows} events`);
    for (let run = 0; run <= Number(o.runs); run++) {
      const s = await startServer(o.root, db, {});
      const rss = rssMiB(s.pid);
      const retry = await post(s, batch.events);
      const fresh = await post(
        s,
        batch.events.map((e, i) => ({ ...(e as object), id: `startup-${run}-${i}` })),
      );
      await new Promise((r) => setTimeout(r, 2000));
      // A checkout with the saved filter rebuilds it in the background on the first start: wait
      // for its save (the file), or the second start would find none again.
      const rebuildMs = saves ? await waitFor(`${db}.dedupe`) : null;
      console.log(
        JSON.stringify({
          run,
          healthyMs: Math.round(s.healthyMs),
          rssAtHealthyMiB: Math.round(rss),
          rssAfterMiB: Math.round(rssMiB(s.pid)),
          retryMs: Math.round(retry.ms),
          retry: retry.body,
          freshMs: Math.round(fresh.ms),
          fresh: fresh.body,
          rebuildMs,
        }),
      );
      await stop(s);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
