/**
 * WEB_CONCURRENCY=2 as an operator runs it (PostgreSQL and Redis only: the PostgreSQL pass of CI):
 * two worker processes answer on one port, share the rate-limit counters, accept the one operator
 * token, and all stop on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { uniqueEmail } from '../helpers/test-app.js';

const SIGN_INS_PER_EMAIL = 4;
const runs = Boolean(process.env.TEST_DATABASE_URL && TEST_REDIS_URL);

describe.skipIf(!runs)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({
      env: {
        WEB_CONCURRENCY: '2',
        REDIS_URL: TEST_REDIS_URL,
        DEFAULT_APPLICATION_UID: 'cluster-application',
        RATE_LIMIT_SIGN_IN_PER_EMAIL: `${SIGN_INS_PER_EMAIL}/60`,
        RATE_LIMIT_SIGN_IN_PER_IP: '1000000/60',
        PASSWORD_HASH_CONCURRENCY: '4',
      },
    });
    // The second worker is started once the first listens.
    const deadline = Date.now() + 60_000;
    while (workerPids(server).size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('runs two worker processes that both listen, sharing the hashes the server may run at once', () => {
    expect(workerPids(server).size).toBe(2);
    const start = server
      .output()
      .split('\n')
      .find((line) => line.includes('starting worker processes'));
    expect(JSON.parse(start!)).toMatchObject({ workers: 2, hashesPerWorker: 2 });
  });

  it('counts sign-in attempts across workers: parallel attempts on new connections get the limit, no more', async () => {
    const email = uniqueEmail('cluster');
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${server.url}/api/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ email, password: 'Wrong1234', application_id: 'cluster-application' }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_INS_PER_EMAIL);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - SIGN_INS_PER_EMAIL);
  });

  it('accepts the operator token the CLI reads, whichever worker answers', async () => {
    const token = server.operatorToken();
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${server.url}/api/v1/admin/applications`, { headers: { 'x-operator-token': token, connection: 'close' } }).then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(8).fill(200));
  });

  it('stops every worker on SIGTERM', async () => {
    const pids = [...workerPids(server)];
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

/** Worker pids, from the "Server listening" lines of the JSON log. */
function workerPids(server: ServerProcess): Set<number> {
  const pids = new Set<number>();
  for (const line of server.output().split('\n')) {
    if (!line.includes('Server listening')) continue;
    const pid = (JSON.parse(line) as { pid: number }).pid;
    pids.add(pid);
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
