/**
 * The event stream of the benchmark dataset: a sequential, seeded generator over
 * the model in model.ts. Event i of a stream depends only on (seed, stream base +
 * i) and, for report.* events, on the reports its org created earlier in the same
 * stream (a small ring per org), so a stream can be regenerated chunk by chunk
 * without holding it in memory. Streams: the dataset itself (base 0) and the
 * ingest slice (a disjoint id range, times on the dataset's last day).
 */
import type { EventRecord } from '../../src/core/model.js';
import {
  DAY_MS,
  ENDPOINTS,
  STATE_NAMES,
  TimeAxis,
  TYPE_MIX,
  buildOrgs,
  mix32,
  orgCdf,
  pickIndex,
  uniform,
  versionAt,
  workspaceType,
  type DatasetParams,
  type OrgSpec,
} from './model.js';

export interface StreamSpec {
  /** Global index of the stream's first event (ids are unique across streams). */
  base: number;
  /** Number of events. */
  n: number;
  /** Time range [from, to) in epoch ms, whole days. */
  from: number;
  to: number;
}

/** The dataset stream: `events` events over the `days` days before `end`. */
export function datasetStream(p: DatasetParams): StreamSpec {
  return { base: 0, n: p.events, from: p.end - p.days * DAY_MS, to: p.end };
}

/** The ingest slice: `n` new events (ids disjoint from the dataset's) on the dataset's last day. */
export function sliceStream(p: DatasetParams, n: number): StreamSpec {
  return { base: 0x80000000, n, from: p.end - DAY_MS, to: p.end };
}

const RING = 32;
const hex8 = (x: number): string => x.toString(16).padStart(8, '0');

/** Generates one stream's events in order; `next()` returns null after the last. */
export class EventGenerator {
  readonly orgs: OrgSpec[];
  private readonly cdf: Float64Array;
  private readonly axis: TimeAxis;
  private readonly seedMix: number;
  private readonly endpointCdf: Float64Array;
  private readonly reports = new Map<number, string[]>();
  private i = 0;
  private h = 0;
  private dayHint = 0;

  constructor(
    readonly params: DatasetParams,
    readonly stream: StreamSpec,
  ) {
    this.orgs = buildOrgs(params);
    this.cdf = orgCdf(this.orgs);
    this.axis = new TimeAxis(stream.to, Math.round((stream.to - stream.from) / DAY_MS));
    this.seedMix = mix32(params.seed * 0x2545f491 + 0x3c6ef372);
    const w = ENDPOINTS.map((_, k) => 1 / (k + 1) ** 1.2);
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.endpointCdf = Float64Array.from(w, (x) => (acc += x / total));
    this.endpointCdf[w.length - 1] = 1;
  }

  /** The next uniform of the current event's chain. */
  private u(): number {
    this.h = mix32(this.h + 0x9e3779b9);
    return this.h / 4294967296;
  }

  /** Heavy users: actor indices are skewed towards the start of the org's range. */
  private device(org: OrgSpec): number {
    return org.deviceBase + Math.floor(org.devices * this.u() ** 1.6);
  }

  private user(org: OrgSpec): number {
    return org.userBase + Math.floor(org.users * this.u() ** 1.6);
  }

  /** How many events were produced so far. */
  get produced(): number {
    return this.i;
  }

