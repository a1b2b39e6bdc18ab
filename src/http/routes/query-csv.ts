/**
 * The native query's CSV form (docs/query.md, "CSV"): asked for with
 * `format=csv` or `Accept: text/csv`. One row per point of every series, RFC
 * 4180 (CRLF line ends, fields quoted when they hold a comma, quote or line
 * break), with the same local ISO times as the JSON answer.
 */
import type { FastifyRequest } from 'fastify';
import type { ComparePoint, Point, QueryResult, Series } from '../../core/query/result.js';
import { formatLocalIso } from '../../core/time/index.js';

/** One turn of the event loop (a macrotask: timers and I/O run). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * One field: null is an empty field, the empty string is `""`, others are quoted when needed.
 * A text (a group's value comes from event dims, i.e. from whoever sends events) that starts
 * with `=`, `+`, `-`, `@` or their full-width forms (`＝＋－＠`, which spreadsheets in CJK
 * locales read as the same), also after leading whitespace (spreadsheets trim it), or with a
 * tab, carriage return or line feed, gets a leading `'`, so a spreadsheet opening the file shows
 * it as text instead of running it as a formula (OWASP's CSV injection advice). Numbers are
 * never changed.
 */
const FORMULA_START = /^(?:[\s\u200b\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])/;

export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = typeof v === 'string' && FORMULA_START.test(v) ? `'${v}` : String(v);
  if (s === '') return '""';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The q-value a media range in an Accept header gives `type` (0 when none matches). */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let q = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const r = range.trim();
    const spec = r === type ? 2 : r === `${major}/*` ? 1 : r === '*/*' ? 0 : -1;
    if (spec <= best) continue;
    best = spec;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q = qp === undefined ? 1 : Number(qp.slice(2)) || 0;
  }
  return q;
}

/** CSV when `format=csv`, JSON when `format=json`; else CSV if Accept prefers text/csv to JSON. */
export function wantsCsv(req: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = req.headers.accept;
  if (typeof accept !== 'string' || !accept.toLowerCase().includes('text/csv')) return false;
  return quality(accept, 'text/csv') > quality(accept, 'application/json');
}

/** A point's compared cells: start, end, each figure, and the share when shares were asked. */
function compareCells(
  tz: string,
  c: ComparePoint | undefined,
  metrics: string[] | undefined,
  share: boolean,
): (string | number | null)[] {
  return [
    c?.start === null || c?.start === undefined ? null : formatLocalIso(tz, c.start),
    c?.end === null || c?.end === undefined ? null : formatLocalIso(tz, c.end),
    ...(metrics ? metrics.map((m) => c?.values?.[m] ?? null) : [c?.value ?? null]),
    ...(share ? [c?.share ?? null] : []),
  ];
}

/**
 * The columns: the group-by fields (`groupBy`, in order), `other` (only with a top-N
 * `other` series), `start`, `end`, `slot` (histograms), `value`, `share` (when
 * asked), `window_from` and `window_to` (rolling and cumulative windows), and with a
 * comparison `compare_start`, `compare_end`, `compare_value` and `compare_share` (when asked).
 * With metrics, one column per metric, named by it, stands where `value` does, and
 * `compare_<name>` where `compare_value` does.
 */
export async function queryCsv(r: QueryResult, groupBy: readonly string[]): Promise<string> {
  const all: Series[] = r.other ? [...r.series, r.other] : r.series;
  const groupFields = [...new Set([...groupBy, ...r.series.flatMap((s) => Object.keys(s.group))])];
  const points = all.flatMap((s) => s.points);
  const has = (f: (p: Point) => boolean): boolean => points.some(f);
  const slot = r.bucket === 'hour_of_day' || r.bucket === 'day_of_week' || has((p) => p.slot !== undefined);
  const share = has((p) => p.share !== undefined);
  const win = has((p) => p.window !== undefined);
  const compared = all.some((s) => s.compare !== undefined);
  const figures = r.metrics ?? ['value'];
  const head = [
    ...groupFields,
    ...(r.other ? ['other'] : []),
    'start',
    'end',
    ...(slot ? ['slot'] : []),
    ...(r.metrics ?? ['value']),
    ...(share ? ['share'] : []),
    ...(win ? ['window_from', 'window_to'] : []),
    ...(compared
      ? [
          'compare_start',
          'compare_end',
          ...figures.map((f) => `compare_${f}`),
          ...(share ? ['compare_share'] : []),
        ]
      : []),
  ];
  const tz = r.timezone;
  const lines = [head.map(csvField).join(',')];
  for (const s of all) {
    // Up to 200,000 rows: let other requests (and /healthz) through between series.
    await yieldToLoop();
    const isOther = s === r.other;
    for (const [k, p] of s.points.entries()) {
      const row: (string | number | boolean | null)[] = [
        ...groupFields.map((f) => (isOther ? null : (s.group[f] ?? null))),
        ...(r.other ? [isOther] : []),
        formatLocalIso(tz, p.start),
        formatLocalIso(tz, p.end),
        ...(slot ? [p.slot ?? null] : []),
        ...(r.metrics ? r.metrics.map((m) => p.values?.[m] ?? null) : [p.value]),
        ...(share ? [p.share ?? null] : []),
        ...(win
          ? [
              p.window?.from === undefined || p.window.from === null
                ? null
                : formatLocalIso(tz, p.window.from),
              p.window === undefined ? null : formatLocalIso(tz, p.window.to),
            ]
          : []),
        ...(compared ? compareCells(tz, s.compare?.points[k], r.metrics, share) : []),
      ];
      lines.push(row.map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
