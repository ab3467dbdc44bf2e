/**
 * Sign-ins are admitted (twice PASSWORD_HASH_CONCURRENCY at a time) before they read or count
 * anything: a burst of parallel sign-ins past the hashing capacity waits, or answers 503, without
 * having reserved an attempt on the account. A legitimate user whose sign-in met a full server is
 * not a step closer to the lockout, and a sign-in whose client gave up is not run for nobody.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { activeAccount, defaultApplicationId } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/test-app.js';

const PARALLEL = 30;
const INVALID_CREDENTIALS = { error: 'Invalid Email or password.' };
const BUSY = { error: 'Server is busy, please try again later' };

const ONE_HASH_AT_A_TIME = {
  PASSWORD_HASH_CONCURRENCY: '1',
  LOCKOUT_MAX_ATTEMPTS: '100',
  RATE_LIMIT_SIGN_IN_PER_IP: '100000/60',
  RATE_LIMIT_SIGN_IN_PER_EMAIL: '100000/60',
};

let t: TestApp;
let applicationId: string;
beforeAll(async () => {
  t = await createTestApp({ ...ONE_HASH_AT_A_TIME, PASSWORD_HASH_QUEUE_TIMEOUT_MS: '100' });
  applicationId = await defaultApplicationId(t);
});
afterAll(async () => {
  await t?.close();
});

describe('sign-in admission', () => {
  it(`${PARALLEL} parallel wrong passwords past the hashing capacity: each 503 counted nothing`, async () => {
    const { email } = await activeAccount(t);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        t.api.post('/api/v1/sessions', { email, password: `Guess${i}xyz`, application_id: applicationId }),
      ),
    );
    const invalid = results.filter((r) => r.status === 401);
    const busy = results.filter((r) => r.status === 503);
    expect(invalid.length + busy.length, JSON.stringify(results.map((r) => r.status))).toBe(PARALLEL);
    for (const r of invalid) expect(r.body).toEqual(INVALID_CREDENTIALS);
    for (const r of busy) {
      expect(r.body).toEqual(BUSY);
      expect(r.headers['retry-after']).toBe('1');
    }
    // One hash at a time (10-30 ms each) cannot check 30 passwords within the 100 ms deadline.
    expect(busy.length).toBeGreaterThan(0);
    // Only the checked passwords were counted.
    const row = await findAccountByEmail(t.services.deps.db, email);
    expect(row!.failed_attempts).toBe(invalid.length);

    // The owner signs in once the burst is over, and the count starts again.
    const mine = await t.api.post('/api/v1/sessions', { email, password: PASSWORD, application_id: applicationId });
    expect(mine.status, mine.text).toBe(201);
    expect((await findAccountByEmail(t.services.deps.db, email))!.failed_attempts).toBe(0);
  });

  it('a sign-in whose client went away while it waited is dropped: nothing read, hashed or counted', async () => {
    const patient = await createTestApp({ ...ONE_HASH_AT_A_TIME, PASSWORD_HASH_QUEUE_TIMEOUT_MS: '10000' });
    try {
      const { email } = await activeAccount(patient);
      const patientApplicationId = await defaultApplicationId(patient);
      const address = await patient.app.listen({ host: '127.0.0.1', port: 0 });
      // The clients all give up as soon as the first answer comes.
      const giveUp = new AbortController();
      const outcomes = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          fetch(`${address}/api/v1/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: `Guess${i}xyz`, application_id: patientApplicationId }),
            signal: giveUp.signal,
          }).then(
            (response) => {
              giveUp.abort();
              return response.status;
            },
            () => 'gone' as const,
          ),
        ),
      );
      const answered = outcomes.filter((outcome) => outcome !== 'gone').length;
      expect(answered).toBeGreaterThan(0);
      expect(answered).toBeLessThan(PARALLEL);
      await sleep(1_500); // the sign-ins admitted when their clients left run to their end
      // Counted: those answered, the two admitted (twice one hash) when the rest left, and the few
      // that the answer's and the abort's way over loopback let through. Had the others run, all 30.
      const row = await findAccountByEmail(patient.services.deps.db, email);
      expect(row!.failed_attempts, JSON.stringify(outcomes)).toBeLessThanOrEqual(answered + 4);
    } finally {
      await patient.close();
    }
  });
});
