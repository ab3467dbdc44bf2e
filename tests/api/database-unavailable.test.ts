/**
 * Database failures answer 503 with Retry-After through the one error handler, on either database
 * (here the app's database is closed under it; tests/e2e/database-outage.test.ts stops, hangs and
 * kills PostgreSQL connections under a server process). Every response is held against the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeAccount, defaultApplicationId } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, uniqueEmail, type ApiResponse, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let token: string;
let applicationId: string;
beforeAll(async () => {
  t = await createTestApp();
  ({ token } = await activeAccount(t));
  applicationId = await defaultApplicationId(t);
  await t.services.database.close();
});
afterAll(async () => {
  await t?.close().catch(() => undefined);
});

function expectUnavailable(res: ApiResponse) {
  expect(res.status, res.text).toBe(503);
  expect(res.body).toEqual({ error: 'Database is unavailable' });
  expect(res.headers['retry-after']).toBe('5');
}

describe('with the database gone', () => {
  it('a valid session gets 503, not "The access token is invalid"', async () => {
    expectUnavailable(await t.api.get('/api/v1/accounts/me', { token }));
  });

  it('an admin operation tried with a valid session and no operator token gets 503, not 401', async () => {
    expectUnavailable(await t.api.get('/api/v1/admin/accounts', { token }));
  });

  it('sign-in and sign-up get 503 with Retry-After, not 500', async () => {
    expectUnavailable(await t.api.post('/api/v1/sessions', { email: uniqueEmail(), password: PASSWORD, application_id: applicationId }));
    expectUnavailable(await t.api.post('/api/v1/accounts', { email: uniqueEmail(), password: PASSWORD }));
  });

  it('readiness answers 503 and liveness 200', async () => {
    expectUnavailable(await t.api.get('/api/v1/health/ready'));
    expect((await t.api.get('/api/v1/health/alive')).status).toBe(200);
  });

  it('a token that is really invalid is still 401 (checked before the database)', async () => {
    const res = await t.api.get('/api/v1/accounts/me', { token: `${token.slice(0, -4)}AAAA` });
    expect(res.status).toBe(401);
  });
});
