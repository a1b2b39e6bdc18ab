/**
 * Prometheus metrics at GET /metrics (docs/metrics.md): requests and their
 * latency per route and status, events accepted and duplicates, the time of
 * every store call (through a timing proxy around the store's roles) and every
 * query plan run, and the process
 * metrics prom-client collects. Each app has its own registry, so several apps
 * in one process (tests) never mix their counts; process metrics are shared.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AuthError } from '../core/errors.js';
import { hashSecret, secretMatches } from '../core/keys.js';
import type { EventStore, UpkeepStats } from '../store/port.js';
import { nativeSecret } from './auth.js';

type HttpLabels = 'method' | 'route' | 'status';

/** The metrics of one app. */
export interface AppMetrics {
  registry: Registry;
  requests: Counter<HttpLabels>;
  latency: Histogram<HttpLabels>;
  accepted: Counter;
  duplicates: Counter;
  storeLatency: Histogram<'operation' | 'outcome'>;
}

/** The route label of requests that matched no route: never the raw URL (unbounded, may hold ids). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The one route label of the dashboard's files: each built asset is a route of its own, with a hash in its name. */
export const DASHBOARD_ROUTE = '/assets/*';

/** The route label: the pattern, one label for every dashboard asset, or `unmatched`. */
function routeLabel(url: string | undefined): string {
  if (url === undefined) return UNMATCHED_ROUTE;
  return url.startsWith('/assets/') ? DASHBOARD_ROUTE : url;
}

let processRegistry: Registry | null = null;

/**
 * CPU counters since the process started. prom-client's own count only from
 * their first collection (here: the first scrape), which read 0.003 s after
 * minutes of work; Prometheus expects the process total.
 */
function cpuSinceStart(register: Registry): void {
  const parts: [string, string, (u: NodeJS.CpuUsage) => number][] = [
    ['process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', (u) => u.user],
    ['process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', (u) => u.system],
    [
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (u) => u.user + u.system,
    ],
  ];
  for (const [name, help, read] of parts) {
    register.removeSingleMetric(name);
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        this.reset();
        this.inc(read(process.cpuUsage()) / 1e6);
      },
    });
  }
}

/** Process metrics (CPU, memory, event loop lag, GC, handles), collected once per process. */
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    cpuSinceStart(processRegistry);
  }
  return processRegistry;
}

