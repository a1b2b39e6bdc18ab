/**
 * A dashboard panel: title, a chart area, and the figures it plots as an
 * accessible table (cells carry the raw number in `data-value`), with clear
 * loading, empty and error states (`data-state` on the panel says which).
 */

/** One column of a panel's table. */
export interface Column {
  key: string;
  label: string;
  format: (n: number | null) => string;
  /** A shorter visible header (the full label stays for screen readers). */
  short?: string;
}

/** The figures a panel shows: one row per x (a day, a weekday, an endpoint). */
export interface DataTable {
  xLabel: string;
  columns: Column[];
  /** `open`: the bucket is still growing (it reaches past now); the row says so. */
  rows: { x: string; label: string; values: (number | null)[]; extra?: string[]; open?: boolean }[];
  /** Extra text columns shown after the x column (e.g. the service of an endpoint). */
  extraLabels?: string[];
  /** Cells show colour only; their figures are in a tooltip and read out by screen readers. */
  colourOnly?: boolean;
  /** Optional background colour of a cell, e.g. a heatmap's. */
  cellColor?: (value: number | null, column: number) => string | null;
}

export type PanelState = 'idle' | 'loading' | 'ready' | 'empty' | 'error';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A panel in the page. */
export class Panel {
  readonly el: HTMLElement;
  /** Where the chart is drawn. */
  readonly chart: HTMLElement;
  /** Panel-specific controls (e.g. the app picker). */
  readonly tools: HTMLElement;
  private readonly status: HTMLElement;
  private readonly figures: HTMLElement;

  constructor(
    readonly id: string,
    title: string,
    subtitle: string,
    private readonly inlineTable = false,
  ) {
    this.el = el('section', 'panel');
    this.el.dataset.panel = id;
    this.el.dataset.state = 'idle';
    this.el.setAttribute('aria-labelledby', `${id}-title`);
    const head = el('header', 'panel-head');
    const h = el('h2', undefined, title);
    h.id = `${id}-title`;
    this.tools = el('div', 'panel-tools');
    head.append(h, this.tools);
    this.status = el('p', 'status');
    this.status.setAttribute('role', 'status');
    this.chart = el('div', 'chart');
    this.figures = el('div', inlineTable ? 'figures inline' : 'figures');
    this.el.append(head, el('p', 'subtitle', subtitle), this.status, this.chart, this.figures);
  }

  /** The state the panel is in. */
  get state(): PanelState {
    return this.el.dataset.state as PanelState;
  }

  private set(state: PanelState, message: string): void {
    this.el.dataset.state = state;
    this.el.setAttribute('aria-busy', String(state === 'loading'));
    this.status.textContent = message;
  }

  /** Show that figures are on their way (the previous chart stays, dimmed). */
  loading(): void {
    this.set('loading', 'Loading…');
  }

  /** Show an error instead of figures (and without the panel's own controls). */
  error(message: string): void {
    this.clear();
    this.tools.replaceChildren();
    this.set('error', message);
  }

  /** Show that there is nothing to plot. */
  empty(message: string): void {
    this.clear();
    this.set('empty', message);
  }

  /** Show figures: the caller has drawn the chart (if any); this writes the table. */
  ready(table: DataTable): void {
    this.figures.replaceChildren(this.inlineTable ? renderTable(this.id, table) : collapsed(this.id, table));
    this.set('ready', '');
  }

  /** Remove chart and figures. */
  clear(): void {
    this.chart.replaceChildren();
    this.figures.replaceChildren();
  }
}

function collapsed(id: string, table: DataTable): HTMLElement {
  const details = el('details');
  details.append(el('summary', undefined, 'Figures'), renderTable(id, table));
  return details;
}

/** The table of a panel's figures. */
export function renderTable(id: string, t: DataTable): HTMLElement {
  const wrap = el('div', 'table-wrap');
  const table = el('table', 'data');
  table.dataset.table = id;
  const headRow = el('tr');
  const x = el('th');
  if (t.colourOnly) x.append(el('span', 'sr-only', t.xLabel));
  else x.textContent = t.xLabel;
  x.scope = 'col';
  headRow.append(x);
  for (const label of t.extraLabels ?? []) {
    const th = el('th', undefined, label);
    th.scope = 'col';
    headRow.append(th);
  }
  for (const c of t.columns) {
    const th = el('th', 'num');
    if (c.short === undefined) th.textContent = c.label;
    else th.append(c.short, el('span', 'sr-only', c.label));
    // A short label may be wider than its narrow column; it then overlaps the next, unlabelled ones.
    if (c.short) th.className = 'num tick';
    th.scope = 'col';
    th.dataset.col = c.key;
    headRow.append(th);
  }
  const head = el('thead');
  head.append(headRow);
  const body = el('tbody');
  for (const r of t.rows) {
    const tr = el('tr');
    tr.dataset.x = r.x;
    const th = el('th');
    th.append(...breakable(r.label));
    if (r.open) {
      tr.dataset.open = 'true';
      th.append(' ', el('span', 'open-tag', 'so far'));
    }
    th.scope = 'row';
    tr.append(th);
    for (const text of r.extra ?? []) tr.append(el('td', 'text', text));
    t.columns.forEach((c, k) => {
      const v = r.values[k] ?? null;
      const td = el('td', 'num');
      if (t.colourOnly) {
        td.append(el('span', 'sr-only', c.format(v)));
        td.title = `${r.label} ${c.label}: ${c.format(v)}`;
      } else td.textContent = c.format(v);
      td.dataset.col = c.key;
      td.dataset.value = v === null ? '' : String(v);
      // Through CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
      const color = t.cellColor?.(v, k);
      if (color) td.style.backgroundColor = color;
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(head, body);
  wrap.append(table);
  return wrap;
}

/**
 * A label that may wrap only after a slash (paths such as /api/v1/assets/{ID}/data), never
 * inside a word: the text with a <wbr> after each slash.
 */
function breakable(label: string): (string | HTMLElement)[] {
  return label.split(/(?<=\/)/).flatMap((part, i) => (i === 0 ? [part] : [el('wbr'), part]));
}
