/**
 * PostgreSQL going away under a running server process, the way it happens in production: the
 * server reaches its own database (created here, dropped after) through a TCP proxy that the test
 * cuts (PostgreSQL stopped), hangs (its processes stopped) and restores — the machine's PostgreSQL
 * itself is never touched — and an idle pooled connection is killed with pg_terminate_backend.
 * Needs PostgreSQL: runs when TEST_DATABASE_URL is set (CI's PostgreSQL pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { activeSession, E2E_APPLICATION_ID, postJson, sessionServerEnv } from '../helpers/server-session.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const TIMEOUT_MS = 1_000; // DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS here

describe.skipIf(!adminUrl)('PostgreSQL going away under a running server', () => {
  let scratch: ScratchDatabase;
  let proxy: TcpProxy;
  let mail: MailSink;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(adminUrl!, 'barong_outage');
    const viaProxy = new URL(scratch.url);
    proxy = await startTcpProxy({ host: viaProxy.hostname, port: Number(viaProxy.port || 5432) });
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    mail = await startMailSink();
    server = await startServerProcess({
      env: {
        DATABASE_URL: viaProxy.toString(),
        DATABASE_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
        ...sessionServerEnv(mail),
      },
    });
    token = await activeSession(server.url, mail);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await mail?.close();
    await scratch?.drop();
  });

  const me = () => fetch(`${server.url}/api/v1/accounts/me`, { headers: { authorization: `Bearer ${token}` } });
  const alive = () => expect(server.child.exitCode, server.output().slice(-3_000)).toBeNull();
  /** The database comes back: /me answers 200 again within a second. */
  async function restoreAndServeWithinASecond() {
    await proxy.restore();
    const back = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - back < 5_000) status = (await me()).status;
    expect(status).toBe(200);
    expect(Date.now() - back).toBeLessThan(1_000);
  }

  async function expectUnavailable(response: Response) {
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await response.json()).toEqual({ error: 'Database is unavailable' });
  }

  it('an idle pooled connection terminated (pg_terminate_backend): nothing visible, the pool replaces it', async () => {
    // Several connections in the pool, then idle.
    const warm = await Promise.all(Array.from({ length: 6 }, me));
    expect(warm.map((r) => r.status)).toEqual(Array(6).fill(200));
    const { rows } = await scratch.admin.query(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity where datname = $1 and state = 'idle' and pid <> pg_backend_pid()`,
      [scratch.name],
    );
    expect(rows.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    alive();
    const after = await Promise.all(Array.from({ length: 10 }, me));
    expect(after.map((r) => r.status)).toEqual(Array(10).fill(200));
    alive();
  });

  it('stopped under traffic: the process stays up, answers 503 JSON with Retry-After, and serves again within a second of its return', async () => {
    // Traffic while it happens: requests in flight when the connections are reset.
    const traffic = Promise.all(Array.from({ length: 20 }, me));
    await proxy.cut();
    const during = await traffic;
    for (const response of during) expect([200, 503]).toContain(response.status);

    await expectUnavailable(await me()); // a valid session is never called invalid
    await expectUnavailable(
      await fetch(`${server.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail('outage'), password: PASSWORD, application_id: E2E_APPLICATION_ID }),
      }),
    );
    const signUp = await postJson(`${server.url}/api/v1/accounts`, { email: uniqueEmail('outage'), password: PASSWORD });
    expect(signUp.status).toBe(503);
    expect(signUp.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.url}/api/v1/health/alive`)).status).toBe(200);

    // Some seconds away, under a stream of requests: every one is answered, none crashes the process.
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      const burst = await Promise.all(Array.from({ length: 5 }, me));
      expect(burst.map((r) => r.status)).toEqual(Array(5).fill(503));
    }
    alive();

    await restoreAndServeWithinASecond();
    expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
    alive();
  });

  it('hung (nothing flows): the timeouts answer 503 well before a client gives up, and it recovers', async () => {
    expect((await me()).status).toBe(200); // a pooled connection to hang
    proxy.hang();
    const started = Date.now();
    const [account, ready, signIn] = await Promise.all([
      me(),
      fetch(`${server.url}/api/v1/health/ready`),
      fetch(`${server.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail('hung'), password: PASSWORD, application_id: E2E_APPLICATION_ID }),
      }),
    ]);
    const elapsed = Date.now() - started;
    await expectUnavailable(account);
    expect(ready.status).toBe(503);
    await expectUnavailable(signIn);
    // Statement timeout + 1 s of silence, or the connect timeout: about 2 s here, never the outage's length.
    expect(elapsed).toBeLessThan(4 * TIMEOUT_MS);
    alive();

    await restoreAndServeWithinASecond();
    alive();
  });
});
