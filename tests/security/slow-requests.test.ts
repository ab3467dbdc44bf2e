/**
 * Slowloris: a client that sends its request a byte at a time must not hold a connection for long.
 * A real listening server and a raw socket (app.inject has no sockets), with a 2 s request timeout.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({ REQUEST_TIMEOUT_SECONDS: '2' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(() => t?.close());

/** Sends `head` at once, then one byte of `trickle` every 250 ms; resolves when the server closes. */
function trickle(head: string, drip: string): Promise<{ seconds: number; received: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    let sent = 0;
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < drip.length && !socket.destroyed) socket.write(drip[sent++]);
      }, 250);
    });
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      resolve({ seconds: (Date.now() - started) / 1000, received, bytesSent: sent });
    };
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', done);
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after 15 s (${sent} bytes sent)`));
    }, 15_000);
  });
}

it('closes a connection whose body arrives a byte at a time once the request timeout passes', async () => {
  const body = JSON.stringify({ email: 'slow@example.com', password: 'Secret123', padding: 'x'.repeat(100) });
  const head = `POST /api/v1/accounts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const result = await trickle(head, body);
  expect(result.received).toMatch(/^HTTP\/1\.1 408/);
  expect(result.seconds).toBeGreaterThanOrEqual(1.5);
  expect(result.seconds).toBeLessThan(6);
  expect(result.bytesSent).toBeLessThan(body.length);
});

it('closes a connection whose headers arrive a byte at a time', async () => {
  const result = await trickle('GET /api/v1/health/alive HTTP/1.1\r\n', `Host: localhost\r\nX-Slow: ${'y'.repeat(100)}\r\n\r\n`);
  expect(result.seconds).toBeLessThan(6);
  expect(result.received).not.toMatch(/^HTTP\/1\.1 200/);
});

it('still answers a request sent at once', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/health/alive`, { headers: { connection: 'close' } });
  expect(res.status).toBe(200);
});
