/**
 * `npx tsx bench/limits.ts`: the figures of docs/reliability.md "Limits" for the query bounds
 * (issue 26): the heaviest queries the bounds allow, each timed on a real listening server with
 * the process's RSS sampled, and /healthz polled throughout to show what a concurrent client
 * waits. The fixture is the reproduction: org `big`, 2,000 actors, actor k with one
 * `activity` at hour k of the 5,000 hours before now. In-memory DuckDB; prints one line per query.
 */
import http from 'node:http';
import { createApp } from '../src/http/app.js';
import { DuckDbStore } from '../src/store/duckdb/store.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;
const TO = Math.floor(NOW / HOUR) * HOUR + HOUR;
const FROM = TO - 5000 * HOUR;
const ADMIN = 'bench-limits-admin-key-0123456789';
const actor = (k: number): string => `u${String(k).padStart(4, '0')}`;
const iso = (ms: number): string => new Date(ms).toISOString();

const store = await DuckDbStore.open({ path: ':memory:', clock: () => NOW, readers: 2 });
await store.init();
await store.ingest(
  Array.from({ length: 2000 }, (_, k) => ({
    org: 'big',
    id: `a${k}`,
    type: 'activity',
    ts: FROM + k * HOUR + 60_000,
    actor: actor(k),
    value: 1,
    dims: {},
  })),
);
const app = await createApp({ store, clock: () => NOW, adminKey: ADMIN }, []);
const base = await app.listen({ port: 0, host: '127.0.0.1' });

const forty = encodeURIComponent(
  JSON.stringify([['in', 'actor', Array.from({ length: 40 }, (_, k) => actor(k))]]),
);
const QUERIES: Record<string, string> = {
  'zero fill, 40 actors x 5,000 hours (200,000 points, the bound)': `/v1/query?org=big&bucket=hour&from=${iso(FROM)}&to=${iso(TO)}&group_by=actor&filters=${forty}`,
  'rolling unique, 1,000 actors x 900 hours + 99 (999,000 cells), top 100': `/v1/query?org=big&bucket=hour&from=${iso(FROM)}&to=${iso(FROM + 900 * HOUR)}&group_by=actor&agg=unique&of=actor&window=rolling&window_size=100&window_unit=hour&top=100`,
  'the issue 26 reproduction (2,000 actors x 4,999 hours): refused':
    '/v1/query?org=big&bucket=hour&last=4999h&group_by=actor',
};

/** One /healthz round trip on a fresh connection, in ms. */
function healthz(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/healthz`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          resolve(performance.now() - start);
        });
      })
      .on('error', reject);
  });
}

for (const [name, url] of Object.entries(QUERIES)) {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let done = false;
  const waits: number[] = [];
  const start = performance.now();
  const answer = fetch(base + url, { headers: { authorization: `Bearer ${ADMIN}` } })
    .then(async (r) => [r.status, (await r.text()).length] as const)
    .finally(() => {
      done = true;
    });
  while (!done) {
    waits.push(await healthz());
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 10));
  }
  const [status, bytes] = await answer;
  const ms = Math.round(performance.now() - start);
  waits.sort((a, b) => a - b);
  const mib = (b: number): number => Math.round(b / 2 ** 20);
  const p50 = Math.round(waits[Math.floor(waits.length / 2)] ?? 0);
  const max = Math.round(waits.at(-1) ?? 0);
  console.log(
    `${name}: HTTP ${status}, ${bytes} bytes, ${ms} ms; RSS ${mib(rss0)} -> peak ${mib(peak)} MiB; ` +
      `/healthz n=${waits.length} p50 ${p50} ms, max ${max} ms`,
  );
}
await app.close();
await store.close();
