/**
 * Renders bench/RESULTS.md from the collected figures: machine and command, the
 * targets with verdicts (and by how much a miss misses), ingest with its per-commit
 * profile and the compactions it triggered, the initial compaction, every query
 * figure and ratio, layouts, compaction costs, PostgreSQL.
 * Everything here is computed from the run; the discussion lives in docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { MiB, ms } from './lib/timing.js';
import { PHASES } from './phases/ingest-profile.js';
import {
  featureRatios,
  layoutTable,
  orgKeyTable,
  postgresTable,
  queryVerdict,
  suiteTable,
} from './report-queries.js';
import type { BenchResults, CaseRow } from './results.js';
import type { IngestCheck } from './phases/upkeep.js';
import type { ServerUpkeep } from './phases/ingest.js';
import { PERIOD_MS } from '../src/store/duckdb/compaction.js';

const n0 = (x: number): string => Math.round(x).toLocaleString('en');
const GiB = 2 ** 30;

function verdict(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

/** The ingest budget per event: HTTP layer vs the store's commit phases, largest first. */
function heldBack(r: BenchResults): string {
  const ing = r.ingest!;
  const usHttp = 1e6 / ing.http.perSecond;
  const usStore = 1e6 / ing.profile.perSecond;
  const phases = PHASES.map((p) => [p, (ing.profile.phaseMs[p] * 1000) / ing.profile.events] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([p, us]) => `${p} ${us.toFixed(1)}`)
    .join(', ');
  return `${usHttp.toFixed(1)} µs/event over HTTP (150k ev/s allows 6.7): the store's commit path ${usStore.toFixed(1)} µs in-process (largest: ${phases}); the rest, ${(usHttp - usStore).toFixed(1)} µs, is the HTTP layer, of which JSON.parse + validation ${ing.profile.parseValidateUs.toFixed(1)} µs on the one JS thread`;
}

function targets(r: BenchResults): string[] {
  const out = ['| target | measured | verdict |', '|---|---|---|'];
  const ing = r.ingest;
  if (ing) {
    const best = Math.max(...ing.direct.map((d) => d.perSecond));
    const share = ing.http.perSecond / best;
    out.push(
      `| HTTP ingest ≥ 50 % of the raw appender | ${n0(ing.http.perSecond)} ÷ ${n0(best)} ev/s = ${(share * 100).toFixed(0)} % | ${verdict(share >= 0.5)}${share < 0.5 ? ` by ${((0.5 - share) * 100).toFixed(0)} points` : ''} |`,
      `| HTTP ingest ≥ 150k ev/s | ${n0(ing.http.perSecond)} ev/s | ${verdict(ing.http.perSecond >= 150_000)}${ing.http.perSecond < 150_000 ? ` (${(150_000 / ing.http.perSecond).toFixed(1)}× short)` : ''} |`,
      `| (what holds ingest back) | ${heldBack(r)} | |`,
    );
  }
  const cur = r.layouts.find((l) => l.name === 'tally');
  const sorted = r.layouts.find((l) => l.name === 'sorted');
  for (const lf of [cur, sorted]) {
    if (!lf?.cases.some((c) => c.http)) continue;
    const v = lf.cases.map((c) => ({
      c,
      v: queryVerdict(
        c,
        sorted?.cases.find((s) => s.id === c.id && s.label === c.label),
      ),
    }));
    const slow = v.filter((x) => !(x.v.ratioSame <= 1));
    const worst = slow.sort((a, b) => b.v.ratioSame - a.v.ratioSame)[0];
    out.push(
      `| every dashboard query ≤ 1.0× hand-written SQL (${lf.name} layout, same file) | ${v.length - slow.length} of ${v.length} at or below 1.0×${worst ? `; worst ${worst.c.id}/${worst.c.label} ${worst.v.ratioSame.toFixed(2)}×` : ''} | ${verdict(slow.length === 0)} |`,
    );
    const big = v.filter((x) => x.c.label === 'largest');
    const over = big.filter((x) => !(x.v.p95 <= 50));
    out.push(
      `| p95 ≤ 50 ms for the largest org (${lf.name} layout, HTTP) | ${big.length - over.length} of ${big.length} within${over.length ? `; over: ${over.map((x) => `${x.c.id} ${ms(x.v.p95)} ms`).join(', ')}` : ''} | ${verdict(over.length === 0)} |`,
    );
  }
  const rss = Math.max(ing?.http.hwm ?? 0, ...r.layouts.map((l) => l.server?.hwm ?? 0));
  out.push(`| server RSS ≤ 1.5 GiB | peak ${MiB(rss)} | ${verdict(rss <= 1.5 * GiB)} |`);
  return out;
}

