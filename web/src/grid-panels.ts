/**
 * The panels drawn as tables: API calls by local hour and weekday (a heatmap
 * folded from hourly buckets) and the top endpoints with their shares.
 */
import type { QueryAnswer } from './api.js';
import { formatCount, formatPercent } from './format.js';
import { Panel } from './panel.js';
import { chunks, dateOf } from './range.js';
import { ask, type PanelDef } from './scope.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A heatmap cell's colour for a fraction f (0..1) of the busiest cell: linear in opacity. */
const heat = (f: number): string => `rgba(47, 111, 223, ${(0.04 + 0.96 * f).toFixed(3)})`;

/** The heatmap's colour scale: a ramp from 0 to the busiest cell, with both ends and the middle labelled. */
function colourScale(max: number): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'colour-scale';
  wrap.dataset.max = String(max);
  const ramp = document.createElement('span');
  ramp.className = 'ramp';
  // Through CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
  ramp.style.background = `linear-gradient(to right, ${heat(0)}, ${heat(1)})`;
  ramp.setAttribute('aria-hidden', 'true');
  const labels = document.createElement('span');
  labels.className = 'ramp-labels';
  for (const v of [0, max / 2, max]) {
    const l = document.createElement('span');
    l.textContent = formatCount(v);
    labels.append(l);
  }
  const caption = document.createElement('span');
  caption.className = 'ramp-caption';
  caption.textContent = 'Calls per hour cell';
  wrap.append(caption, ramp, labels);
  return wrap;
}

/** api.request per local weekday and hour, Monday first. */
export function heatmap(): PanelDef {
  const panel = new Panel(
    'heatmap',
    'API calls by hour and weekday',
    'api.request events per local hour of day and weekday over the range, in the chosen timezone.',
    true,
  );
  return {
    panel,
    async load(s) {
      // Hourly buckets (at most 5000 per answer), asked in pieces of 150 days, folded by local weekday and hour.
      const parts = chunks(s.range.from, s.range.to, 150);
      // Two pieces at a time: a range of years must not flood the server.
      const answers: QueryAnswer[] = [];
      for (let k = 0; k < parts.length; k += 2) {
        answers.push(
          ...(await Promise.all(
            parts
              .slice(k, k + 2)
              .map(([from, to]) => ask(s, { from, to, type: ['api.request'], bucket: 'hour' })),
          )),
        );
      }
      const grid = WEEKDAYS.map(() => Array.from({ length: 24 }, () => 0));
      for (const ans of answers) {
        for (const p of ans.series[0]?.points ?? []) {
          const [y, m, d] = dateOf(p.start).split('-').map(Number) as [number, number, number];
          const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
          grid[weekday]![Number(p.start.slice(11, 13))]! += p.value ?? 0;
        }
      }
      const max = Math.max(...grid.flat());
      if (max === 0) return 'No API calls in this range.';
      panel.ready({
        xLabel: 'Weekday',
        colourOnly: true,
        columns: Array.from({ length: 24 }, (_, h) => ({
          key: `h${h}`,
          label: `${String(h).padStart(2, '0')}:00`,
          short: h % 6 === 0 ? String(h).padStart(2, '0') : '',
          format: formatCount,
        })),
        rows: [1, 2, 3, 4, 5, 6, 0].map((wd) => ({ x: String(wd), label: WEEKDAYS[wd]!, values: grid[wd]! })),
        cellColor: (v) => heat((v ?? 0) / max),
      });
      panel.chart.replaceChildren(colourScale(max));
      return null;
    },
  };
}

/** The 10 endpoints with the most api.request events, and the rest. */
export function topEndpoints(): PanelDef {
  const panel = new Panel(
    'endpoints',
    'Top endpoints',
    'The 10 endpoints (dims.endpoint) with the most api.request events in the range.',
    true,
  );
  return {
    panel,
    async load(s) {
      const ans = await ask(s, {
        type: ['api.request'],
        bucket: 'none',
        group_by: ['dims.service', 'dims.endpoint'],
        top: 10,
        other: true,
      });
      const all = [...ans.series, ...(ans.other ? [ans.other] : [])];
      const total = all.reduce((sum, g) => sum + (g.total ?? 0), 0);
      if (total === 0) return 'No API calls in this range.';
      panel.ready({
        xLabel: 'Endpoint',
        extraLabels: ['Service'],
        columns: [
          { key: 'calls', label: 'Calls', format: formatCount },
          { key: 'share', label: 'Share', format: formatPercent },
        ],
        rows: all.map((g) => {
          const other = g === ans.other;
          const endpoint = other
            ? `${ans.total_groups - ans.series.length} other endpoints`
            : (g.group['dims.endpoint'] ?? '(none)');
          return {
            x: other ? '(other)' : endpoint,
            label: endpoint,
            extra: [other ? '' : (g.group['dims.service'] ?? '(none)')],
            values: [g.total, Math.round(((g.total ?? 0) / total) * 1000) / 10],
          };
        }),
      });
      return null;
    },
  };
}
