/**
 * The benchmark dataset's fixed model: orgs (Zipf(1) sizes, sub-orgs, domains,
 * timezones), their actors (devices and users, split in proportion to org size),
 * apps, workspaces, versions, services and endpoints, the time axis (365 days
 * ending at END, growing traffic, quieter weekends, a diurnal curve), and a
 * counter-based PRNG so that any event can be generated from (seed, index) alone.
 * ANCHORS.md's gen.mjs is the model; this adds what the five compat APIs read.
 */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** The dataset's end (exclusive): ANCHORS' END, 2026-11-23 00:00 UTC, a Monday. */
export const DEFAULT_END = Date.UTC(2026, 10, 23);

/** Parameters that decide the generated data (and key the cache). */
export interface DatasetParams {
  events: number;
  seed: number;
  days: number;
  orgs: number;
  devices: number;
  users: number;
  /** Epoch ms, exclusive end of the dataset's time range (a UTC midnight). */
  end: number;
}

export const DEFAULT_PARAMS: DatasetParams = {
  events: 10_000_000,
  seed: 1,
  days: 365,
  orgs: 1000,
  devices: 180_000,
  users: 20_000,
  end: DEFAULT_END,
};

/** A cache key naming every parameter, e.g. `e10000000-s1-d365-o1000-a180000+20000-end20261123`. */
export function paramsKey(p: DatasetParams): string {
  const end = new Date(p.end).toISOString().slice(0, 10).replaceAll('-', '');
  // v2: the store's schema with org numbers (org k is number k); older cached files are rebuilt.
  return `v2-e${p.events}-s${p.seed}-d${p.days}-o${p.orgs}-a${p.devices}+${p.users}-end${end}`;
}

/** murmur3's 32-bit finaliser: a bijective mix of a 32-bit integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A uniform in [0, 1) from (a, b): stateless, so any event or actor can be drawn alone. */
export function uniform(a: number, b: number): number {
  return mix32(mix32(a >>> 0) ^ Math.imul(b + 0x632be5ab, 0x9e3779b1)) / 4294967296;
}

export interface OrgSpec {
  rank: number;
  /** Decimal ids ("1" is the largest): SaferMe channels and FileSpin usergroups are integers. */
  id: string;
  parent: string | null;
  domain: string;
  timezone: string;
  weight: number;
  /** Global index of the first device / user; device ids are `d<n>`, users `u<n>`. */
  deviceBase: number;
  devices: number;
  userBase: number;
  users: number;
  apps: string[];
  workspaces: string[];
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu'];

/** The org id of a rank: rank 0 is "1". */
export const orgId = (rank: number): string => String(rank + 1);

/** Sub-orgs: every tenth org from rank 100 on hangs under one of the ten largest. */
export function parentRank(rank: number): number | null {
  return rank >= 100 && rank % 10 === 0 ? (rank / 10) % 10 : null;
}

/** Split `total` over weights, at least one each (largest remainder keeps the sum close). */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.max(1, Math.round((total * w) / sum)));
}

/** The orgs of a dataset, largest first. */
export function buildOrgs(p: DatasetParams): OrgSpec[] {
  const weights = Array.from({ length: p.orgs }, (_, k) => 1 / (k + 1));
  const devices = split(p.devices, weights);
  const users = split(p.users, weights);
  let deviceBase = 0;
  let userBase = 0;
  return weights.map((weight, rank) => {
    const id = orgId(rank);
    const parent = parentRank(rank);
    const nApps = rank < 50 ? 3 : rank < 300 ? 2 : 1;
    const nWs = Math.min(20, 1 + Math.floor(users[rank]! / 25));
    const org: OrgSpec = {
      rank,
      id,
      parent: parent === null ? null : orgId(parent),
      domain: `org${id}.example.com`,
      timezone: rank % 7 === 3 ? ZONES[rank % ZONES.length]! : 'UTC',
      weight,
      deviceBase,
      devices: devices[rank]!,
      userBase,
      users: users[rank]!,
      apps: Array.from({ length: nApps }, (_, k) => `com.org${id}.app${k}`),
      workspaces: Array.from({ length: nWs }, (_, k) => `ws${id}-${k}`),
    };
    deviceBase += org.devices;
    userBase += org.users;
    return org;
  });
}

/** Cumulative weights for drawing an org per event (binary search). */
export function orgCdf(orgs: OrgSpec[]): Float64Array {
  const total = orgs.reduce((a, o) => a + o.weight, 0);
  const cdf = new Float64Array(orgs.length);
  let acc = 0;
  orgs.forEach((o, k) => {
    acc += o.weight / total;
    cdf[k] = acc;
  });
  cdf[orgs.length - 1] = 1;
  return cdf;
}

