/**
 * What the panels share: the scope they are drawn for (key, org, range,
 * timezone), the part of every query that scope fixes, the chart bookkeeping,
 * and `run`, which moves a panel through loading to figures, empty or error.
 */
import { query, type QueryAnswer, type QueryBody, type Series } from './api.js';
import { drawChart, PALETTE, type ChartSeries, type ChartSpec } from './chart.js';
import { formatDay } from './format.js';
import type { DataTable, Panel } from './panel.js';
import { dateOf, type DateRange } from './range.js';

/** What every panel is drawn for. */
export interface Scope {
  key: string;
  /** null: every org the key reaches. */
  org: string | null;
  subtree: boolean;
  range: DateRange;
  timezone: string;
  signal: AbortSignal;
}

/** A panel and how to fill it. */
export interface PanelDef {
  panel: Panel;
  /** Fetch and draw; resolves with an empty-state message when there is nothing to show. */
  load: (s: Scope) => Promise<string | null>;
}

/** The part of a query every panel shares: orgs, range, timezone. */
export function baseQuery(s: Scope): QueryBody {
  return {
    ...(s.org === null ? {} : { org: [s.org], subtree: s.subtree }),
    from: s.range.from,
    to: s.range.to,
    timezone: s.timezone,
  };
}

/** The same scope as GET parameters (for /v1/schema and /v1/events/latest). */
export function scopeParams(s: Scope): Record<string, string | number | boolean> {
  return {
    ...(s.org === null ? {} : { org: s.org, subtree: s.subtree }),
    from: s.range.from,
    to: s.range.to,
    timezone: s.timezone,
  };
}

/** POST /v1/query with the scope's orgs, range and timezone, plus `body`. */
export const ask = (s: Scope, body: QueryBody): Promise<QueryAnswer> =>
  query(s.key, { ...baseQuery(s), ...body }, s.signal);
/** Bucket starts in Unix seconds, for a chart's x axis. */
const xOf = (series: Series | undefined): number[] =>
  (series?.points ?? []).map((p) => Date.parse(p.start) / 1000);
/** One table row per bucket: its local date, and that date for people; `open` marks the last one as still growing. */
const rowsOf = (series: Series | undefined, open = false) => {
  const points = series?.points ?? [];
  return points.map((p, i) => ({
    x: dateOf(p.start),
    label: formatDay(dateOf(p.start)),
    open: open && i === points.length - 1,
  }));
};
/** A series' name: its value of `field`, `(none)` when missing, or `Other`. */
export const label = (s: Series, field: string, other: Series | null): string =>
  s === other ? 'Other' : (s.group[field] ?? '(none)');
/** Whether nothing happened (every value 0 or null). */
export const allZero = (xs: (number | null)[]) => xs.every((v) => v === null || v === 0);

let disposers = new Map<string, () => void>();
/** Draw a panel's chart, replacing the one it had. */
function draw(panel: Panel, spec: Parameters<typeof drawChart>[1]): void {
  disposers.get(panel.id)?.();
  disposers.set(panel.id, drawChart(panel.chart, spec));
}

/** Forget every drawn chart (before panels are cleared). */
export function disposeCharts(): void {
  for (const d of disposers.values()) d();
  disposers = new Map();
}

/** A table column: key, label, format, and one value per row. */
type TableColumn = [string, string, (n: number | null) => string, (number | null)[]];

/** A panel's table from columns of [key, label, format, values], one value per row. */
function table(
  xLabel: string,
  rows: { x: string; label: string; open?: boolean }[],
  cols: TableColumn[],
): DataTable {
  return {
    xLabel,
    columns: cols.map(([key, label, format]) => ({ key, label, format })),
    rows: rows.map((r, i) => ({ ...r, values: cols.map((c) => c[3][i] ?? null) })),
  };
}

/** A line of a time panel: drawn on its chart, and a column (`key`) of its table. */
export type TimeLine = ChartSeries & { key: string };

/** One line per group, coloured in palette order; table keys are `${prefix}:${name}`. */
export const groupLines = (prefix: string, names: string[], values: (number | null)[][]): TimeLine[] =>
  names.map((name, k) => ({
    key: `${prefix}:${name}`,
    label: name,
    color: PALETTE[k % PALETTE.length]!,
    values: values[k]!,
  }));

/**
 * Show a time panel: its chart over the buckets of `over`, and the same figures
 * as its table (a 'Date' row per bucket, a column per line, in `chart.format`).
 */
export function showTimeLines(
  panel: Panel,
  s: Scope,
  over: { series: Series | undefined; open: boolean },
  lines: TimeLine[],
  chart: Omit<ChartSpec, 'x' | 'series' | 'openLast' | 'timezone'>,
): null {
  draw(panel, { ...chart, x: xOf(over.series), series: lines, openLast: over.open, timezone: s.timezone });
  const columns = lines.map((l): TableColumn => [l.key, l.label, chart.format, l.values]);
  panel.ready(table('Date', rowsOf(over.series, over.open), columns));
  return null;
}

/** Fill one panel for a scope, showing loading, then figures, empty or error. */
export async function run(def: PanelDef, s: Scope): Promise<void> {
  def.panel.loading();
  try {
    const empty = await def.load(s);
    if (s.signal.aborted) return;
    if (empty !== null) {
      disposers.get(def.panel.id)?.();
      disposers.delete(def.panel.id);
      def.panel.empty(empty);
    }
  } catch (err) {
    if (s.signal.aborted) return;
    disposers.get(def.panel.id)?.();
    disposers.delete(def.panel.id);
    def.panel.error(describeError(err));
  }
}

/** The words a person sees for a failed call. */
export function describeError(err: unknown): string {
  if (err instanceof Error && 'status' in err) {
    const status = (err as { status: number }).status;
    if (status === 401) return `The key was refused (401): ${err.message}`;
    if (status === 403) return `This key may not read that (403): ${err.message}`;
    if (status === 0) return err.message;
    return `The server answered ${status}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
