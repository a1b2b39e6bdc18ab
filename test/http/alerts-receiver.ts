/**
 * A real webhook receiver for the alert tests: node:http on 127.0.0.1, which records every
 * request and checks its Tally-Signature the way docs/alerts.md tells a receiver to (an
 * HMAC computed here, independently of Tally's code). It can be down (nothing listening on
 * its port), answer any status, or redirect.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether Tally-Signature is the HMAC of "<t>.<body>" under the secret. */
  signed: boolean;
}

/** The receiver's own check, as a receiver would write it (docs/alerts.md). */
export function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export class Receiver {
  readonly received: Received[] = [];
  /** The answer to the next requests: a status, a redirect to `location`, or none at all (`hang`). */
  answer: { status: number; location?: string; hang?: boolean } = { status: 200 };
  private server: Server | null = null;
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Listen (again) on the same port; the first time on a free one. */
  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const sig = req.headers['tally-signature'];
        this.received.push({
          url: req.url ?? '',
          headers: req.headers,
          body,
          signed: typeof sig === 'string' && verify(this.secret, sig, body),
        });
        if (this.answer.hang) return; // no answer: the connection stays open until down()
        const headers = this.answer.location ? { location: this.answer.location } : {};
        res.writeHead(this.answer.status, headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stop listening: connections are refused until up() again. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    if (server)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
  }
}