function ingestSection(r: BenchResults): string[] {
  const ing = r.ingest;
  if (!ing) return ['Not run.'];
  const h = ing.http;
  const out = [
    `Slice: ${n0(ing.slice)} new events (ids disjoint from the dataset's, times on its last day) into a copy of the ${n0(r.dataset.events)}-event store: the compacted one (\`tally\`, background compaction on, as served) for HTTP and the store in-process, the time-ordered one for the direct routes. Load average at the start of ingest: ${ing && r.load.ingest ? r.load.ingest.join(' ') : '–'}.`,
    '',
    '| route | events/s | details |',
    '|---|---|---|',
    `| **HTTP** (real server, 1,000-event JSON batches, 4 concurrent clients, loopback; acknowledged = durable) | **${n0(h.perSecond)}** | ack p50 ${ms(h.ackP50)} ms, p99 ${ms(h.ackP99)} ms; ${n0(h.accepted)} accepted, ${h.duplicates} duplicates, ${h.failed} failed batches; ${storedOnce(h.check, h.events)}; server start ${(h.serverStartMs / 1000).toFixed(1)} s; RSS peak ${MiB(h.hwm)} |`,
    ...ing.direct.map(
      (d) =>
        `| direct: ${d.route} (one process, no HTTP, durable at COMMIT; ${n0(d.events)} events) | ${n0(d.perSecond)} | append ${d.appendS.toFixed(2)} s, INSERT ${d.insertS.toFixed(2)} s, COMMIT ${d.commitS.toFixed(2)} s; ${n0(d.stored)} stored |`,
    ),
    `| store in-process (DuckDbStore.ingest, 4 concurrent submitters, no HTTP, background upkeep on) | ${n0(ing.profile.perSecond)} | ${ing.profile.commits} commits, ${n0(ing.profile.eventsPerCommit)} events each; ${storedOnce(ing.profile.upkeep.check, ing.profile.events)}; store start (fingerprints + first-seen of the stored events) ${(ing.profile.initMs / 1000).toFixed(1)} s |`,
    '',
    ...upkeepLines(r),
    '',
    `Ratio HTTP ÷ best direct route: **${(h.perSecond / Math.max(...ing.direct.map((d) => d.perSecond))).toFixed(2)}**.`,
    '',
    `Per-commit breakdown (${ing.profile.commits} commits at ${n0(r.dataset.events)} stored events; src/store/duckdb/ingest.ts; the upkeep's statements on the same lane are not in it):`,
    '',
    '| phase | total ms | share | µs per event | per commit p50 / max (ms) |',
    '|---|---|---|---|---|',
  ];
  const total = PHASES.reduce((a, p) => a + ing.profile.phaseMs[p], 0);
  for (const p of PHASES) {
    const v = ing.profile.phaseMs[p];
    const pc = ing.profile.perCommit[p];
    out.push(
      `| ${p} | ${n0(v)} | ${((100 * v) / total).toFixed(0)} % | ${((v * 1000) / ing.profile.events).toFixed(2)} | ${ms(pc.p50)} / ${ms(pc.max)} |`,
    );
  }
  const pt = ing.profile.perCommit.total;
  out.push(
    `| **commit total** | ${n0(total)} | 100 % | ${((total * 1000) / ing.profile.events).toFixed(2)} | ${ms(pt.p50)} / ${ms(pt.max)} |`,
  );
  const usHttp = 1e6 / h.perSecond;
  const usStore = 1e6 / ing.profile.perSecond;
  out.push(
    '',
    `Per event: HTTP ${usHttp.toFixed(1)} µs of wall time, of which the store's commit path accounts for ${usStore.toFixed(1)} µs (in-process rate) and the HTTP layer for the rest (${(usHttp - usStore).toFixed(1)} µs). JSON.parse + validateBatch alone cost ${ing.profile.parseValidateUs.toFixed(1)} µs per event on the server's one JS thread, before the store sees the batch.`,
  );
  return out;
}

/** "N found stored afterwards, once each" (or how many twice). */
function storedOnce(c: IngestCheck, events: number): string {
  const twice = c.stored - c.unique;
  const all = c.stored === events && twice === 0;
  return `${n0(c.stored)} found stored afterwards${twice > 0 ? `, **${n0(twice)} of them twice**` : ', once each'}${all ? '' : ` (**${n0(events - c.unique)} of ${n0(events)} missing**)`}`;
}

