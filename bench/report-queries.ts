/**
 * The query sections of bench/RESULTS.md: per layout, every (query, org) with the
 * hand-written SQL, Tally in-process (and the engine's own SQL time) and Tally over
 * HTTP, with ratios; the layout comparison; PostgreSQL's figures next to Tally's.
 */
import { ms } from './lib/timing.js';
import type { BenchResults, CaseRow, LayoutFigures } from './results.js';

const key = (c: CaseRow): string => `${c.id}/${c.label}`;
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !(b > 0) ? '–' : `${(a / b).toFixed(2)}×`;
const t = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : ms(x));

/** The target check of one case: ratio to hand SQL ≤ 1.0, and (largest org) p95 ≤ 50 ms. */
export function queryVerdict(
  c: CaseRow,
  best: CaseRow | undefined,
): { ratioSame: number; ratioBest: number; p95: number } {
  return {
    ratioSame: (c.http?.p50 ?? NaN) / (c.hand?.p50 ?? NaN),
    ratioBest: (c.http?.p50 ?? NaN) / (best?.hand?.p50 ?? NaN),
    p95: c.http?.p95 ?? NaN,
  };
}

/** The full-suite table of one layout (on the real server). */
export function suiteTable(lf: LayoutFigures, sorted: LayoutFigures | undefined): string[] {
  const best = new Map((sorted?.cases ?? []).map((c) => [key(c), c]));
  const out = [
    `| query | org | hand SQL p50 / p95 | Tally in-process p50 (engine SQL p50, statements) | Tally HTTP p50 / p95 | HTTP ÷ hand SQL (same file) | HTTP ÷ hand SQL (sorted file) | answers |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of lf.cases) {
    const b = best.get(key(c));
    out.push(
      `| ${c.id}: ${c.title} | ${c.label} (${c.org}) | ${t(c.hand?.p50)} / ${t(c.hand?.p95)} | ${t(c.inproc?.p50)} (${t(c.inproc?.sqlP50)}, ${c.inproc?.statements ?? '–'}) | ${t(c.http?.p50)} / ${t(c.http?.p95)} | ${ratio(c.http?.p50, c.hand?.p50)} | ${ratio(c.http?.p50, b?.hand?.p50)} | ${c.faults.length === 0 ? 'agree' : `**${c.faults.length} difference(s)**`} |`,
    );
  }
  return out;
}

/**
 * Issue 23's target: F1 (every feature) over F0 (the same query without them), per org, on HTTP
 * and in-process p50; the issue asks for at most 2x on the largest org at 10M events.
 */
export function featureRatios(lf: LayoutFigures): string[] {
  const out: string[] = [];
  for (const label of ['largest', 'median']) {
    const f0 = lf.cases.find((c) => c.id === 'F0' && c.label === label);
    const f1 = lf.cases.find((c) => c.id === 'F1' && c.label === label);
    if (!f0 || !f1) continue;
    out.push(
      `- F1 ÷ F0, ${label} org: ${ratio(f1.http?.p50, f0.http?.p50)} over HTTP (p50 ${t(f1.http?.p50)} / ${t(f0.http?.p50)}), ${ratio(f1.inproc?.p50, f0.inproc?.p50)} in-process`,
    );
  }
  return out.length === 0
    ? []
    : ['Issue 23 (every new query feature vs none; target ≤ 2× on the largest org):', '', ...out, ''];
}

/** Native queries across every layout: hand SQL p50, Tally in-process p50, rows scanned by the hand SQL. */
export function layoutTable(r: BenchResults): string[] {
  const ls = r.layouts.filter((l) => l.cases.length > 0);
  const head = ls.map((l) => l.name);
  const out = [
    `| query | org | ${head.map((h) => `${h}: hand / Tally in-proc (ms)`).join(' | ')} | ${head.map((h) => `${h}: rows scanned`).join(' | ')} |`,
    `|---|---|${head.map(() => '---|').join('')}${head.map(() => '---|').join('')}`,
  ];
  const first = ls[0];
  for (const c of first?.cases.filter((x) => x.surface === 'native') ?? []) {
    const per = ls.map((l) => l.cases.find((x) => key(x) === key(c)));
    const scanned = ls.map((l) => l.rowsScanned[key(c)]);
    out.push(
      `| ${c.id} | ${c.label} | ${per.map((x) => `${t(x?.hand?.p50)} / ${t(x?.inproc?.p50)}`).join(' | ')} | ${scanned.map((s) => (s === undefined ? '–' : s.toLocaleString('en'))).join(' | ')} |`,
    );
  }
  out.push('');
  out.push(
    `| layout | what | rewrite (s) | file | row groups |`,
    '|---|---|---|---|---|',
    ...r.layouts.map(
      (l) =>
        `| ${l.name} | ${l.description} | ${l.rewriteSeconds === null ? '–' : l.rewriteSeconds.toFixed(1)} | ${(l.bytes / 2 ** 20).toFixed(0)} MiB | ${l.rowGroups} |`,
    ),
  );
  return out;
}

/** The integer org key prototype: Q2's scan by the org string vs by an integer org number. */
export function orgKeyTable(r: BenchResults): string[] {
  const k = r.orgKey;
  if (!k) return [];
  return [
    `String zone maps compare 8-byte prefixes, so \`org = '1'\` cannot skip the row groups of orgs \`10\`…\`199\`. The clustered layout again with an integer org number (same order), Q2's scan filtered by it (hand SQL, 10 runs, ${k.at}, load ${k.load.join(' ')}):`,
    '',
    '| org | by org string: rows scanned / p50 ms | by integer org number: rows scanned / p50 ms |',
    '|---|---|---|',
    ...k.figures.map(
      (f) =>
        `| ${f.org} | ${f.byString.rowsScanned.toLocaleString('en')} / ${t(f.byString.p50)} | ${f.byInteger.rowsScanned.toLocaleString('en')} / ${t(f.byInteger.p50)} |`,
    ),
  ];
}

