/**
 * The dashboard page: key entry (kept in localStorage once the server accepts
 * it), the org picker with sub-orgs, date range presets, the timezone, and the
 * panels, all refreshed together. The page's `data-*` attributes say what it
 * shows (state, range, timezone), for people and tests alike.
 */
import { ApiError, getSelf, latestEvents, listOrgs, type KeyInfo, type Org } from './api.js';
import { formatDay } from './format.js';
import { createPanels, describeError, disposeCharts, run, type Scope } from './panels.js';
import { addDays, customRange, PRESETS, presetRange, type DateRange } from './range.js';
import './style.css';

const KEY = 'tally.key';
const SETTINGS = 'tally.dashboard';

interface Settings {
  org: string | null;
  subtree: boolean;
  /** Days of a preset, or 0 for the custom dates. */
  preset: number;
  from: string;
  to: string;
  /** '' = the org's timezone (the browser's for all orgs). */
  timezone: string;
}

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const body = document.body;
const keyInput = $('key') as HTMLInputElement;
const orgSelect = $('org') as HTMLSelectElement;
const subtree = $('subtree') as HTMLInputElement;
const fromInput = $('from') as HTMLInputElement;
const toInput = $('to') as HTMLInputElement;
const tzSelect = $('tz') as HTMLSelectElement;
const banner = $('banner');
const rangeLabel = $('range-label');
const keyInfo = $('key-info');
const browserTz = Intl.DateTimeFormat().resolvedOptions().timeZone;

function readSettings(): Settings {
  const fallback: Settings = { org: null, subtree: true, preset: 30, from: '', to: '', timezone: '' };
  try {
    return { ...fallback, ...(JSON.parse(localStorage.getItem(SETTINGS) ?? '{}') as Partial<Settings>) };
  } catch {
    return fallback;
  }
}

let settings = readSettings();
let key = localStorage.getItem(KEY) ?? '';
let orgs: Org[] = [];
let self: KeyInfo | null = null;
let controller: AbortController | null = null;
const panels = createPanels();
$('panels').append(...panels.map((p) => p.panel.el));

function save(): void {
  localStorage.setItem(SETTINGS, JSON.stringify(settings));
}

function showBanner(message: string | null, kind: 'error' | 'info' = 'error'): void {
  banner.hidden = message === null;
  banner.textContent = message ?? '';
  banner.dataset.kind = kind;
}

/** What the key in use may see besides its orgs: its expiry and event types (docs/keys.md). */
function showKeyInfo(): void {
  keyInfo.hidden = self === null;
  if (self === null) return;
  // In UTC, as the server keeps it: a customer's portal and its team read the same instant.
  const expiry =
    self.expires_at === null
      ? 'does not expire'
      : `expires ${self.expires_at.slice(0, 16).replace('T', ' ')} UTC`;
  const types = self.types === null ? 'every event type' : `event types: ${self.types.join(', ')}`;
  keyInfo.textContent = `${self.role} key \u201c${self.name}\u201d \u00b7 ${expiry} \u00b7 ${types}`;
  Object.assign(body.dataset, { keyExpires: self.expires_at ?? '', keyTypes: self.types?.join(',') ?? '' });
}

/** The org picker: "All orgs", then the tree, children indented under their parents. */
function fillOrgs(): void {
  const byParent = new Map<string | null, Org[]>();
  const ids = new Set(orgs.map((o) => o.id));
  for (const o of orgs) {
    const parent = o.parent !== null && ids.has(o.parent) ? o.parent : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), o]);
  }
  const options = [new Option('All orgs', '')];
  const walk = (parent: string | null, depth: number): void => {
    const kids = (byParent.get(parent) ?? []).sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
    for (const o of kids) {
      options.push(new Option(`${'\u2003'.repeat(depth)}${o.name ?? o.id} (${o.id})`, o.id));
      walk(o.id, depth + 1);
    }
  };
  walk(null, 0);
  orgSelect.replaceChildren(...options);
  if (settings.org !== null && !ids.has(settings.org)) settings.org = null;
  orgSelect.value = settings.org ?? '';
}

function timezoneNow(): string {
  if (settings.timezone !== '') return settings.timezone;
  return orgs.find((o) => o.id === settings.org)?.timezone ?? browserTz;
}

function fillTimezones(): void {
  const names = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  tzSelect.replaceChildren(new Option('Org\u2019s timezone', ''), ...names.map((z) => new Option(z, z)));
}

function rangeNow(tz: string): DateRange {
  if (settings.preset > 0 || !settings.from || !settings.to) return presetRange(settings.preset || 30, tz);
  return customRange(settings.from, settings.to);
}

