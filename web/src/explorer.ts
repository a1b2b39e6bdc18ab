/**
 * The explorer, for any org's own events: pick an event type and a dims key
 * from GET /v1/schema (what the org actually sends), an aggregation and an
 * optional group-by, and get a chart and a table from POST /v1/query. And the
 * latest events (GET /v1/events/latest), newest first.
 */
import { getSchema, latestEvents, type SchemaAnswer } from './api.js';
import { formatCompact, formatCount } from './format.js';
import { Panel } from './panel.js';
import {
  allZero,
  ask,
  groupLines,
  label,
  run,
  scopeParams,
  showTimeLines,
  type PanelDef,
  type Scope,
} from './scope.js';

const AGGS: [value: string, label: string][] = [
  ['count', 'Count of events'],
  ['unique', 'Distinct actors'],
  ['sum', 'Sum of value'],
  ['avg', 'Average value'],
  ['min', 'Smallest value'],
  ['max', 'Largest value'],
];
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const formatValue = (n: number | null): string => (n === null ? '–' : decimal.format(n));

function picker(id: string, name: string, onChange: () => void): HTMLSelectElement {
  const s = document.createElement('select');
  s.id = id;
  s.setAttribute('aria-label', name);
  s.addEventListener('change', onChange);
  return s;
}

/** Keep `current` when it is still offered, else the first option. */
function choose(select: HTMLSelectElement, options: [string, string][], current: string | null): string {
  select.replaceChildren(...options.map(([v, text]) => new Option(text, v)));
  const value = options.some(([v]) => v === current) ? current! : (options[0]?.[0] ?? '');
  select.value = value;
  return value;
}

/** An event type, an aggregation and a group-by, as a chart and a table. */
export function explorer(): PanelDef {
  const panel = new Panel(
    'explorer',
    'Explorer',
    'Any event type the org sends, by bucket: pick the type, what to compute and a dims key to group by (top 6, the rest as Other).',
  );
  let last: Scope | null = null;
  const rerun = (): void => {
    if (last) void run(def, last);
  };
  const typeSel = picker('explore-type', 'Event type', () => {
    chosen.type = typeSel.value;
    rerun();
  });
  const aggSel = picker('explore-agg', 'Aggregation', () => {
    chosen.agg = aggSel.value;
    rerun();
  });
  const groupSel = picker('explore-group', 'Group by', () => {
    chosen.group = groupSel.value;
    rerun();
  });
  const chosen: { type: string | null; agg: string; group: string } = { type: null, agg: 'count', group: '' };
  let schema: SchemaAnswer | null = null;

  const def: PanelDef = {
    panel,
    async load(s) {
      // The schema is read again only when the scope changed, not when a picker did.
      if (last !== s || schema === null) schema = await getSchema(s.key, scopeParams(s), s.signal);
      last = s;
      const types = schema.types;
      panel.tools.replaceChildren(...(types.length > 0 ? [typeSel, aggSel, groupSel] : []));
      if (types.length === 0) return 'No events in this range.';
      chosen.type = choose(
        typeSel,
        types.map((t) => [t.type, `${t.type} (${formatCount(t.count)})`]),
        chosen.type,
      );
      chosen.agg = choose(aggSel, AGGS, chosen.agg);
      const keys = types.find((t) => t.type === chosen.type)?.keys ?? [];
      chosen.group = choose(
        groupSel,
        [['', 'No grouping'], ...keys.map((k): [string, string] => [`dims.${k.key}`, `dims.${k.key}`])],
        chosen.group,
      );
      const group = chosen.group === '' ? [] : [chosen.group];
      const ans = await ask(s, {
        type: [chosen.type],
        agg: chosen.agg,
        bucket: s.range.bucket,
        ...(group.length > 0 ? { group_by: group, top: 6, other: true } : {}),
      });
      const groups = [...ans.series, ...(ans.other ? [ans.other] : [])];
      const values = groups.map((g) => g.points.map((p) => p.value));
      if (values.every(allZero)) return `No ${chosen.type} events in this range.`;
      const names = groups.map((g) => (group.length === 0 ? chosen.type! : label(g, group[0]!, ans.other)));
      const format = chosen.agg === 'count' || chosen.agg === 'unique' ? formatCount : formatValue;
      const over = { series: groups[0], open: ans.meta.last_bucket_open };
      return showTimeLines(panel, s, over, groupLines('group', names, values), {
        format,
        axisFormat: formatCompact,
      });
    },
  };
  return def;
}

const LATEST = 20;

/** The newest events of the scope, newest first. */
export function latest(): PanelDef {
  const panel = new Panel(
    'latest',
    'Latest events',
    `The ${LATEST} newest events in the range, as they were sent.`,
    true,
  );
  return {
    panel,
    async load(s) {
      const ans = await latestEvents(s.key, { ...scopeParams(s), limit: LATEST }, s.signal);
      if (ans.events.length === 0) return 'No events in this range.';
      const when = new Intl.DateTimeFormat(undefined, {
        timeZone: s.timezone,
        dateStyle: 'medium',
        timeStyle: 'medium',
      });
      panel.ready({
        xLabel: 'Time',
        extraLabels: ['Type', 'Org', 'Actor', 'Dims'],
        columns: [{ key: 'value', label: 'Value', format: formatValue }],
        rows: ans.events.map((e) => ({
          x: `${e.org}/${e.id}`,
          label: when.format(new Date(e.time)),
          extra: [
            e.type,
            e.org,
            e.actor ?? '',
            Object.entries(e.dims ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ],
          values: [e.value],
        })),
      });
      return null;
    },
  };
}
