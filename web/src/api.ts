/**
 * The dashboard's only way to the server: the same public endpoints any client
 * uses (GET /v1/orgs, POST /v1/query, GET /v1/schema, GET /v1/events/latest,
 * GET /v1/keys/self),
 * with the key as a Bearer token, and the
 * native error body turned into an ApiError a panel can show.
 */

/** A failed call: HTTP status (0 when the server could not be reached), error code, message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An org as GET /v1/orgs lists it. */
export interface Org {
  id: string;
  name: string | null;
  parent: string | null;
  domain: string | null;
  timezone: string;
}

/** One point of a native query answer (docs/query.md). */
export interface Point {
  start: string;
  end: string;
  value: number | null;
  share?: number;
  slot?: number;
}

/** One series of a native query answer. */
export interface Series {
  group: Record<string, string | null>;
  total: number | null;
  points: Point[];
}

/** The native query answer. */
export interface QueryAnswer {
  range: { from: string; to: string };
  timezone: string;
  bucket: string;
  series: Series[];
  other: Series | null;
  total_groups: number;
  /** last_bucket_open: the last bucket reaches past now, so its figures are still growing. */
  meta: { last_bucket_open: boolean };
}

/** Counted over a window: how many events, the first and the last (RFC 3339 UTC). */
export interface Seen {
  count: number;
  first_seen: string;
  last_seen: string;
}

/** GET /v1/schema: the event types, most frequent first, and the dims keys of each. */
export interface SchemaAnswer {
  types: (Seen & { type: string; keys: (Seen & { key: string })[]; more_keys: boolean })[];
  more_types: boolean;
}

/** An event as GET /v1/events/latest lists it (the shape POST /v1/events takes). */
export interface LatestEvent {
  id: string;
  type: string;
  time: string;
  org: string;
  actor?: string;
  value: number;
  dims?: Record<string, string>;
}

/** The key in use, as GET /v1/keys/self shows it (docs/keys.md). */
export interface KeyInfo {
  role: string;
  name: string;
  /** RFC 3339 UTC; null: it does not expire. */
  expires_at: string | null;
  /** The only event types it reads; null: every type. */
  types: string[] | null;
}

/** A native query body: the names of docs/query.md. */
export type QueryBody = Record<string, unknown>;

async function call<T>(path: string, key: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The Tally server could not be reached.');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: handled below
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? (text || res.statusText));
  }
  return json as T;
}

/** The orgs the key reaches. */
export async function listOrgs(key: string, signal?: AbortSignal): Promise<Org[]> {
  return (await call<{ orgs: Org[] }>('/v1/orgs', key, undefined, signal)).orgs;
}

/** GET /v1/keys/self: the key's own role, expiry and event types. */
export function getSelf(key: string, signal?: AbortSignal): Promise<KeyInfo> {
  return call<KeyInfo>('/v1/keys/self', key, undefined, signal);
}

/** POST /v1/query. */
export function query(key: string, body: QueryBody, signal?: AbortSignal): Promise<QueryAnswer> {
  return call<QueryAnswer>('/v1/query', key, body, signal);
}

/** GET `path` with query parameters (lists comma-joined, undefined left out). */
function getWith<T>(
  path: string,
  key: string,
  params: Record<string, string | number | boolean | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  return call<T>(`${path}?${qs.toString()}`, key, undefined, signal);
}

/** GET /v1/schema. */
export function getSchema(
  key: string,
  params: Record<string, string | number | boolean | undefined>,
  signal?: AbortSignal,
): Promise<SchemaAnswer> {
  return getWith<SchemaAnswer>('/v1/schema', key, params, signal);
}

/** GET /v1/events/latest. */
export function latestEvents(
  key: string,
  params: Record<string, string | number | boolean | undefined>,
  signal?: AbortSignal,
): Promise<{ events: LatestEvent[]; more: boolean }> {
  return getWith('/v1/events/latest', key, params, signal);
}
