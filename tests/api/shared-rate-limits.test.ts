/**
 * Rate limits across API nodes (REDIS_URL): two app instances on one Redis count together; and a
 * Redis that is down or hung neither blocks requests nor lifts the limits (each node counts alone).
 * The shared-count test needs TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15); the outage tests need no Redis.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_PREFIX } from '../../src/adapters/rate-limit/redis-rate-limiter.js';
import { counterKey, UNKNOWN_ACCOUNT_LOCKOUT } from '../../src/domain/rate-limits.js';
import { defaultApplicationId } from '../helpers/accounts.js';
import { closedPort, deleteRedisKeys, silentServer, TEST_REDIS_URL } from '../helpers/redis.js';
import { createTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const LIMITS = { RATE_LIMIT_SIGN_IN_PER_EMAIL: '3/60', RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' };

async function signInAttempt(t: TestApp, email: string) {
  const started = Date.now();
  const res = await t.api.post('/api/v1/sessions', { email, password: 'Wrong1234', application_id: await defaultApplicationId(t) });
  return { res, ms: Date.now() - started };
}

function logSink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe.skipIf(!TEST_REDIS_URL)('rate limits shared through Redis', () => {
  const emails: string[] = [];
  afterAll(async () => {
    for (const email of emails) {
      for (const counter of ['sign_in_per_email', UNKNOWN_ACCOUNT_LOCKOUT]) await deleteRedisKeys(DEFAULT_KEY_PREFIX + counterKey(counter, email));
    }
  });

  it('Threat: password guessing spread over several API nodes — two instances reach the per-email limit together', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, ...LIMITS };
    const [a, b] = await Promise.all([createTestApp(env), createTestApp(env)]);
    try {
      const email = uniqueEmail('spread');
      emails.push(email);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await signInAttempt(i % 2 ? b : a, email)).res);
      expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429, 429, 429]);
      expect(answers[3].body).toEqual({ error: 'Too many requests, please try again later' });
      expect(Number(answers[4].headers['retry-after'])).toBeGreaterThan(0);

      // Another email is counted apart, on either node.
      const other = uniqueEmail('spread-other');
      emails.push(other);
      expect((await signInAttempt(b, other)).res.status).toBe(401);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('rate limits while Redis is out', () => {
  it('Threat: a Redis outage locking users out or hanging requests — nothing listening at REDIS_URL: answered at once, limits hold per node', async () => {
    const log = logSink();
    const t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}/0`, ...LIMITS }, { logStream: log.stream });
    try {
      const email = uniqueEmail('outage');
      const attempts = [];
      for (let i = 0; i < 4; i++) attempts.push(await signInAttempt(t, email));
      expect(attempts.map((a) => a.res.status)).toEqual([401, 401, 401, 429]);
      for (const a of attempts) expect(a.ms).toBeLessThan(2_000);
      expect(log.text()).toContain('Redis (rate-limit counters) is not answering');
    } finally {
      await t.close();
    }
  });

  it('Threat: a hung Redis stalling every request — a server that accepts and never answers: start-up and requests go on', async () => {
    const server = await silentServer();
    const started = Date.now();
    const t = await createTestApp({ REDIS_URL: server.url, ...LIMITS });
    try {
      expect(Date.now() - started).toBeLessThan(15_000);
      const email = uniqueEmail('hung');
      const attempts = [];
      for (let i = 0; i < 4; i++) attempts.push(await signInAttempt(t, email));
      expect(attempts.map((a) => a.res.status)).toEqual([401, 401, 401, 429]);
      for (const a of attempts) expect(a.ms).toBeLessThan(2_000);
    } finally {
      const closing = Date.now();
      await t.close();
      expect(Date.now() - closing).toBeLessThan(5_000);
      await server.close();
    }
  });
});
