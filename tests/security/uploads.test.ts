/**
 * Threat: an anonymous client making the server read and buffer large multipart bodies. Uploads are
 * refused before their body is read: without a valid token (401), or on an operation that takes no
 * multipart at all (415).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(() => t?.close());

/** Sends the headers of a 9 MB multipart upload and only its first kilobyte; resolves with the status line. */
function startUpload(path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const head = [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: multipart/form-data; boundary=xyz',
        `Content-Length: ${9 * 1024 * 1024}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ].join('\r\n');
      socket.write(head + '--xyz\r\nContent-Disposition: form-data; name="upload"; filename="a.png"\r\n\r\n' + 'x'.repeat(1024));
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer while the body was still unread'));
    }, 5_000);
    socket.once('data', (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk.toString('latin1').split('\r\n')[0]);
    });
    socket.once('error', reject);
  });
}

describe('multipart uploads', () => {
  it('are refused with 401 before the body is read when no token is given', async () => {
    expect(await startUpload('/api/v1/documents')).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('are refused with 401 before the body is read for an invalid token', async () => {
    expect(await startUpload('/api/v1/documents', { Authorization: 'Bearer forged' })).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('are refused with 415 on operations that take no multipart', async () => {
    expect(await startUpload('/api/v1/accounts')).toBe('HTTP/1.1 415 Unsupported Media Type');
  });
});
