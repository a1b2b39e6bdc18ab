/**
 * The panels drawn as time charts: active users (daily and rolling 30 days),
 * API calls by service (stacked), bandwidth and storage, and version adoption
 * (100 % stacked shares), each from POST /v1/query (docs/dashboard.md).
 */
import { PALETTE } from './chart.js';
import { formatBytes, formatBytesAxis, formatCompact, formatCount, formatPercent } from './format.js';
import { Panel } from './panel.js';
import {
  allZero,
  ask,
  groupLines,
  label,
  run,
  showTimeLines,
  type PanelDef,
  type Scope,
  type TimeLine,
} from './scope.js';

/** Distinct actors per bucket and over the trailing 30 days. */
export function activeUsers(): PanelDef {
  const panel = new Panel(
    'active-users',
    'Active users',
    'Distinct actors (people, or devices) with any event, per bucket and over the trailing 30 days.',
  );
  return {
    panel,
    async load(s) {
      const body = { agg: 'unique', of: ['actor'], bucket: s.range.bucket };
      const [per, rolling] = await Promise.all([
        ask(s, body),
        ask(s, { ...body, window: 'rolling', window_size: 30, window_unit: 'day' }),
      ]);
      const a = per.series[0];
      const r = rolling.series[0];
      const active = (a?.points ?? []).map((p) => p.value);
      const trailing = (r?.points ?? []).map((p) => p.value);
      if (allZero(active) && allZero(trailing)) return 'No actor was active in this range.';
      const unit = s.range.bucket === 'day' ? 'Daily' : 'Weekly';
      const lines: TimeLine[] = [
        { key: 'active', label: `${unit} active`, color: PALETTE[0]!, values: active },
        { key: 'rolling30', label: 'Rolling 30 days', color: PALETTE[1]!, values: trailing, dash: true },
      ];
      return showTimeLines(panel, s, { series: a, open: per.meta.last_bucket_open }, lines, {
        format: formatCount,
        axisFormat: formatCompact,
      });
    },
  };
}

/** api.request per bucket, stacked by service. */
export function apiByService(): PanelDef {
  const panel = new Panel(
    'api-services',
    'API calls by service',
    'api.request events per bucket, stacked by dims.service (top 6, the rest as Other).',
  );
  return {
    panel,
    async load(s) {
      const ans = await ask(s, {
        type: ['api.request'],
        bucket: s.range.bucket,
        group_by: ['dims.service'],
        top: 6,
        other: true,
      });
      const groups = [...ans.series, ...(ans.other ? [ans.other] : [])];
      const values = groups.map((g) => g.points.map((p) => p.value));
      if (values.every(allZero)) return 'No API calls in this range.';
      const names = groups.map((g) => label(g, 'dims.service', ans.other));
      const over = { series: groups[0], open: ans.meta.last_bucket_open };
      return showTimeLines(panel, s, over, groupLines('service', names, values), {
        stacked: true,
        format: formatCount,
        axisFormat: formatCompact,
      });
    },
  };
}

/** Bytes downloaded per bucket and bytes stored at its end. */
export function trafficAndStorage(): PanelDef {
  const panel = new Panel(
    'traffic-storage',
    'Bandwidth and storage',
    'Bytes downloaded per bucket (sum of bandwidth) and bytes stored at its end (latest storage reading per app and kind, summed).',
  );
  return {
    panel,
    async load(s) {
      const [bw, st] = await Promise.all([
        ask(s, { type: ['bandwidth'], agg: 'sum', bucket: s.range.bucket }),
        ask(s, { type: ['storage'], agg: 'latest', per: ['dims.app', 'dims.kind'], bucket: s.range.bucket }),
      ]);
      const traffic = (bw.series[0]?.points ?? []).map((p) => p.value);
      const stored = (st.series[0]?.points ?? []).map((p) => p.value);
      if (allZero(traffic) && allZero(stored)) return 'No bandwidth or storage events in this range.';
      const lines: TimeLine[] = [
        { key: 'bandwidth', label: 'Bandwidth', color: PALETTE[2]!, values: traffic, kind: 'bars' },
        { key: 'storage', label: 'Storage', color: PALETTE[4]!, values: stored, scale: 'y2' },
      ];
      return showTimeLines(panel, s, { series: bw.series[0], open: bw.meta.last_bucket_open }, lines, {
        format: formatBytes,
        format2: formatBytes,
        axisFormat: formatBytesAxis,
        bytes: true,
        bytes2: true,
      });
    },
  };
}

/** Each version's share of one app's activity, with an app picker. */
export function versionAdoption(): PanelDef {
  const panel = new Panel(
    'versions',
    'Version adoption',
    'Share of each version in an app\u2019s activity events per bucket (top 8 versions, the rest as Other).',
  );
  const picker = document.createElement('select');
  picker.setAttribute('aria-label', 'App');
  picker.id = 'app-picker';
  let chosen: string | null = null;
  let last: Scope | null = null;
  picker.addEventListener('change', () => {
    chosen = picker.value;
    if (last) void run(def, last);
  });
  const def: PanelDef = {
    panel,
    async load(s) {
      last = s;
      const apps = await ask(s, {
        type: ['activity'],
        bucket: 'none',
        group_by: ['dims.app'],
        filters: [['not_in', 'dims.app', [null]]],
        top: 50,
        other: false,
      });
      const ids = apps.series.filter((a) => (a.total ?? 0) > 0).map((a) => a.group['dims.app']!);
      picker.replaceChildren(...ids.map((id) => new Option(id, id)));
      panel.tools.replaceChildren(...(ids.length > 0 ? [picker] : []));
      if (ids.length === 0) return 'No app activity (activity events with dims.app) in this range.';
      const app = chosen !== null && ids.includes(chosen) ? chosen : ids[0]!;
      picker.value = app;
      const ans = await ask(s, {
        type: ['activity'],
        bucket: s.range.bucket,
        group_by: ['dims.version'],
        filters: [
          ['eq', 'dims.app', [app]],
          ['not_in', 'dims.version', [null]],
        ],
        share: 1,
        top: 8,
        other: true,
      });
      // Oldest version at the bottom of the stack, newest on top, Other below them all.
      const groups = [...ans.series].sort((a, b) =>
        compareVersions(a.group['dims.version'] ?? '', b.group['dims.version'] ?? ''),
      );
      if (ans.other) groups.unshift(ans.other);
      if (groups.length === 0) return `No versions reported for ${app} in this range.`;
      const names = groups.map((g) => label(g, 'dims.version', ans.other));
      const shares = groups.map((g) => g.points.map((p) => p.share ?? 0));
      const over = { series: groups[0], open: ans.meta.last_bucket_open };
      return showTimeLines(panel, s, over, groupLines('version', names, shares), {
        stacked: true,
        percent: true,
        format: formatPercent,
        axisFormat: (n) => `${n} %`,
      });
    },
  };
  return def;
}

/** "3.10.0" after "3.9.1": numeric parts compare as numbers. */
function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