/** A fresh registry with Tally's own metrics; `upkeep` reads the store's background upkeep figures. */
export function createMetrics(upkeep: () => UpkeepStats | null | undefined = () => null): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, read: (u: UpkeepStats) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const u = upkeep();
        if (u) this.set(read(u));
      },
    });
  };
  gauge('tally_store_compactions', 'Compaction passes since start (DuckDB).', (u) => u.compactions);
  gauge(
    'tally_store_compacted_rows',
    'Rows re-sorted by compaction since start (DuckDB).',
    (u) => u.compactedRows,
  );
  gauge(
    'tally_store_last_compaction_seconds',
    'Duration of the last compaction pass (DuckDB).',
    (u) => (u.lastCompaction?.ms ?? 0) / 1000,
  );
  gauge('tally_store_checkpoints', 'Checkpoints by the store since start (DuckDB).', (u) => u.checkpoints);
  gauge(
    'tally_store_upkeep_longest_hold_seconds',
    'The longest one upkeep step (a compaction transaction, a checkpoint) held the write lane since start, i.e. the longest an ingest commit waited behind upkeep (DuckDB).',
    (u) => u.longestHoldMs / 1000,
  );
  gauge(
    'tally_store_upkeep_failing',
    '1 while the last background compaction or checkpoint failed (it is retried), else 0 (DuckDB).',
    (u) => (u.lastError === null ? 0 : 1),
  );
  return {
    registry,
    requests: new Counter({
      name: 'tally_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: 'tally_http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its answer, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    accepted: new Counter({
      name: 'tally_events_accepted_total',
      help: 'Events stored (durable), over every ingestion route.',
      registers,
    }),
    duplicates: new Counter({
      name: 'tally_events_duplicates_total',
      help: 'Events received again for an (org, id) already stored, and so not counted again.',
      registers,
    }),
    storeLatency: new Histogram({
      name: 'tally_store_operation_duration_seconds',
      help: 'Time of each call to the store, by operation (the Store method) and outcome (ok or error).',
      labelNames: ['operation', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

type EndTimer = (labels: { outcome: 'ok' | 'error' }) => void;

/** Call `work`, ending `end` with the outcome once its result (a promise or a plain value) settles. */
function observe(end: EndTimer, work: () => unknown, onError?: (err: unknown) => void): unknown {
  let out: unknown;
  try {
    out = work();
  } catch (err) {
    end({ outcome: 'error' });
    onError?.(err);
    throw err;
  }
  if (!(out instanceof Promise)) {
    end({ outcome: 'ok' });
    return out;
  }
  return out.then(
    (result: unknown) => {
      end({ outcome: 'ok' });
      return result;
    },
    (err: unknown) => {
      end({ outcome: 'error' });
      onError?.(err);
      throw err;
    },
  );
}

/** Time one piece of store work (e.g. a whole query plan) into `storeLatency` under `operation`. */
export function timeStoreCall<R>(m: AppMetrics, operation: string, work: () => Promise<R>): Promise<R> {
  return observe(m.storeLatency.startTimer({ operation }), work) as Promise<R>;
}

/**
 * A storage role (or a whole store) with every method call timed into
 * `storeLatency`, the operation label being the method's name, and every error
 * shown to `onError` (health.ts) before it is thrown on. Whatever the role,
 * nothing here names a method; other properties pass through.
 */
export function timedStore<T extends object>(store: T, m: AppMetrics, onError?: (err: unknown) => void): T {
  const wrapped = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]): unknown =>
          observe(m.storeLatency.startTimer({ operation: prop }), () => method.apply(target, args), onError);
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

/** The event store, with every ingest's stored and duplicate events counted into `accepted` and `duplicates`. */
export function countedEvents(events: EventStore, m: AppMetrics): EventStore {
  return {
    ingest: (batch) =>
      events.ingest(batch).then((r) => {
        m.accepted.inc(r.accepted);
        m.duplicates.inc(r.duplicates);
        return r;
      }),
    listEvents: (scan, limit, order, signal) => events.listEvents(scan, limit, order, signal),
    describeEvents: (scan, caps, signal) => events.describeEvents(scan, caps, signal),
    fetchRows: (request, signal) => events.fetchRows(request, signal),
  };
}

/**
 * Count and time every answer (hook), and serve GET /metrics. With `key` set
 * (TALLY_METRICS_KEY), the scrape must send `Authorization: Bearer <key>`;
 * without it /metrics is open, like /healthz.
 */
export function registerMetrics(app: FastifyInstance, m: AppMetrics, key: string | null): void {
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: routeLabel(req.routeOptions.url),
      status: String(reply.statusCode),
    };
    m.requests.inc(labels);
    m.latency.observe(labels, reply.elapsedTime / 1000);
  });

  const keyHash = key === null || key === '' ? null : hashSecret(key);
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Text exposition format 0.0.4. Open unless TALLY_METRICS_KEY is set; then send it as a Bearer token. See docs/metrics.md.',
        produces: ['text/plain'],
        response: {
          200: {
            description: 'Metrics in the Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (req, reply) => {
      if (keyHash !== null) {
        const presented = nativeSecret(req);
        if (presented === null) throw new AuthError('unauthenticated', 'The metrics key is required.');
        if (!secretMatches(presented, keyHash))
          throw new AuthError('unauthenticated', 'The metrics key is wrong.');
      }
      const text = `${await processMetrics().metrics()}\n${await m.registry.metrics()}`;
      return reply.type(m.registry.contentType).send(text);
    },
  );
}
