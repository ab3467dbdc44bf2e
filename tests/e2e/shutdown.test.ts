/**
 * SIGTERM under load, to a real server process: the drain. /health/ready answers 503 at once, the
 * listener keeps serving for SHUTDOWN_GRACE_MS (load balancers stop sending), responses close their
 * keep-alive connections, a request in flight when the listener closes still finishes, and the
 * process exits 0 — no request that was sent is reset.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { multipartBody } from '../helpers/multipart.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { activeSession, sessionServerEnv } from '../helpers/server-session.js';

const GRACE_MS = 4_000; // longer than a loaded machine takes to answer the balancer
const CONNECTIONS = 50;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  status?: number;
  error?: string;
  connection?: string;
  at: number;
}

let mail: MailSink;
let server: ServerProcess;
let token: string;
beforeAll(async () => {
  mail = await startMailSink();
  server = await startServerProcess({
    env: {
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...sessionServerEnv(mail),
    },
  });
  token = await activeSession(server.url, mail);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await mail?.close();
});

function request(agent: http.Agent | false, path: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, at: Date.now() });
    const req = http.get(`${server.url}${path}`, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, connection: String(res.headers.connection ?? ''), at: Date.now() }));
      res.on('error', failed);
    });
    req.on('error', failed);
  });
}

/** A document upload whose body is sent in two halves, `pauseMs` apart. */
function slowUpload(pauseMs: number): Promise<Outcome> {
  const { contentType, payload } = multipartBody({
    doc_type: 'Passport',
    doc_number: 'AA1234BB',
    doc_expire: '2030-01-22',
    upload: { filename: 'passport.pdf', contentType: 'application/pdf', data: Buffer.concat([PDF, randomBytes(512 * 1024)]) },
  });
  return new Promise((resolve) => {
    const req = http.request(
      `${server.url}/api/v1/documents`,
      { method: 'POST', agent: false, headers: { 'content-type': contentType, 'content-length': String(payload.length), authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, at: Date.now() }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, at: Date.now() }));
    const half = Math.floor(payload.length / 2);
    req.write(payload.subarray(0, half));
    setTimeout(() => req.end(payload.subarray(half)), pauseMs);
  });
}

describe('SIGTERM under 50 keep-alive connections', () => {
  it('drains: ready 503 at once, serving through the grace period, in-flight requests finish, exit 0, nothing reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const outcomes: Outcome[] = [];
    // A load balancer: polls readiness, and stops sending at the first failed check.
    let balancerStopped = false;
    const balancer = (async () => {
      while ((await request(false, '/api/v1/health/ready')).status === 200) await sleep(200);
      balancerStopped = true;
    })();
    // Most connections ask for something cheap; a fifth of them read the account (the database).
    const clients = Array.from({ length: CONNECTIONS }, async (_, i) => {
      const [path, headers] = i % 5 === 0 ? ['/api/v1/accounts/me', { authorization: `Bearer ${token}` }] : ['/.well-known/jwks.json', {}];
      while (!balancerStopped) {
        outcomes.push(await request(agent, path, headers));
        await sleep(100); // steady traffic, not a saturation test
      }
    });

    await sleep(1_000); // load on every connection
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    // Sent before the signal, its body completes only after the grace period, once the listener is closed.
    const upload = slowUpload(GRACE_MS + 700);
    await sleep(100);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await sleep(50);
    const ready = await request(false, '/api/v1/health/ready');

    // A keep-alive client during the grace period is still served, and its connection closed after the answer.
    await sleep(GRACE_MS / 3);
    const late = await request(agent, '/api/v1/health/alive');
    await Promise.all([balancer, ...clients]);
    const uploaded = await upload;
    const code = await exited;
    const exitedAt = Date.now();
    agent.destroy();

    expect(code, server.output().slice(-3_000)).toBe(0);
    expect(ready.status).toBe(503);
    expect(ready.at - signalledAt).toBeLessThan(GRACE_MS); // while it still serves
    const failed = outcomes.filter((o) => o.error !== undefined || o.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(CONNECTIONS);
    expect(late).toMatchObject({ status: 200, connection: 'close' });
    expect(uploaded.status, JSON.stringify(uploaded)).toBe(201);
    expect(uploaded.at).toBeGreaterThan(signalledAt + GRACE_MS);
    expect(exitedAt - signalledAt).toBeGreaterThanOrEqual(GRACE_MS);
    expect(exitedAt - signalledAt).toBeLessThan(GRACE_MS + 5_000);
    expect(server.output()).toContain('shutting down');
  });
});