  next(): EventRecord | null {
    if (this.i >= this.stream.n) return null;
    const i = this.i++;
    const idx = this.stream.base + i;
    // A chain of mixes gives the event's independent uniforms (see u()).
    this.h = mix32(idx ^ this.seedMix);
    const { day, ts } = this.axis.at((i + 0.5) / this.stream.n, this.dayHint);
    this.dayHint = day;
    // Day of the dataset's own axis (versions drift over the dataset's year).
    const dataDay = Math.floor((ts - (this.params.end - this.params.days * DAY_MS)) / DAY_MS);
    const org = this.orgs[pickIndex(this.cdf, this.u())]!;
    const tu = this.u();
    let t = 0;
    while (tu >= TYPE_MIX[t]![1]) t++;
    const type = TYPE_MIX[t]![0];
    const id = hex8(mix32(idx + this.seedMix)) + hex8(idx);
    const e: EventRecord = { org: org.id, id, type, ts, actor: null, value: 1, dims: {} };
    switch (type) {
      case 'activity': {
        if (this.u() < 0.8) {
          const d = this.device(org);
          e.actor = `d${d}`;
          e.dims = { app: org.apps[d % org.apps.length]!, version: versionAt(d, dataDay) };
        } else {
          const n = this.user(org);
          const ws = n % org.workspaces.length;
          e.actor = `u${n}`;
          e.dims = {
            app: org.apps[0]!,
            version: versionAt(1_000_000 + n, dataDay),
            workspace: org.workspaces[ws]!,
            workspace_type: workspaceType(org, ws),
          };
        }
        break;
      }
      case 'api.request': {
        const [endpoint, service] = ENDPOINTS[pickIndex(this.endpointCdf, this.u())]!;
        if (this.u() < 0.7) e.actor = `u${this.user(org)}`;
        e.dims = { service, endpoint };
        break;
      }
      case 'bandwidth': {
        const d = this.device(org);
        e.actor = `d${d}`;
        e.value = Math.floor(Math.exp(this.u() * Math.log(5e6))) + 1;
        e.dims = { app: org.apps[d % org.apps.length]! };
        break;
      }
      case 'storage': {
        const k = Math.floor(this.u() * org.apps.length);
        const base = Math.floor(2e9 * org.weight * (1 + uniform(org.rank, 7 + k)));
        const tau = (ts - this.params.end + this.params.days * DAY_MS) / (this.params.days * DAY_MS);
        e.value = Math.floor(base * (1 + 2 * tau)) + Math.floor(this.u() * 1e6);
        e.dims = { app: org.apps[k]!, kind: 'ASSET' };
        break;
      }
      default:
        this.report(e, org, idx);
    }
    return e;
  }

  /** report.* events: created reports go into the org's ring; the others refer to one of them. */
  private report(e: EventRecord, org: OrgSpec, idx: number): void {
    let ring = this.reports.get(org.rank);
    if (e.type !== 'report.created' && (ring === undefined || ring.length === 0)) e.type = 'report.created';
    const reporter = `u${this.user(org)}`;
    if (e.type === 'report.created') {
      const report = String(idx);
      if (ring === undefined) this.reports.set(org.rank, (ring = []));
      if (ring.length >= RING) ring[Math.floor(this.u() * RING)] = report;
      else ring.push(report);
      e.actor = reporter;
      e.dims = { report, state: '1', state_name: STATE_NAMES[0]! };
      return;
    }
    const report = ring![Math.floor(this.u() * ring!.length)]!;
    switch (e.type) {
      case 'report.state_changed': {
        const s = 1 + Math.floor(this.u() * 3);
        e.actor = reporter;
        e.dims = { report, state: String(s + 1), state_name: STATE_NAMES[s]! };
        break;
      }
      case 'report.field_selected': {
        const field = 1 + Math.floor(this.u() * 3);
        const value = 1 + Math.floor(this.u() * 4);
        e.actor = reporter;
        e.dims = { report, field: String(field), value: String(value), name: `Option ${field}.${value}` };
        break;
      }
      case 'report.read':
        e.actor = reporter;
        e.dims = { report };
        break;
      default: {
        const image = String(idx);
        e.actor = reporter;
        e.dims = {
          report,
          image,
          thumb: `https://img.example.com/${image}/thumb.jpg`,
          medium: `https://img.example.com/${image}/medium.jpg`,
        };
      }
    }
  }
}

/** One TSV line of the bulk-load format (see dataset.ts); dims as JSON text, as the store stages them. */
export function tsvLine(e: EventRecord, received: number): string {
  return `${e.org}\t${e.type}\t${e.ts}\t${e.id}\t${e.actor ?? '\\N'}\t${e.value}\t${JSON.stringify(e.dims)}\t${received}\n`;
}

/** The event as a client sends it to POST /v1/events. */
export function wireEvent(e: EventRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: e.id,
    type: e.type,
    time: new Date(e.ts).toISOString(),
    org: e.org,
    dims: e.dims,
  };
  if (e.actor !== null) out['actor'] = e.actor;
  if (e.value !== 1) out['value'] = e.value;
  return out;
}
