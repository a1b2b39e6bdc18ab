/**
 * `tally query`: the native query (docs/query.md) from flags, printed as a
 * table, as CSV (the server's own CSV, byte for byte) or as JSON.
 */
import { CliError, errorMessage, request, type Connection } from './client.js';
import { renderTable, type Cell } from './table.js';

/** Flag values as commander gives them (camelCase), before they become query parameters. */
export interface QueryFlags {
  org?: string[];
  subtree?: boolean;
  type?: string[];
  from?: string;
  to?: string;
  last?: string;
  timezone?: string;
  weekStart?: string;
  bucket?: string;
  agg?: string;
  q?: string;
  of?: string[];
  per?: string[];
  filters?: string;
  metrics?: string;
  groupBy?: string[];
  window?: string;
  windowSize?: string;
  windowUnit?: string;
  since?: string;
  fill?: string;
  share?: string;
  top?: string;
  other?: boolean;
  format: string;
}

/** Flags -> the GET query string (lists joined by commas, as the API takes them). */
export function queryString(f: QueryFlags): string {
  const p = new URLSearchParams();
  const put = (name: string, v: string | string[] | boolean | undefined): void => {
    if (v === undefined) return;
    p.set(name, Array.isArray(v) ? v.join(',') : String(v));
  };
  put('org', f.org);
  if (f.subtree) put('subtree', true);
  put('type', f.type);
  put('from', f.from);
  put('to', f.to);
  put('last', f.last);
  put('timezone', f.timezone);
  put('week_start', f.weekStart);
  put('bucket', f.bucket);
  put('agg', f.agg);
  put('q', f.q);
  put('of', f.of);
  put('per', f.per);
  put('filters', f.filters);
  put('metrics', f.metrics);
  put('group_by', f.groupBy);
  put('window', f.window);
  put('window_size', f.windowSize);
  put('window_unit', f.windowUnit);
  put('since', f.since);
  put('fill', f.fill);
  put('share', f.share);
  put('top', f.top);
  if (f.other === false) put('other', false);
  if (f.format === 'csv') put('format', 'csv');
  return p.toString();
}

interface Answer {
  bucket: string;
  series: Series[];
  other: Series | null;
}
interface Series {
  group: Record<string, string | null>;
  total: number | null;
  points: {
    start: string;
    slot?: number;
    value?: number | null;
    values?: Record<string, number | null>;
    share?: number;
  }[];
}

/** The JSON answer as a table: group columns, then the bucket (or slot), value (or one column per metric) and share. */
export function answerTable(a: Answer): string {
  const all = [
    ...a.series.map((s) => ({ s, other: false })),
    ...(a.other ? [{ s: a.other, other: true }] : []),
  ];
  const fields = [...new Set(a.series.flatMap((s) => Object.keys(s.group)))];
  const histogram = a.bucket === 'hour_of_day' || a.bucket === 'day_of_week';
  const share = all.some(({ s }) => s.points.some((p) => p.share !== undefined));
  const metrics = Object.keys(all[0]?.s.points[0]?.values ?? {});
  const head = [
    ...fields,
    ...(a.bucket === 'none' ? [] : [histogram ? a.bucket : 'start']),
    ...(metrics.length > 0 ? metrics : ['value']),
    ...(share ? ['share'] : []),
  ];
  const rows: Cell[][] = [];
  for (const { s, other } of all) {
    for (const p of s.points) {
      rows.push([
        ...fields.map((f, i) => (other ? (i === 0 ? '(other)' : '') : (s.group[f] ?? '(none)'))),
        ...(a.bucket === 'none' ? [] : [histogram ? (p.slot ?? null) : p.start]),
        ...(metrics.length > 0 ? metrics.map((m) => p.values?.[m] ?? null) : [p.value ?? null]),
        ...(share ? [p.share ?? null] : []),
      ]);
    }
  }
  return renderTable(head, rows);
}

/** Run the query; resolves with the text to print. */
export async function runQuery(conn: Connection, f: QueryFlags): Promise<string> {
  if (!['table', 'csv', 'json'].includes(f.format))
    throw new CliError(`--format must be table, csv or json, not ${f.format}`);
  const a = await request(conn, 'GET', `/v1/query?${queryString(f)}`, { retries: 2 });
  if (a.status !== 200) throw new CliError(errorMessage(a.status, a.text, conn), a.status);
  if (f.format === 'csv') return a.text;
  const body = JSON.parse(a.text) as Answer;
  return f.format === 'json' ? `${JSON.stringify(body, null, 2)}\n` : answerTable(body);
}
