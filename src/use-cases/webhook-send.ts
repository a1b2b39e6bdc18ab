/**
 * Sending one webhook request (docs/alerts.md): http or https only, never a redirect
 * followed, no answer within the timeout is a failure, and the destination checked
 * against loopback, private, link-local and metadata addresses (core/addresses.ts)
 * when the alert is created and again at every send, on the very addresses the
 * connection uses (DNS can change between the two), unless the operator allows them.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isBlockedAddress } from '../core/addresses.js';

/** Resolve a host name to its addresses (the system resolver; tests may pass another). */
export type Lookup = (host: string) => Promise<LookupAddress[]>;

export const systemLookup: Lookup = (host) => dns.lookup(host, { all: true, verbatim: true });

export interface DestinationOptions {
  /** TALLY_WEBHOOK_ALLOW_PRIVATE: let webhooks reach private addresses (a receiver on the same host or network). */
  allowPrivate: boolean;
  lookup: Lookup;
}

const BLOCKED = 'resolves to a loopback, private, link-local or metadata address';

/** The host of a URL as an address or name, without IPv6 brackets. */
const hostOf = (u: URL): string => u.hostname.replace(/^\[|\]$/g, '');

/** Why `raw` may not be a webhook URL (a message for a 400), or null when it may. */
export async function destinationFault(raw: string, opts: DestinationOptions): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (opts.allowPrivate) return null;
  const host = hostOf(u);
  if (isIP(host) !== 0) return isBlockedAddress(host) ? `is an address that ${BLOCKED}` : null;
  let addresses: LookupAddress[];
  try {
    addresses = await opts.lookup(host);
  } catch {
    return `names a host that does not resolve (${host})`;
  }
  if (addresses.length === 0) return `names a host that does not resolve (${host})`;
  return addresses.some((a) => isBlockedAddress(a.address)) ? `names a host that ${BLOCKED}` : null;
}

/** What one attempt got: the HTTP status, or null and why there was none. */
export interface SendOutcome {
  status: number | null;
  error: string | null;
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses blocked addresses (unless allowed). */
function guardedLookup(opts: DestinationOptions) {
  return (host: string, options: { all?: boolean }, callback: LookupCallback): void => {
    opts.lookup(host).then(
      (found) => {
        const usable = opts.allowPrivate ? found : found.filter((a) => !isBlockedAddress(a.address));
        if (usable.length < found.length || usable.length === 0) {
          callback(
            new Error(usable.length < found.length ? `${host} ${BLOCKED}` : `${host} does not resolve`),
            '',
          );
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: unknown) => {
        callback(err instanceof Error ? err : new Error(String(err)), '');
      },
    );
  };
}

/**
 * POST `body` to `url` with `headers`; a 3xx is an answer like any other (not followed).
 * Resolves, never rejects: a failure is an outcome with status null.
 */
export function sendWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: DestinationOptions & { timeoutMs: number },
): Promise<SendOutcome> {
  const u = new URL(url);
  const host = hostOf(u);
  // A literal address is connected to without a lookup: judge it here.
  if (!opts.allowPrivate && isIP(host) !== 0 && isBlockedAddress(host))
    return Promise.resolve({ status: null, error: `${host} ${BLOCKED}` });
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: SendOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const send = u.protocol === 'https:' ? https.request : http.request;
    const req = send(u, {
      method: 'POST',
      agent: false,
      lookup: guardedLookup(opts),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.destroy();
      done({ status: res.statusCode ?? null, error: null });
    });
    req.on('error', (err) => {
      done({ status: null, error: err.message.slice(0, 200) });
    });
    req.end(body);
  });
}
