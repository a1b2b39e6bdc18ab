/**
 * The reliability suite's harness: an in-process app with every surface on a
 * given store (a fresh in-memory DuckDB by default), a fixed clock, and the
 * documented error shape of each surface as a checker, so that a fuzzed or
 * failed answer can be judged by what docs/errors.md and docs/compat/*.md say.
 */
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify';
import { surfaces } from '../../src/compat/index.js';
import type { ERROR_CODES } from '../../src/core/errors.js';
import { createApp, surfaceFor, type AppOptions, type Surface } from '../../src/http/app.js';
import { DuckDbStore } from '../../src/store/duckdb/store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN, NOW } from '../helpers.js';

export { ADMIN, NOW };

export interface RelApp {
  app: FastifyInstance;
  store: Store;
  /** Every route Fastify registered (method, url), HEAD routes included. */
  routes: { method: string; url: string }[];
  call(
    method: string,
    url: string,
    o?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  newKey(role: 'admin' | 'ingest' | 'read', orgs: string[]): Promise<string>;
  close(): Promise<void>;
}

/** An app with all five compatibility surfaces; `store` defaults to a fresh in-memory DuckDB. */
export async function relApp(
  opts: Partial<Omit<AppOptions, 'store'>> & {
    store?: Store;
    closeStore?: boolean;
    surfaces?: Surface[];
  } = {},
): Promise<RelApp> {
  let store = opts.store;
  if (!store) {
    const duck = await DuckDbStore.open({ path: ':memory:', clock: opts.clock ?? (() => NOW), readers: 2 });
    await duck.init();
    store = duck;
  }
  const routes: { method: string; url: string }[] = [];
  const app = await createApp(
    {
      clock: () => NOW,
      adminKey: ADMIN,
      ...opts,
      store,
      onRoute: (r: RouteOptions) => {
        for (const m of [r.method].flat()) routes.push({ method: m, url: r.url });
      },
    },
    opts.surfaces ?? surfaces,
  );
  await app.ready();
  const call: RelApp['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? ADMIN : o.key;
    if (key !== null) headers['authorization'] ??= `Bearer ${key}`;
    const json = o.body !== undefined && typeof o.body !== 'string';
    if (json) headers['content-type'] ??= 'application/json';
    return app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(o.body === undefined ? {} : { payload: json ? JSON.stringify(o.body) : (o.body as string) }),
    });
  };
  return {
    app,
    store,
    routes,
    call,
    async newKey(role, orgs) {
      const res = await call('POST', '/v1/keys', { body: { name: `${role} key`, role, orgs } });
      if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.body}`);
      return res.json<{ key: string }>().key;
    },
    async close() {
      await app.close();
      if (opts.closeStore !== false) await store.close();
    },
  };
}

/** The surface that owns a request, by the app's own rule; 'native' for /v1 and everything else. */
export function ownerOf(url: string, method?: string): string {
  return surfaceFor(surfaces, url, method)?.name ?? 'native';
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Status of each native code (docs/errors.md); invalid_request may also be 415. */
const NATIVE_STATUS: Record<keyof typeof ERROR_CODES, number[]> = {
  invalid_request: [400, 415],
  invalid_event: [400],
  payload_too_large: [413],
  unauthenticated: [401],
  forbidden: [403],
  not_found: [404],
  conflict: [409],
  too_many_buckets: [400],
  too_many_points: [400],
  query_timeout: [503],
  rate_limited: [429],
  store_unavailable: [503],
  internal: [500],
};

function nativeShape(status: number, b: unknown): string | null {
  if (!isObj(b) || !isObj(b['error'])) return 'not {"error": {...}}';
  const { code, message, details } = b['error'];
  if (!isStr(code) || !(code in NATIVE_STATUS)) return `unknown code ${String(code)}`;
  if (!NATIVE_STATUS[code as keyof typeof ERROR_CODES].includes(status))
    return `code ${code} with status ${status}`;
  if (!isStr(message)) return 'message is not a string';
  if (!Array.isArray(details)) return 'details is not an array';
  for (const d of details as unknown[]) {
    if (!isObj(d) || !isStr(d['path']) || !isStr(d['message'])) return 'a detail is not {path, message}';
    if (d['index'] !== undefined && !Number.isInteger(d['index'])) return 'detail index is not an integer';
  }
  return null;
}

function viktorShape(status: number, b: unknown): string | null {
  if (!isObj(b)) return 'not an object';
  if (status === 400) {
    const entries = Object.entries(b);
    if (entries.length === 0) return 'empty 400 body';
    for (const [, v] of entries)
      if (!Array.isArray(v) || v.length === 0 || !v.every(isStr)) return '400 field is not a list of strings';
    return null;
  }
  // 415: a POST with a body Fastify cannot parse, before the 405 route answers (DRF's shape still).
  if ([401, 403, 404, 405, 415, 429, 503].includes(status))
    return isStr(b['detail']) && Object.keys(b).length === 1 ? null : 'not {"detail": "..."}';
  return `undocumented status ${status}`;
}

function filespinShape(status: number, b: unknown): string | null {
  // 415: an unparsable body on a method FileSpin does not serve (still its shape).
  if (![400, 401, 403, 404, 415, 429, 503].includes(status)) return `undocumented status ${status}`;
  return isObj(b) && isStr(b['error']) && Object.keys(b).length === 1 ? null : 'not {"error": "..."}';
}

function safermeShape(status: number, b: unknown): string | null {
  if (!isObj(b) || !isStr(b['message'])) return 'not {"message": ...}';
  if (status === 422) return b['message'] === 'client error' && isStr(b['param']) ? null : 'bad 422 body';
  if ([401, 403, 429].includes(status)) return null;
  if (status === 503) return b['message'] === 'service unavailable' ? null : 'bad 503 body';
  return `undocumented status ${status}`;
}

const CAPGO_401 = [
  "You can't access this app",
  "You can't access this organization",
  'No organizations found',
];
const CAPGO_500 = [
  'Cannot get app statistics',
  'Cannot get organization statistics',
  'Cannot get user statistics',
];

function capgoShape(status: number, b: unknown): string | null {
  if (!isObj(b) || !isStr(b['status']) || !isStr(b['error']) || Object.keys(b).length !== 2)
    return 'not {"status", "error"}';
  if (status === 400) return b['status'] === 'Invalid body' ? null : 'bad 400 status text';
  if (status === 401) return CAPGO_401.includes(b['status']) ? null : 'bad 401 status text';
  if (status === 429) return null;
  if (status === 500) return CAPGO_500.includes(b['status']) ? null : 'bad 500 status text';
  return `undocumented status ${status}`;
}

function tr50Failure(v: unknown): string | null {
  if (!isObj(v) || v['success'] !== false) return 'not a failure';
  const { errorCodes: codes, errorMessages: msgs } = v;
  if (!Array.isArray(codes) || codes.length === 0) return 'no errorCodes';
  if (!codes.every((c) => Number.isInteger(c) && (c as number) <= -90001 && (c as number) >= -90012))
    return `unknown TR50 code ${JSON.stringify(codes)}`;
  if (!Array.isArray(msgs) || msgs.length !== codes.length || !msgs.every(isStr)) return 'bad errorMessages';
  return null;
}

/** TR50: 200 (429 when rate limited), and either a top-level failure or an answer per command id. */
function tr50Shape(status: number, b: unknown): string | null {
  if (status !== 200 && status !== 429) return `TR50 answered HTTP ${status}`;
  if (!isObj(b)) return 'not an object';
  if (b['success'] === false) return tr50Failure(b);
  if (status === 429) return 'a 429 without a failure';
  for (const v of Object.values(b)) {
    if (isObj(v) && v['success'] === true && isObj(v['params'])) continue;
    const f = tr50Failure(v);
    if (f) return `command answer: ${f}`;
  }
  return null;
}

const SHAPES: Record<string, (status: number, body: unknown) => string | null> = {
  native: nativeShape,
  viktor: viktorShape,
  filespin: filespinShape,
  saferme: safermeShape,
  capgo: capgoShape,
  tr50: tr50Shape,
};

/**
 * Null when an answer keeps the promises (no 5xx other than the documented
 * store failures, a JSON body, and errors in the owner's documented shape);
 * otherwise what is wrong. `storeDown` allows the store-failure statuses.
 */
export function judge(
  method: string,
  url: string,
  res: LightMyRequestResponse,
  storeDown = false,
): string | null {
  const owner = ownerOf(url, method);
  const s = res.statusCode;
  const allowed5xx = storeDown ? (owner === 'capgo' ? [500] : [503]) : [];
  if (s >= 500 && !allowed5xx.includes(s)) return `${owner} answered ${s}: ${res.body.slice(0, 300)}`;
  // Successes of other surfaces may be anything (metrics are text); HEAD and 204 have no body.
  if ((s < 400 && owner !== 'tr50') || (res.body === '' && (method === 'HEAD' || s === 204))) return null;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `${owner} ${s}: body is not JSON: ${res.body.slice(0, 200)}`;
  }
  if (owner === 'tr50') {
    const bad = tr50Shape(s, body);
    return bad ? `tr50 ${s}: ${bad}: ${res.body.slice(0, 300)}` : null;
  }
  if (s < 400) return null;
  // A surface this suite does not know yet: no 5xx and a JSON body is all it can hold it to.
  const shape = SHAPES[owner];
  if (!shape) return null;
  const bad = shape(s, body);
  return bad ? `${owner} ${s}: ${bad}: ${res.body.slice(0, 300)}` : null;
}