/** PostgreSQL next to Tally (HTTP, the store's layout `tally`) and DuckDB hand SQL. */
export function postgresTable(r: BenchResults): string[] {
  const pg = r.postgres;
  if (!pg) return ['Not run (`--with-postgres` runs it).'];
  const cur = r.layouts.find((l) => l.name === 'tally');
  const out = [
    `- Load: COPY of ${pg.load.events.toLocaleString('en')} events with both indexes in place: ${pg.load.copySeconds.toFixed(1)} s = **${Math.round(pg.load.copyPerSecond).toLocaleString('en')} ev/s**; VACUUM ANALYZE ${pg.load.analyzeSeconds.toFixed(1)} s. Table ${(pg.load.tableBytes / 2 ** 20).toFixed(0)} MiB + indexes ${(pg.load.indexBytes / 2 ** 20).toFixed(0)} MiB.`,
    `- Ingest slice, app-style 1,000-row INSERT … ON CONFLICT DO NOTHING from 4 connections: **${Math.round(pg.ingest.perSecond).toLocaleString('en')} ev/s**, p50 ${t(pg.ingest.ackP50)} ms, p99 ${t(pg.ingest.ackP99)} ms per batch.`,
    `- Serving backend peak RSS during the queries: ${(pg.backendPeak / 2 ** 20).toFixed(0)} MiB.`,
    '',
    '| query | org | PostgreSQL p50 / p95 | Tally HTTP p50 (tally layout) | PostgreSQL ÷ Tally | answers vs DuckDB |',
    '|---|---|---|---|---|---|',
  ];
  for (const [k, f] of Object.entries(pg.queries)) {
    const c = cur?.cases.find((x) => key(x) === k);
    const [id, label] = k.split('/');
    out.push(
      `| ${id} | ${label} | ${t(f.t.p50)} / ${t(f.t.p95)} | ${t(c?.http?.p50)} | ${ratio(f.t.p50, c?.http?.p50)} | ${f.faults.length === 0 ? 'agree' : `**${f.faults.join('; ')}**`} |`,
    );
  }
  return out;
}
