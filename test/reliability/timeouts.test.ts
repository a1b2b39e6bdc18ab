/**
 * Slow clients cannot hold connections (issue 11): against a real listening
 * server, a client that dribbles its headers, one that dribbles its body, and
 * an idle keep-alive connection are each cut off after their timeout. Short
 * timeouts here; the defaults are checked on the server they configure.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/http/limits.js';
import { ADMIN, relApp, type RelApp } from './harness.js';

interface Outcome {
  /** ms from connecting until the server closed the connection. */
  closedAfter: number;
  received: string;
  /** Bytes the client managed to send before it was cut off. */
  sent: number;
}

/** Connect, run `drive` (which writes slowly), and wait for the server to close the socket. */
function session(port: number, drive: (s: Socket, sent: (n: number) => void) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    let sent = 0;
    const s = connect(port, '127.0.0.1', () => {
      drive(s, (n) => (sent += n));
    });
    s.on('data', (d: Buffer) => (received += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      resolve({ closedAfter: Date.now() - started, received, sent });
    });
    setTimeout(() => {
      s.destroy();
      reject(new Error('the server kept the slow connection open'));
    }, 8_000);
  });
}

/** Write `chunks` one at a time, `gapMs` apart, for as long as the socket is open. */
function dribble(s: Socket, chunks: string[], gapMs: number, sent: (n: number) => void): void {
  let i = 0;
  const tick = setInterval(() => {
    if (s.destroyed || i >= chunks.length) {
      clearInterval(tick);
      return;
    }
    s.write(chunks[i]!);
    sent(chunks[i++]!.length);
  }, gapMs);
}

describe('HTTP timeouts on a real server', () => {
  let t: RelApp;
  let port: number;
  beforeAll(async () => {
    t = await relApp({ timeouts: { headersMs: 400, requestMs: 1_000, keepAliveMs: 300 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  it('cuts off a client that sends its headers slowly (slowloris)', async () => {
    const lines = [
      'GET /healthz HTTP/1.1\r\n',
      'Host: x\r\n',
      ...Array.from({ length: 100 }, (_, i) => `X-${i}: y\r\n`),
    ];
    const o = await session(port, (s, sent) => {
      dribble(s, lines, 100, sent);
    });
    expect(o.received).toMatch(/^HTTP\/1\.1 408/);
    expect(o.closedAfter).toBeGreaterThanOrEqual(350);
    expect(o.closedAfter).toBeLessThan(2_500);
    expect(o.sent).toBeLessThan(lines.join('').length);
  });

  it('cuts off a client that never sends a byte', async () => {
    const o = await session(port, () => undefined);
    expect(o.closedAfter).toBeLessThan(2_500);
  });

  it('cuts off a client that sends its body slowly', async () => {
    const head = `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`;
    const o = await session(port, (s, sent) => {
      s.write(head);
      dribble(
        s,
        Array.from({ length: 400 }, () => ' '),
        50,
        sent,
      );
    });
    expect(o.closedAfter).toBeGreaterThanOrEqual(900);
    expect(o.closedAfter).toBeLessThan(3_500);
    expect(o.sent).toBeLessThan(400);
    expect(o.received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes an idle keep-alive connection', async () => {
    const o = await session(port, (s) => {
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    });
    expect(o.received).toMatch(/^HTTP\/1\.1 200/);
    expect(o.closedAfter).toBeLessThan(2_000);
  });

  it('configures safe defaults on the server', async () => {
    const d = await relApp();
    const server = d.app.server;
    expect(server.headersTimeout).toBe(DEFAULT_TIMEOUTS.headersMs);
    expect(server.requestTimeout).toBe(DEFAULT_TIMEOUTS.requestMs);
    expect(server.keepAliveTimeout).toBe(DEFAULT_TIMEOUTS.keepAliveMs);
    expect(server.timeout).toBe(DEFAULT_TIMEOUTS.idleMs);
    expect(DEFAULT_TIMEOUTS).toEqual({
      headersMs: 10_000,
      requestMs: 60_000,
      keepAliveMs: 5_000,
      idleMs: 300_000,
    });
    await d.close();
  });
});
