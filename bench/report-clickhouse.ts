/**
 * Renders the `--store clickhouse` report: machine, server version, command and load,
 * the load into ClickHouse with the part counts after the merge, every (query, org) as
 * Tally over HTTP vs the hand-written ClickHouse SQL (p50/p95 and the ratio, whether the
 * answers agree), and the dedupe lookup's granules at the largest org.
 * Everything here is computed from the run; the discussion lives in docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { ms } from './lib/timing.js';
import type { ChResults } from './clickhouse.js';

const n0 = (x: number): string => Math.round(x).toLocaleString('en');
const t = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : ms(x));

export function renderClickHouseReport(r: ChResults): string {
  const m = r.machine;
  const out = [
    `# Tally on ClickHouse: ${n0(r.dataset.events)} events`,
    '',
    `- Command: \`${r.command}\``,
    `- ClickHouse ${r.clickhouse} (one server, loopback HTTP); ${m.cpus} cores (${m.model}), ${m.memGiB} GiB, Node ${m.node}, ${m.os}`,
    `- ${r.startedAt} to ${r.finishedAt}; load average at start ${r.load.start.join(' ')}, at the queries ${r.load.queries.join(' ')}, at the end ${r.load.end.join(' ')}`,
    `- ${r.runs} timed runs per case after one warm-up, hand SQL and HTTP interleaved; times in ms`,
    '',
    '## Load',
    '',
    `${n0(r.loaded.events)} events, ${n0(r.dataset.actors)} actors and ${r.dataset.orgs} orgs into Tally's schema in ${r.loaded.seconds.toFixed(0)} s (${n0(r.loaded.perSecond)} events/s, JSONEachRow over HTTP, one INSERT per month), \`event_ids\` filled by migration 3's statement; OPTIMIZE … FINAL of every table ${r.loaded.optimizeSeconds.toFixed(0)} s. Active parts after it:`,
    '',
    '| table | parts | rows | granules (marks) | bytes |',
    '|---|---|---|---|---|',
    ...r.loaded.parts.map(
      (p) =>
        `| ${p.table} | ${p.parts} | ${n0(p.rows)} | ${n0(p.marks)} | ${(p.bytes / 2 ** 20).toFixed(1)} MiB |`,
    ),
    '',
    `## Queries`,
    '',
    `The real server (\`npm start\`, TALLY_STORE=clickhouse, started in ${n0(r.serverStartMs)} ms) over loopback HTTP, and the hand-written ClickHouse SQL (bench/queries/clickhouse-sql.ts) through @clickhouse/client on the same server. "answers": Tally's against the hand SQL's; "hand SQL vs DuckDB": the ClickHouse hand SQL's against the DuckDB hand SQL's on the dataset file.`,
    '',
    '| query | org | hand SQL p50 / p95 | Tally HTTP p50 / p95 | HTTP ÷ hand SQL (p50) | answers | hand SQL vs DuckDB |',
    '|---|---|---|---|---|---|---|',
    ...r.cases.map((c) => {
      if (c.faults[0] === 'not written')
        return `| ${c.id}: ${c.title} | ${c.label} (${c.org}) | not written | – | – | – | – |`;
      const ratio = c.http && c.hand && c.hand.p50 > 0 ? `${(c.http.p50 / c.hand.p50).toFixed(2)}×` : '–';
      const agree = (f: string[]): string => (f.length === 0 ? 'agree' : `**${f.length} difference(s)**`);
      return `| ${c.id}: ${c.title} | ${c.label} (${c.org}) | ${t(c.hand?.p50)} / ${t(c.hand?.p95)} | ${t(c.http?.p50)} / ${t(c.http?.p95)} | ${ratio} | ${agree(c.faults)} | ${agree(c.handVsDuck)} |`;
    }),
    '',
  ];
  const faults = r.cases.flatMap((c) =>
    [...c.faults, ...c.handVsDuck].filter((f) => f !== 'not written').map((f) => `${c.id}/${c.label}: ${f}`),
  );
  if (faults.length > 0) out.push('Differences:', '', ...faults.map((f) => `- ${f}`), '');
  out.push(
    '## Dedupe lookup at the largest org',
    '',
    `A commit's lookup of (org, id) (src/store/clickhouse/event-ids.ts, as ingest.ts sends it) at the largest org (${r.cases.find((c) => c.label === 'largest')?.org ?? '–'}): 1,000 of its stored ids (spread over the org), and new ids as the generator makes them for the ingest slice (random hex, as UUIDs would be), 1,000 and 10; beside each the plain \`org IN … AND id IN …\` on \`events\`, and a count of the whole org in both tables. Granules: the query's \`SelectedMarks\` in system.query_log (ClickHouse ${r.clickhouse} has no \`EXPLAIN indexes=1\`); a query with subqueries adds up the granules of every table it reads. Rows read: query_log's \`read_rows\`, which on 18.16 leaves out what the \`IN\` subqueries read (so 0 where nothing is found in \`events\`).`,
    '',
    '| ids | statement | found | granules (SelectedMarks) | rows read | ms (server) |',
    '|---|---|---|---|---|---|',
    ...(r.lookupError ? [`| – | failed: ${r.lookupError} | | | | |`] : []),
    ...r.lookup.map(
      (l) =>
        `| ${l.label} | ${l.sql} | ${n0(l.found)} | ${n0(l.selectedMarks)} | ${n0(l.readRows)} | ${n0(l.ms)} |`,
    ),
    '',
  );
  return out.join('\n');
}

export function writeClickHouseReport(path: string, r: ChResults): void {
  writeFileSync(path, renderClickHouseReport(r));
}
