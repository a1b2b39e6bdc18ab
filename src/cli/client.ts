/**
 * The CLI's way to a running Tally: HTTP with a key, the server's native error
 * messages turned into one readable line, and retries for what a retry can
 * fix (the network, 429, 5xx), honouring Retry-After.
 */

/** A failure to show the user; `status` is the HTTP status when the server answered. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Connection {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  key: string | null;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  accept?: string;
  /** Retries after the first attempt, for network errors, 429 and 5xx (default 0). */
  retries?: number;
  /** Milliseconds before one attempt is abandoned (default 120 s). */
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** The connection from flags, then TALLY_URL / TALLY_KEY (TALLY_ADMIN_KEY as a last resort). */
export function connectionOf(
  flags: { url?: string; key?: string },
  env: Record<string, string | undefined>,
): Connection {
  const url = (flags.url ?? env['TALLY_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new CliError(`Not an http(s) URL: ${url}`);
  const key = flags.key ?? env['TALLY_KEY'] ?? env['TALLY_ADMIN_KEY'] ?? null;
  return { url, key: key === '' ? null : key };
}

/** The one-line message of an error answer: the native `error.message` (and first details) when there is one. */
export function errorMessage(status: number, text: string, conn?: Connection): string {
  let message = `${status}: ${text.slice(0, 300) || 'no body'}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown[] } };
    if (body.error?.message) message = `${status} ${body.error.code ?? ''}: ${body.error.message}`.trim();
  } catch {
    // not JSON
  }
  // A first-time user often has simply not said which key to use.
  if (status === 401 && conn?.key === null) message += `\n${NO_KEY_HINT}`;
  return message;
}

/** What to do when no key was given. */
export const NO_KEY_HINT = 'No key was given: pass --key <key> or set TALLY_KEY (an admin key also works).';

/** The message when nothing answers at `url`. */
export function unreachable(url: string, cause: string): string {
  return `Cannot reach Tally at ${url}: ${cause}\nIs it running there? Point --url or TALLY_URL at it (default http://127.0.0.1:8080).`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function retryDelay(attempt: number, headers: Headers | null): number {
  const after = Number(headers?.get('retry-after'));
  if (Number.isFinite(after) && after > 0) return Math.min(after, 30) * 1000;
  return Math.min(500 * 2 ** attempt, 8000);
}

/**
 * One request; resolves with any HTTP answer that is not retried, rejects
 * with CliError when the server cannot be reached (after the retries).
 */
export async function request(
  conn: Connection,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (conn.key !== null) headers['authorization'] = `Bearer ${conn.key}`;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  if (opts.accept) headers['accept'] = opts.accept;
  const retries = opts.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${conn.url}${path}`, {
        method,
        headers,
        body: opts.body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
      });
    } catch (err) {
      if (attempt < retries) {
        await sleep(retryDelay(attempt, null));
        continue;
      }
      const cause =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : '';
      throw new CliError(unreachable(conn.url, cause));
    }
    const text = await res.text();
    if ((res.status === 429 || res.status >= 500) && attempt < retries) {
      await sleep(retryDelay(attempt, res.headers));
      continue;
    }
    return { status: res.status, text, headers: res.headers };
  }
}

/** A request whose answer must be 2xx JSON (or empty); anything else is a CliError. */
export async function requestJson<T>(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const a = await request(conn, method, path, {
    body: body === undefined ? undefined : JSON.stringify(body),
    contentType: body === undefined ? undefined : 'application/json',
    retries: method === 'GET' ? 2 : 0,
  });
  if (a.status < 200 || a.status > 299)
    throw new CliError(errorMessage(a.status, a.text, conn), a.status, a.text);
  return (a.text === '' ? null : JSON.parse(a.text)) as T;
}
