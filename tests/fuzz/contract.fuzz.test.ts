/**
 * Property: whatever a client sends to any operation of openapi/barong.yaml, the answer is not a
 * server error, and its status and body are ones the document declares for that operation.
 *
 * Requests come from tests/helpers/contract-requests.ts (derived from the document, so operations
 * added later are fuzzed too). Seeded and reproducible: the seed and the count are printed; rerun
 * a failure with FUZZ_SEED=<seed> (fast-check then shrinks it to a minimal request). FUZZ_RUNS sets
 * the count: 10,000 by default on PostgreSQL (TEST_DATABASE_URL, as CI's second pass), 1,500 on
 * the embedded database.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activeAccount, defaultApplicationId } from '../helpers/accounts.js';
import { assertMatchesContract } from '../helpers/contract.js';
import { fuzzOperations, requestArb, type Credentials, type GeneratedRequest } from '../helpers/contract-requests.js';
import { createTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

/**
 * Operations not fuzzed, each with its reason. Keep this list short: an operation belongs here
 * only when a request to it cannot be judged against the document alone.
 */
const SKIPPED: Record<string, string> = {};

const runs = Number(process.env.FUZZ_RUNS ?? (process.env.TEST_DATABASE_URL ? 10_000 : 1_500));
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let t: TestApp;
let creds: Credentials;
beforeAll(async () => {
  // Rate limits stay on (their 429s are part of the contract) but high enough that most requests
  // reach the checks behind them.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '100000/60', RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000/60' });
  // A password no schema example uses, so generated password changes rarely end the session.
  const member = await activeAccount(t, uniqueEmail('fuzz'), 'Fuzz3rPassw0rd');
  const target = await activeAccount(t, uniqueEmail('target'), 'Fuzz3rPassw0rd');
  await t.api.post('/api/v1/labels', { key: 'fuzz_label', value: 'fuzz_value' }, { token: member.token });
  creds = {
    memberToken: member.token,
    operatorToken: t.operatorToken,
    pool: [target.uid, member.uid, 'fuzz_label', 'document', 'email', await defaultApplicationId(t), target.email],
  };
});
afterAll(() => t?.close());

it(`answers every generated request as the document declares, never 5xx`, { timeout: 900_000 }, async () => {
  const operations = fuzzOperations().filter((op) => !(op.operationId in SKIPPED));
  expect(operations.length).toBeGreaterThan(0);
  const arbitrary = fc.oneof(...operations.map((op) => requestArb(op, creds)));
  const started = Date.now();
  let count = 0;
  const statuses = new Map<number, number>();
  const seen = new Set<string>();
  console.log(`contract fuzz: ${runs} requests over ${operations.length} operations, seed ${seed} (rerun with FUZZ_SEED=${seed})`);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (request: GeneratedRequest) => {
      count += 1;
      seen.add(request.operationId);
      const res = await t.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) throw new Error(`server error ${res.statusCode} ${res.body.slice(0, 200)} for ${request.summary}`);
      try {
        assertMatchesContract(request.method, request.url, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
      } catch (error) {
        throw new Error(`${(error as Error).message} for ${request.summary}`);
      }
    }),
    { numRuns: runs, seed, endOnFailure: false, interruptAfterTimeLimit: 600_000, markInterruptAsFailure: true },
  );
  const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
  console.log(`contract fuzz: ${count} requests, seed ${seed}, ${seen.size}/${operations.length} operations, ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${byStatus}`);
  expect(seen.size).toBe(operations.length);
});
