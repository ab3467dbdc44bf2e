/**
 * The server as an operator runs it (`src/main.ts` in its own process): sign up, confirm from the
 * mail that arrived over SMTP, sign in, and verify the session JWT with the published JWKS.
 */
import { spawnSync } from 'node:child_process';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkToken, startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { PROJECT_ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const APPLICATION_ID = 'e2e-application-0001';
let mail: MailSink;
let server: ServerProcess;

beforeAll(async () => {
  mail = await startMailSink();
  server = await startServerProcess({
    env: { SMTP_ADDRESS: '127.0.0.1', SMTP_PORT: String(mail.port), DEFAULT_APPLICATION_UID: APPLICATION_ID },
  });
});
afterAll(async () => {
  await server?.stop();
  await mail?.close();
});

async function post(path: string, body: Record<string, unknown>, token?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('the server process', () => {
  it('signs up, confirms from the mail, signs in, and its JWT verifies against the JWKS', async () => {
    const email = uniqueEmail('e2e');
    expect((await post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);

    const message = await mail.next(email, 'Confirmation instructions', 15_000);
    const confirmation = linkToken(message, 'confirmation_token');
    expect((await post('/api/v1/accounts/confirm', { confirmation_token: confirmation })).status).toBe(201);

    const session = await post('/api/v1/sessions', { email, password: PASSWORD, application_id: APPLICATION_ID });
    expect(session.status).toBe(201);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(session.body as string, jwks, { issuer: 'barong', audience: 'barong' });
    expect(payload).toMatchObject({ sub: 'session', email, level: 1, state: 'active' });

    const me = await fetch(`${server.url}/api/v1/accounts/me`, { headers: { authorization: `Bearer ${session.body}` } });
    expect(await me.json()).toMatchObject({ email, level: 1, state: 'active', otp_enabled: false });
  });

  it('logs JSON lines with request ids and the default application', () => {
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'request completed' && typeof l.reqId === 'string')).toBe(true);
    expect(server.output()).not.toContain(PASSWORD);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('shutting down');
  });
});

describe('start-up with bad configuration', () => {
  it('stops with one message naming every bad key', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, PORT: 'abc', JWT_LIFETIME: '1', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('invalid configuration');
    for (const key of ['PORT', 'JWT_LIFETIME', 'LOG_LEVEL']) expect(result.stderr).toContain(key);
  });
});
