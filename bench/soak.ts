/**
 * `npm run soak`: a long mixed load against a real server (opt-in, not in CI).
 *
 * Starts `tally serve` on a fresh DuckDB file, then runs, for a configurable
 * time, ingest workers (batches at a target event rate, one in ten a retry of
 * an earlier batch) and query workers (a rotation over the native API and the
 * five compatibility APIs). Event ids cycle through `--ids` distinct values
 * (50,000 by default; 0 for no bound): once all are stored, every batch is a
 * retry, the data stops growing, and memory should stop growing with it.
 * Every window it records throughput, p50/p99 latency and the server's RSS
 * (and its JS heap, from /metrics). At the end it says whether RSS stayed
 * flat: the median RSS of the last tenth of the run may exceed the median at
 * 30-40 % of the run by at most 10 % + 16 MiB (docs/reliability.md).
 *
 *   npm run soak -- --seconds 600 --rate 2000 --ingesters 4 --queriers 4 --out soak.json
 *
 * Exit code 1 when RSS did not stay flat or a request failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchOf, ORGS, queries } from './soak-load.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0
    ? Number(process.argv[i + 1])
    : Number(process.env[`TALLY_SOAK_${name.toUpperCase()}`] ?? fallback);
};
const SECONDS = arg('seconds', 120);
const RATE = arg('rate', 2000);
const BATCH = arg('batch', 100);
const INGESTERS = arg('ingesters', 2);
const QUERIERS = arg('queriers', 4);
const WINDOW = arg('window', Math.max(5, Math.round(SECONDS / 12)));
/** Distinct event ids: once they are all stored, every batch is a retry and the data stops growing. 0: no bound. */
const IDS = arg('ids', 50_000);
const outIdx = process.argv.indexOf('--out');
const OUT = outIdx > 0 ? process.argv[outIdx + 1] : undefined;

const ADMIN = 'soak-admin-secret-0123456789';

interface Window {
  t: number;
  events: number;
  ingestMs: number[];
  queries: number;
  queryMs: number[];
  rssMiB: number;
  failures: number;
}