const periodDay = (period: number): string => new Date(period * PERIOD_MS).toISOString().slice(0, 10);

/** Where compaction stands in a file: watermark, tail, runs of the slice's periods. */
function stateText(c: IngestCheck): string {
  const runs = c.state.runs.map((x) => `${x.runs} in the period from ${periodDay(x.period)}`).join(', ');
  return `tail left ${n0(c.state.tail)} rows; sorted runs: ${runs || 'none recorded'}`;
}

/** The server's upkeep counters (GET /metrics) at the end of the HTTP run. */
function httpUpkeep(u: ServerUpkeep | null): string {
  if (!u) return 'the server did not report its upkeep (no tally_store_* metrics)';
  return `**${u.compactions} compaction passes** by the last acknowledgement (GET /metrics), ${n0(u.compactedRows)} rows sorted, last pass ${u.lastCompactionSeconds.toFixed(2)} s, ${u.checkpoints} checkpoints${u.longestHoldSeconds === null ? '' : `, longest commit wait behind upkeep (one step holding the write lane) **${u.longestHoldSeconds.toFixed(2)} s**`}${u.failing ? ', **upkeep failing**' : ''}`;
}

/** The store's background compaction during the ingest runs. */
function upkeepLines(r: BenchResults): string[] {
  const ing = r.ingest!;
  const u = ing.profile.upkeep;
  const last = u.lastCompaction;
  return [
    `Compaction during ingest (the store's own background upkeep: a pass when the unsorted tail passes 262,144 rows, CHECKPOINT after each pass and after 1 s without writes):`,
    '',
    `- in-process: **${u.compactions} compaction passes**, ${n0(u.compactedRows)} rows sorted${last ? ` (last pass ${n0(last.rows)} rows in ${last.periods} period(s), ${last.merged} merged, ${(last.ms / 1000).toFixed(2)} s)` : ''}, ${u.checkpoints} checkpoints, longest commit wait behind upkeep (one step holding the write lane) **${(u.longestHoldMs / 1000).toFixed(2)} s**; the upkeep's statements held the write lane ${(u.laneMsRun / 1000).toFixed(1)} s of the run's ${ing.profile.seconds.toFixed(1)} s, and ${((u.laneMs - u.laneMsRun) / 1000).toFixed(1)} s more after it until close (a pass in progress and the closing CHECKPOINT); ${stateText(u.check)}${u.lastError ? `; **last upkeep error: ${u.lastError}**` : ''}.`,
    `- HTTP: ${httpUpkeep(ing.http.upkeep)}; the file after the server stopped: ${stateText(ing.http.check)}.`,
  ];
}

/** A sentence per missed query: where its time goes, layer by layer. */
function queryMisses(cases: CaseRow[]): string[] {
  return cases
    .filter((c) => c.http && c.hand && c.http.p50 > c.hand.p50)
    .map((c) => {
      const sql = c.inproc?.sqlP50 ?? NaN;
      const inproc = c.inproc?.p50 ?? NaN;
      return `- ${c.id}/${c.label}: HTTP ${ms(c.http!.p50)} ms vs hand SQL ${ms(c.hand!.p50)} ms (${(c.http!.p50 / c.hand!.p50).toFixed(2)}×). In-process ${ms(inproc)} ms, of which the engine's ${c.inproc?.statements ?? '?'} statement(s) ran ${ms(sql)} ms (wall clock) → engine SQL ${(sql / c.hand!.p50).toFixed(2)}× hand SQL; JS and presenter ≈ ${ms(Math.max(0, inproc - sql))} ms; HTTP ≈ ${ms(Math.max(0, c.http!.p50 - inproc))} ms.`;
    });
}