function syncControls(tz: string, range: DateRange): void {
  subtree.checked = settings.subtree;
  subtree.disabled = settings.org === null;
  tzSelect.value = settings.timezone;
  const own = orgs.find((o) => o.id === settings.org)?.timezone ?? browserTz;
  tzSelect.options[0]!.text = `${settings.org === null ? 'Browser' : 'Org'}\u2019s timezone (${own})`;
  fromInput.value = range.from;
  toInput.value = addDays(range.to, -1);
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    b.setAttribute('aria-pressed', String(Number(b.dataset.preset) === settings.preset));
  }
  rangeLabel.textContent = `${formatDay(range.from)} – ${formatDay(addDays(range.to, -1))} · ${tz} · by ${range.bucket}`;
  Object.assign(body.dataset, {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    timezone: tz,
    org: settings.org ?? '',
    subtree: String(settings.org !== null && settings.subtree),
  });
}

/** Redraw every panel for the current settings. */
async function refresh(): Promise<void> {
  controller?.abort();
  const ac = new AbortController();
  controller = ac;
  if (key === '') {
    body.dataset.state = 'nokey';
    showBanner(
      'Enter a read or admin key to see statistics (npm run demo prints one for its demo data).',
      'info',
    );
    disposeCharts();
    for (const p of panels) p.panel.empty('No key yet.');
    return;
  }
  body.dataset.state = 'loading';
  const tz = timezoneNow();
  const range = rangeNow(tz);
  syncControls(tz, range);
  const scope: Scope = {
    key,
    org: settings.org,
    subtree: settings.subtree,
    range,
    timezone: tz,
    types: self?.types ?? null,
    signal: ac.signal,
  };
  await Promise.all(panels.map((p) => run(p, scope)));
  if (ac.signal.aborted) return;
  body.dataset.state = panels.some((p) => p.panel.state === 'error') ? 'error' : 'ready';
  if (body.dataset.state === 'ready')
    showBanner(orgs.length === 0 ? 'This key reaches no org yet.' : null, 'info');
}

/**
 * Whether a key that the server knows may read statistics: an ingest key may list its orgs but
 * not read, and is turned away here with one plain message instead of one error per panel.
 */
async function checkCanRead(candidate: string): Promise<void> {
  try {
    await latestEvents(candidate, { limit: 1, last: '1h' });
  } catch (err) {
    // 404: the key reaches no org yet, which the page says once the key is in use.
    if (err instanceof ApiError && err.status === 404) return;
    if (err instanceof ApiError && err.status === 403)
      throw new ApiError(
        403,
        err.code,
        err.message.includes('role is ingest')
          ? 'This is an ingest key: it can send events but cannot read statistics. Paste a read or admin key (npm run demo prints one).'
          : `This key cannot read statistics: ${err.message}`,
      );
    throw err;
  }
}

/** Use `candidate` as the key if the server accepts it for reading (it is kept only then). */
async function useKey(candidate: string): Promise<void> {
  controller?.abort();
  body.dataset.state = 'loading';
  let reached: Org[];
  let info: KeyInfo;
  try {
    reached = await listOrgs(candidate);
    await checkCanRead(candidate);
    info = await getSelf(candidate);
  } catch (err) {
    // One message, in the banner; the panels keep what they showed (the saved key's figures, if any).
    body.dataset.state = 'error';
    const refused = err instanceof ApiError && (err.status === 401 || err.status === 403);
    const message = err instanceof ApiError && err.status === 403 ? err.message : describeError(err);
    const other = key !== '' && key !== candidate;
    const kept = other ? ' The key saved before is still in use.' : '';
    showBanner(
      refused && err.status === 401 ? `${message} Check the key and try again.${kept}` : `${message}${kept}`,
    );
    if (!other) {
      disposeCharts();
      for (const p of panels) p.panel.empty('No key in use.');
    }
    return;
  }
  orgs = reached;
  self = info;
  showKeyInfo();
  key = candidate;
  localStorage.setItem(KEY, key);
  keyInput.value = '';
  keyInput.placeholder = `${key.slice(0, 12)}… (saved in this browser)`;
  showBanner(null);
  fillOrgs();
  await refresh();
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const candidate = keyInput.value.trim();
  if (candidate !== '') void useKey(candidate);
});
$('forget').addEventListener('click', () => {
  localStorage.removeItem(KEY);
  key = '';
  orgs = [];
  self = null;
  showKeyInfo();
  keyInput.placeholder = 'tly_…';
  orgSelect.replaceChildren(new Option('All orgs', ''));
  void refresh();
});
orgSelect.addEventListener('change', () => {
  settings.org = orgSelect.value === '' ? null : orgSelect.value;
  save();
  void refresh();
});
subtree.addEventListener('change', () => {
  settings.subtree = subtree.checked;
  save();
  void refresh();
});
tzSelect.addEventListener('change', () => {
  settings.timezone = tzSelect.value;
  save();
  void refresh();
});
for (const days of PRESETS) {
  const b = document.querySelector<HTMLButtonElement>(`[data-preset="${days}"]`);
  b?.addEventListener('click', () => {
    settings.preset = days;
    save();
    void refresh();
  });
}
$('dates').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!fromInput.value || !toInput.value) return;
  settings = { ...settings, preset: 0, from: fromInput.value, to: toInput.value };
  save();
  void refresh();
});

fillTimezones();
orgSelect.replaceChildren(new Option('All orgs', ''));
if (key === '') void refresh();
else void useKey(key);