function startServer(db: string): Promise<{ url: string; proc: ChildProcess; pid: number }> {
  const proc = spawn(join('node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      TALLY_DB: db,
      TALLY_ADMIN_KEY: ADMIN,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+) .*pid (\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({ url: m[1]!, proc, pid: Number(m[2]) });
      } else if (proc.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the server did not start:\n${out}`));
      }
    }, 50);
  });
}

/** Resident set size of a process in MiB (Linux /proc, else ps). */
function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux
  }
  return (
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    ) / 1024
  );
}

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]): number => pct(xs, 50);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-soak-'));
  const server = await startServer(join(dir, 'tally.duckdb'));
  const call = async (path: string, init: RequestInit): Promise<Response> => fetch(server.url + path, init);
  const keyRes = await call('/v1/keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'soak', role: 'read', orgs: [ORGS[0]] }),
  });
  const readKey = ((await keyRes.json()) as { key: string }).key;
  // The first batch creates every org (each has events), so that queries never ask for a missing one.
  const first = await call('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(batchOf(0, Date.now(), BATCH, IDS)),
  });
  if (first.status !== 200) throw new Error(`the first batch failed: ${await first.text()}`);

  const started = Date.now();
  const until = started + SECONDS * 1000;
  const windows: Window[] = [];
  let cur: Window = { t: 0, events: 0, ingestMs: [], queries: 0, queryMs: [], rssMiB: 0, failures: 0 };
  const rssSamples: { t: number; mib: number }[] = [];
  const heapSamples: { t: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const t = (Date.now() - started) / 1000;
    rssSamples.push({ t, mib: rssMiB(server.pid) });
    // The JS heap, from the server's own /metrics: a leak in Tally's code would show here first.
    if (rssSamples.length % 5 === 0)
      void call('/metrics', {})
        .then((r) => r.text())
        .then((text) => {
          const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text);
          if (m) heapSamples.push({ t, mib: Number(m[1]) / 2 ** 20 });
        })
        .catch(() => undefined);
  }, 1000);
  const roller = setInterval(() => {
    cur.rssMiB = rssMiB(server.pid);
    windows.push(cur);
    const w = cur;
    console.log(
      `t=${String(Math.round((Date.now() - started) / 1000)).padStart(5)}s  ingest ${(w.events / WINDOW).toFixed(0).padStart(6)} ev/s p99 ${pct(w.ingestMs, 99).toFixed(1).padStart(6)} ms  queries ${(w.queries / WINDOW).toFixed(1).padStart(6)}/s p99 ${pct(w.queryMs, 99).toFixed(1).padStart(7)} ms  RSS ${w.rssMiB.toFixed(0)} MiB${w.failures ? `  FAILURES ${w.failures}` : ''}`,
    );
    cur = {
      t: Math.round((Date.now() - started) / 1000),
      events: 0,
      ingestMs: [],
      queries: 0,
      queryMs: [],
      rssMiB: 0,
      failures: 0,
    };
  }, WINDOW * 1000);

  let shown = 0;
  const failed = async (what: string, res: Response | null, text?: string): Promise<void> => {
    cur.failures++;
    if (shown++ < 5)
      console.error(
        `failed: ${what} -> ${res?.status ?? 'no answer'} ${(text ?? (await res?.text()) ?? '').slice(0, 200)}`,
      );
  };
  let seq = 1;
  const perWorkerGap = (BATCH / RATE) * INGESTERS * 1000;
  const ingester = async (): Promise<void> => {
    while (Date.now() < until) {
      const t0 = performance.now();
      // One batch in ten repeats an earlier one: retries must stay cheap and count nothing twice.
      const n = seq > 10 && Math.random() < 0.1 ? Math.floor(Math.random() * seq) : seq++;
      const res = await call('/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(batchOf(n, Date.now(), BATCH, IDS)),
      }).catch(() => null);
      const ms = performance.now() - t0;
      if (res?.status === 200) {
        const r = (await res.json()) as { accepted: number };
        cur.events += r.accepted;
        cur.ingestMs.push(ms);
      } else await failed('POST /v1/events', res);
      await new Promise((r) => setTimeout(r, Math.max(0, perWorkerGap - ms)));
    }
  };
  const querier = async (): Promise<void> => {
    let i = 0;
    while (Date.now() < until) {
      const list = queries(Date.now(), readKey, ADMIN);
      const q = list[i++ % list.length]!;
      const t0 = performance.now();
      const res = await call(q.url, q.init).catch(() => null);
      const text = res?.status === 200 ? await res.text() : '';
      if (text.length > 0 && !text.includes('"success":false')) {
        cur.queries++;
        cur.queryMs.push(performance.now() - t0);
      } else await failed(q.url, res, text);
    }
  };
  await Promise.all([
    ...Array.from({ length: INGESTERS }, () => ingester()),
    ...Array.from({ length: QUERIERS }, () => querier()),
  ]);
  clearInterval(sampler);
  clearInterval(roller);
  server.proc.kill('SIGTERM');
  await new Promise((r) => server.proc.on('exit', r));
  rmSync(dir, { recursive: true, force: true });

  const inRange = (xs: { t: number; mib: number }[], a: number, b: number): number[] =>
    xs.filter((s) => s.t >= a * SECONDS && s.t <= b * SECONDS).map((s) => s.mib);
  const afterWarmup = median(inRange(rssSamples, 0.3, 0.4));
  const end = median(inRange(rssSamples, 0.9, 1));
  const heapWarm = median(inRange(heapSamples, 0.3, 0.4));
  const heapEnd = median(inRange(heapSamples, 0.9, 1));
  const flat = end <= afterWarmup * 1.1 + 16;
  const all = windows.flatMap((w) => w.ingestMs);
  const allQ = windows.flatMap((w) => w.queryMs);
  const failures = windows.reduce((s, w) => s + w.failures, 0);
  const summary = {
    seconds: SECONDS,
    targetRate: RATE,
    events: windows.reduce((s, w) => s + w.events, 0),
    eventsPerSecond: windows.reduce((s, w) => s + w.events, 0) / SECONDS,
    ingestP50Ms: pct(all, 50),
    ingestP99Ms: pct(all, 99),
    queries: allQ.length,
    queriesPerSecond: allQ.length / SECONDS,
    queryP50Ms: pct(allQ, 50),
    queryP99Ms: pct(allQ, 99),
    rssAfterWarmupMiB: afterWarmup,
    rssEndMiB: end,
    rssMaxMiB: Math.max(...rssSamples.map((s) => s.mib)),
    heapAfterWarmupMiB: heapWarm,
    heapEndMiB: heapEnd,
    distinctIds: IDS,
    flat,
    failures,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (OUT)
    writeFileSync(
      OUT,
      JSON.stringify(
        {
          summary,
          windows: windows.map((w) => ({
            ...w,
            ingestMs: undefined,
            queryMs: undefined,
            ingestP99: pct(w.ingestMs, 99),
            queryP99: pct(w.queryMs, 99),
          })),
          rss: rssSamples,
          heap: heapSamples,
        },
        null,
        2,
      ),
    );
  process.exit(flat && failures === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
