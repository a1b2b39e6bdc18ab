/**
 * What the dashboard's end-to-end test compares: each panel's figures as the
 * page exposes them (`table[data-table]`, raw numbers in `data-value`) against
 * the native API's answer to the same query, asked here directly.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The server and the key the checks ask with. */
export const api = { url: '', key: '' };

export type Row = Record<string, number | null>;
export type Table = Record<string, Row>;
export interface Answer {
  series: {
    group: Record<string, string | null>;
    total: number | null;
    points: { start: string; value: number | null; share?: number; slot?: number }[];
  }[];
  other: Answer['series'][number] | null;
  total_groups: number;
}

/** Ask the native API, as any client would. */
export async function ask(body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${api.url}/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

/** A panel's figures as the page exposes them: row x -> column -> raw number. */
export function readTable(page: Page, id: string): Promise<Table> {
  return page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        (r as HTMLElement).dataset['x']!,
        Object.fromEntries(
          [...r.querySelectorAll<HTMLElement>('td[data-col]')].map((td) => [
            td.dataset['col']!,
            td.dataset['value'] === '' ? null : Number(td.dataset['value']),
          ]),
        ),
      ]),
    ),
  );
}

/** Series of an answer as a table: day -> column -> value (or share). */
function byDay(
  ans: Answer,
  col: (s: Answer['series'][number]) => string,
  pick: 'value' | 'share' = 'value',
): Table {
  const out: Table = {};
  for (const s of [...ans.series, ...(ans.other ? [ans.other] : [])])
    for (const p of s.points)
      (out[p.start.slice(0, 10)] ??= {})[col(s)] = pick === 'share' ? (p.share ?? 0) : p.value;
  return out;
}
const merge = (a: Table, b: Table): Table =>
  Object.fromEntries(Object.keys(a).map((k) => [k, { ...a[k], ...b[k] }]));

export async function settled(page: Page, org: string): Promise<void> {
  await page.waitForFunction(
    (o) =>
      document.body.dataset['org'] === o && ['ready', 'error'].includes(document.body.dataset['state'] ?? ''),
    org,
    { timeout: 30_000 },
  );
}

export function localDate(tz: string, plusDays = 0): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + plusDays)).toISOString().slice(0, 10);
}

/** Every panel against the API, for the scope the page says it shows. */
export async function expectPanelsMatchApi(
  page: Page,
  scope: { org: string | null; subtree: boolean; tz: string; days: number },
): Promise<void> {
  const to = localDate(scope.tz, 1);
  const from = localDate(scope.tz, 1 - scope.days);
  expect(await page.evaluate(() => Object.fromEntries(Object.entries(document.body.dataset)))).toMatchObject({
    from,
    to,
    timezone: scope.tz,
    bucket: 'day',
    state: 'ready',
  });
  const base = {
    ...(scope.org ? { org: scope.org, subtree: scope.subtree } : {}),
    from,
    to,
    timezone: scope.tz,
  };
  const label = (field: string, other: Answer['series'][number] | null) => (s: Answer['series'][number]) =>
    s === other ? 'Other' : (s.group[field] ?? '(none)');

  const [active, rolling] = await Promise.all([
    ask({ ...base, agg: 'unique' }),
    ask({ ...base, agg: 'unique', window: 'rolling', window_size: 30 }),
  ]);
  const expectedActive = merge(
    byDay(active, () => 'active'),
    byDay(rolling, () => 'rolling30'),
  );
  expect(Object.keys(expectedActive)).toHaveLength(scope.days);
  expect(await readTable(page, 'active-users')).toEqual(expectedActive);

  const services = await ask({ ...base, type: 'api.request', group_by: 'dims.service', top: 6, other: true });
  const svc = label('dims.service', services.other);
  expect(await readTable(page, 'api-services')).toEqual(byDay(services, (s) => `service:${svc(s)}`));

  const [bw, st] = await Promise.all([
    ask({ ...base, type: 'bandwidth', agg: 'sum' }),
    ask({ ...base, type: 'storage', agg: 'latest', per: ['dims.app', 'dims.kind'] }),
  ]);
  expect(await readTable(page, 'traffic-storage')).toEqual(
    merge(
      byDay(bw, () => 'bandwidth'),
      byDay(st, () => 'storage'),
    ),
  );

  const apps = await ask({
    ...base,
    type: 'activity',
    bucket: 'none',
    group_by: 'dims.app',
    filters: [['not_in', 'dims.app', [null]]],
    top: 50,
  });
  if (apps.series.length > 0) {
    const app = await page.inputValue('#app-picker');
    expect(app).toBe(apps.series[0]!.group['dims.app']);
    const v = await ask({
      ...base,
      type: 'activity',
      group_by: 'dims.version',
      filters: [
        ['eq', 'dims.app', [app]],
        ['not_in', 'dims.version', [null]],
      ],
      share: 1,
      top: 8,
      other: true,
    });
    const ver = label('dims.version', v.other);
    expect(await readTable(page, 'versions')).toEqual(byDay(v, (s) => `version:${ver(s)}`, 'share'));
  }

  // The heatmap's rows and columns must add up to the engine's own weekday and hour histograms.
  const [hours, weekdays] = await Promise.all([
    ask({ ...base, type: 'api.request', bucket: 'hour_of_day' }),
    ask({ ...base, type: 'api.request', bucket: 'day_of_week' }),
  ]);
  const heat = await readTable(page, 'heatmap');
  const order = await page.$$eval('table[data-table="heatmap"] tbody tr', (rows) =>
    rows.map((r) => (r as HTMLElement).dataset['x']),
  );
  expect(order).toEqual(['1', '2', '3', '4', '5', '6', '0']); // Monday first
  const cells = (wd: string) => Object.values(heat[wd]!).map((v) => v ?? 0);
  for (const p of weekdays.series[0]!.points)
    expect(
      cells(String(p.slot)).reduce((a, b) => a + b),
      `weekday ${p.slot}`,
    ).toBe(p.value);
  for (const p of hours.series[0]!.points)
    expect(
      Object.values(heat).reduce((a, row) => a + (row[`h${p.slot}`] ?? 0), 0),
      `hour ${p.slot}`,
    ).toBe(p.value);

  const top = await ask({
    ...base,
    type: 'api.request',
    bucket: 'none',
    group_by: ['dims.service', 'dims.endpoint'],
    top: 10,
    other: true,
  });
  const total = [...top.series, ...(top.other ? [top.other] : [])].reduce((a, s) => a + s.total!, 0);
  const endpoints: Table = {};
  for (const s of top.series)
    endpoints[s.group['dims.endpoint']!] = {
      calls: s.total,
      share: Math.round((s.total! / total) * 1000) / 10,
    };
  if (top.other)
    endpoints['(other)'] = {
      calls: top.other.total,
      share: Math.round((top.other.total! / total) * 1000) / 10,
    };
  expect(await readTable(page, 'endpoints')).toEqual(endpoints);
  expect(total).toBeGreaterThan(0);
}