/** The initial compaction: a store upgraded or loaded in time order, compacted once by DuckDbStore.compact(). */
function initialCompaction(r: BenchResults): string[] {
  const c = r.initialCompaction;
  if (!c) return ['Not run.'];
  return [
    `The cached time-ordered file (${n0(r.dataset.events)} events, the whole table one unsorted tail) copied and opened as the store with upkeep off (start ${c.openSeconds.toFixed(1)} s), then one \`DuckDbStore.compact({ mergeClosed: true })\` timed, as the store runs it once writes pause: the tail sorted period by period, then the closed periods (ended over 30 days before the run) merged into one run; its CHECKPOINT included (${c.at}, load average ${c.load.join(' ')}):`,
    '',
    '| seconds | rows sorted | periods (30 days) | closed periods merged: rows / transactions | longest transaction (write lane held) | row groups after | file before → after |',
    '|---|---|---|---|---|---|---|',
    `| **${c.seconds.toFixed(1)}** | ${n0(c.rows)} | ${c.periods} | ${n0(c.mergedRows ?? 0)} / ${c.mergeChunks ?? 0} | ${c.longestHoldMs === undefined ? '–' : `${(c.longestHoldMs / 1000).toFixed(2)} s`} | ${c.rowGroups} | ${MiB(c.bytesBefore)} → ${MiB(c.bytes)} |`,
  ];
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const d = r.dataset;
  const orgLines = Object.entries(d.orgEvents)
    .filter(([k]) => k !== '_rowGroups')
    .map(
      ([org, types]) =>
        `org ${org}: ${n0(Object.values(types).reduce((a, b) => a + b, 0))} events (${Object.entries(types)
          .map(([k, v]) => `${k} ${n0(v)}`)
          .join(', ')})`,
    );
  const cur = r.layouts.find((l) => l.name === 'tally');
  const sorted = r.layouts.find((l) => l.name === 'sorted');
  const lines = [
    '# Benchmark results',
    '',
    `Generated by \`${r.command}\` (bench/run.ts), ${r.startedAt} – ${r.finishedAt}. Discussion and how to read this: [docs/benchmarks.md](../docs/benchmarks.md).`,
    '',
    `- **Machine:** ${m.cpus} cores (${m.model}), ${m.memGiB} GiB, ${m.os}, kernel ${m.kernel}, Node ${m.node}, ${m.duckdb}. Shared with other engineers' test runs: load average ${r.load.start.join(' ')} at the start, ${r.load.end.join(' ')} at the end.`,
    `- **Dataset:** ${n0(d.events)} events, ${n0(d.actors)} actors, ${d.orgs} orgs (Zipf(1), 90 sub-orgs), ${d.params.days} days to ${new Date(d.params.end).toISOString().slice(0, 10)}, seed ${d.params.seed}; ${d.cached ? 'cached file reused' : `generated and loaded in ${d.buildSeconds.toFixed(1)} s`} (${MiB(d.bytes)}).`,
    `- **Queried orgs:** ${orgLines.join('; ')}.`,
    `- **Timing:** 1 warm-up + ${r.runs} timed runs each; p50/p95 nearest rank; at the client, rows materialised (hand SQL: JS objects; Tally: the parsed JSON).`,
    '',
    '## Targets',
    '',
    ...targets(r),
    '',
    '## Ingest',
    '',
    ...ingestSection(r),
    '',
    '## Initial compaction (the time-ordered store, compacted once)',
    '',
    ...initialCompaction(r),
    '',
    `## Queries on the store's layout (\`tally\`: ${cur?.description ?? 'not measured'})`,
    '',
    ...(cur?.cases.length ? suiteTable(cur, sorted) : ['Not run.']),
    '',
    ...(cur ? featureRatios(cur) : []),
    `Server RSS during these queries: peak ${MiB(cur?.server?.hwm ?? NaN)}; start-up ${((cur?.server?.startMs ?? NaN) / 1000).toFixed(1)} s.`,
    '',
    'Where the time goes where Tally is slower than the hand-written SQL:',
    '',
    ...queryMisses(cur?.cases ?? []),
    '',
    '## Queries on the clustered layout (events sorted by org_no, type, ts)',
    '',
    ...(sorted?.cases.length ? suiteTable(sorted, sorted) : ['Not run.']),
    '',
    ...(sorted ? featureRatios(sorted) : []),
    `Server RSS during these queries: peak ${MiB(sorted?.server?.hwm ?? NaN)}.`,
    '',
    ...queryMisses(sorted?.cases ?? []),
    '',
    '## Physical layout',
    '',
    ...layoutTable(r),
    '',
    ...orgKeyTable(r),
    '',
    '## Compaction costs (in place, one transaction, on a copy of the store)',
    '',
    '| compaction | rows rewritten | seconds |',
    '|---|---|---|',
    ...r.compaction.map((c) => `| ${c.what} | ${n0(c.rows)} | ${c.seconds.toFixed(2)} |`),
    '',
    '## PostgreSQL 15 (the usual alternative)',
    '',
    ...postgresTable(r),
    '',
    '## Notes',
    '',
    ...(r.notes.length ? r.notes.map((x) => `- ${x}`) : ['- Every answer agreed with the hand-written SQL.']),
    '',
  ];
  return lines.join('\n');
}

export function writeReport(path: string, r: BenchResults): void {
  writeFileSync(path, renderReport(r));
}