export function pickIndex(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Workspace types: mostly standard, some development or public (by the workspace's own hash). */
export function workspaceType(org: OrgSpec, k: number): string {
  const u = uniform(org.rank * 97 + k, 11);
  return u < 0.8 ? 'standard' : u < 0.95 ? 'development' : 'public';
}

/** Users with index % 5 === 0 are developers; the rest users. Devices are `device`. */
export function actorKind(actor: string): string {
  if (actor.startsWith('d')) return 'device';
  return Number(actor.slice(1)) % 5 === 0 ? 'developer' : 'user';
}

/** Six releases, 70 days apart; the first predates the range. Day offsets from the range start. */
export const VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'];
const RELEASE_DAY = VERSIONS.map((_, k) => -30 + 70 * k);

/** The version an actor (global number `who`) runs on day `day` of the range: adoption lags ~12 days. */
export function versionAt(who: number, day: number): string {
  for (let k = VERSIONS.length - 1; k > 0; k--) {
    const lag = Math.floor(-Math.log(1 - uniform(who, 100 + k)) * 12);
    if (RELEASE_DAY[k]! + lag <= day) return VERSIONS[k]!;
  }
  return VERSIONS[0]!;
}

/** FileSpin-style endpoints, most used first, each with the service it belongs to (8 services). */
export const ENDPOINTS: readonly [string, string][] = [
  ['/api/v1/assets/{ASSET_ID}/data', 'assets'],
  ['/api/v1/assets/{ASSET_ID}', 'assets'],
  ['/api/v1/search', 'search'],
  ['/api/v1/assets/new', 'upload'],
  ['/api/v1/assets/{ASSET_ID}/conversions', 'transcode'],
  ['/api/v1/auth/token', 'auth'],
  ['/api/v1/assets/{ASSET_ID}/addons', 'addons'],
  ['/api/v1/usergroups/{ID}/stats', 'stats'],
  ['/api/v1/webhooks', 'webhooks'],
  ['/api/v1/assets/{ASSET_ID}/metadata', 'assets'],
  ['/api/v1/transcodes/{ID}', 'transcode'],
  ['/api/v1/search/saved', 'search'],
];

/** The event mix: cumulative thresholds of a uniform. */
export const TYPE_MIX: readonly [string, number][] = [
  ['activity', 0.42],
  ['api.request', 0.8],
  ['bandwidth', 0.93],
  ['storage', 0.94],
  ['report.created', 0.955],
  ['report.state_changed', 0.97],
  ['report.field_selected', 0.985],
  ['report.read', 0.997],
  ['report.image_added', 1],
];

export const STATE_NAMES = ['Open', 'In progress', 'Resolved', 'Closed'];

/**
 * The time axis: event i of n falls on a day drawn by cumulative day weights (traffic grows
 * by half over the year; weekends carry 65 %), then within the day by a diurnal curve
 * peaking mid-afternoon UTC. Monotone in i, so the stream is in time order.
 */
export class TimeAxis {
  readonly start: number;
  private readonly cum: Float64Array;
  private readonly diurnal: Float64Array;

  constructor(
    readonly end: number,
    readonly days: number,
  ) {
    this.start = end - days * DAY_MS;
    const w = Array.from({ length: days }, (_, d) => {
      const dow = (Math.floor((this.start + d * DAY_MS) / DAY_MS) + 4) % 7;
      return (1 + (0.5 * d) / days) * (dow === 0 || dow === 6 ? 0.65 : 1);
    });
    const total = w.reduce((a, b) => a + b, 0);
    this.cum = new Float64Array(days + 1);
    for (let d = 0; d < days; d++) this.cum[d + 1] = this.cum[d]! + w[d]! / total;
    this.cum[days] = 1;
    // Inverse CDF of density 1 + 0.6 sin(2 pi (f - 0.375)) on [0, 1), tabulated.
    const steps = 4096;
    const cdf = new Float64Array(steps + 1);
    for (let s = 0; s < steps; s++) {
      const f = (s + 0.5) / steps;
      cdf[s + 1] = cdf[s]! + (1 + 0.6 * Math.sin(2 * Math.PI * (f - 0.375))) / steps;
    }
    this.diurnal = new Float64Array(steps + 1);
    let s = 0;
    for (let k = 0; k <= steps; k++) {
      const target = (k / steps) * cdf[steps]!;
      while (s < steps && cdf[s + 1]! < target) s++;
      const span = cdf[s + 1]! - cdf[s]!;
      this.diurnal[k] = (s + (span > 0 ? (target - cdf[s]!) / span : 0)) / steps;
    }
  }

  /** Day index and epoch ms of position q in [0, 1); `hint` is a day at or before the answer. */
  at(q: number, hint = 0): { day: number; ts: number } {
    let d = hint;
    while (d < this.days - 1 && this.cum[d + 1]! <= q) d++;
    const f = (q - this.cum[d]!) / (this.cum[d + 1]! - this.cum[d]!);
    const x = f * (this.diurnal.length - 1);
    const k = Math.min(Math.floor(x), this.diurnal.length - 2);
    const g = this.diurnal[k]! + (x - k) * (this.diurnal[k + 1]! - this.diurnal[k]!);
    const ms = Math.min(DAY_MS - 1, Math.floor(g * DAY_MS));
    return { day: d, ts: this.start + d * DAY_MS + ms };
  }
}
