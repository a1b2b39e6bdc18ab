/**
 * Time charts on uPlot: lines, bars and stacked areas (plain or 100 %), with a
 * second axis when asked, times shown in the dashboard's timezone, and a width
 * that follows the panel (so the page works on a narrow screen).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One plotted series. */
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  /** `y2`: the right-hand axis. */
  scale?: 'y' | 'y2';
  kind?: 'line' | 'bars';
  dash?: boolean;
}

/** What to draw. */
export interface ChartSpec {
  /** Bucket starts, Unix seconds. */
  x: number[];
  series: ChartSeries[];
  /** Stack the series as areas (the legend still shows each one's own value). */
  stacked?: boolean;
  /** Fix the y axis to 0-100 (for shares). */
  percent?: boolean;
  format: (n: number | null) => string;
  format2?: (n: number | null) => string;
  axisFormat: (n: number) => string;
  axisFormat2?: (n: number) => string;
  timezone: string;
  height?: number;
  /** The last bucket is still growing: it is shaded and labelled "so far". */
  openLast?: boolean;
  /** The left (bytes) or right (bytes2) axis counts bytes: ticks on multiples of powers of 2 (1 KB = 1024 B). */
  bytes?: boolean;
  bytes2?: boolean;
}

/** Tick steps of a byte axis: 1, 2, 4 … B, so that ticks fall on 256 MB, 512 MB, 1 GB, 1.5 GB, not 0.93 GB. */
const BYTE_STEPS = Array.from({ length: 61 }, (_, k) => 2 ** k);

/**
 * Shade the last point's stretch (from halfway after the point before it to the right edge) and
 * label it "so far": points sit at bucket starts, so the open bucket is the plot's last point.
 */
function openBucketHook(u: uPlot): void {
  const xs = u.data[0];
  if (xs.length === 0) return;
  const lastPos = u.valToPos(xs[xs.length - 1]!, 'x', true);
  const prev = xs.length > 1 ? u.valToPos(xs[xs.length - 2]!, 'x', true) : lastPos;
  const left = (prev + lastPos) / 2;
  const right = u.bbox.left + u.bbox.width;
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = 'rgba(91, 100, 114, 0.12)';
  ctx.fillRect(left, u.bbox.top, Math.max(right - left, 3), u.bbox.height);
  ctx.fillStyle = '#5b6472';
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText('so far', right - 2, u.bbox.top + 2);
  ctx.restore();
}

/** Draw into `host` (replacing what was there); returns a function that removes the chart. */
export function drawChart(host: HTMLElement, spec: ChartSpec): () => void {
  host.replaceChildren();
  const width = Math.max(240, host.clientWidth);
  // Stacked: series k is drawn at the sum of series 0..k, top first so each fill covers the one below.
  const order = spec.stacked ? spec.series.map((_, k) => k).reverse() : spec.series.map((_, k) => k);
  const drawn = order.map((k) => {
    if (!spec.stacked) return spec.series[k]!.values;
    return spec.x.map((_, i) => {
      let sum = 0;
      for (let j = 0; j <= k; j++) sum += spec.series[j]!.values[i] ?? 0;
      return sum;
    });
  });
  const series: uPlot.Series[] = [
    { label: 'Date', value: (_u, v) => (v === null ? '–' : dateLabel(v, spec.timezone)) },
    ...order.map((k): uPlot.Series => {
      const s = spec.series[k]!;
      const bars = s.kind === 'bars';
      return {
        label: s.label,
        scale: s.scale ?? 'y',
        stroke: s.color,
        width: spec.stacked ? 1 : bars ? 0 : 2,
        fill: spec.stacked ? s.color : bars ? `${s.color}cc` : undefined,
        dash: s.dash ? [6, 4] : undefined,
        points: { show: false },
        paths: bars ? uPlot.paths.bars?.({ size: [0.7, 40] }) : undefined,
        value: (_u, _v, _si, idx) =>
          idx === null
            ? '–'
            : (s.scale === 'y2' && spec.format2 ? spec.format2 : spec.format)(s.values[idx] ?? null),
      };
    }),
  ];
  const axes: uPlot.Axis[] = [
    { stroke: '#5b6472', grid: { stroke: '#eef0f3' } },
    {
      stroke: '#5b6472',
      grid: { stroke: '#eef0f3' },
      size: fitLabels,
      values: (_u, ticks) => ticks.map((t) => (spec.percent ? `${t} %` : spec.axisFormat(t))),
      ...(spec.bytes ? { incrs: BYTE_STEPS } : {}),
    },
  ];
  if (spec.series.some((s) => s.scale === 'y2')) {
    axes.push({
      scale: 'y2',
      // uPlot's Side is an ambient const enum (not importable here); 1 is its right-hand side.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      side: 1,
      stroke: '#5b6472',
      grid: { show: false },
      size: fitLabels,
      values: (_u, ticks) => ticks.map((t) => (spec.axisFormat2 ?? spec.axisFormat)(t)),
      ...(spec.bytes2 ? { incrs: BYTE_STEPS } : {}),
    });
  }
  const opts: uPlot.Options = {
    width,
    height: spec.height ?? 240,
    series,
    axes,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), spec.timezone),
    scales: {
      x: { time: true },
      y: spec.percent ? { range: [0, 100] } : { range: (_u, _min, max) => [0, niceMax(max)] },
      y2: { range: (_u, _min, max) => [0, niceMax(max)] },
    },
    legend: { live: true },
    hooks: spec.openLast ? { draw: [openBucketHook] } : {},
    cursor: { drag: { x: false, y: false } },
  };
  const plot = new uPlot(opts, [spec.x, ...drawn], host);
  const observer = new ResizeObserver(() => {
    const w = Math.max(240, host.clientWidth);
    if (Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height: plot.height });
  });
  observer.observe(host);
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}

/** Axis width from its longest tick label (about 7 px a character at 12 px). */
function fitLabels(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((v) => v.length));
  return 18 + longest * 7;
}

function niceMax(max: number | null): number {
  if (max === null || max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.05) / step) * step;
}

function dateLabel(unixSeconds: number, tz: string): string {
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
}

/** A fixed palette, colour-blind friendly first. */
export const PALETTE = [
  '#2f6fdf',
  '#e8871e',
  '#2a9d8f',
  '#d1495b',
  '#8e6bbf',
  '#6c8a3c',
  '#c4a000',
  '#5f7da3',
  '#b5651d',
  '#7f7f7f',
];
