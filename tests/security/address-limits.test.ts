/**
 * Anonymous operations that hash, mail or check a credential are limited per client address, the
 * limit is counted before the work, and bursts from one address get no further than the limit. Each
 * attack comes from an address of its own (app.inject's remoteAddress). Also: the absolute session
 * lifetime that renewals cannot pass.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { vi } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeAccount } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, uniqueEmail, type ApiResponse, type TestApp } from '../helpers/test-app.js';
import { restoreClock, useTestClock } from '../helpers/totp.js';

const PARALLEL = 50;
const LIMIT = 5;
const MAX_SESSION = 3_600;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    RATE_LIMIT_SIGN_UP_PER_IP: `${LIMIT}/3600`,
    RATE_LIMIT_CONFIRMATION_PER_IP: `${LIMIT}/3600`,
    RATE_LIMIT_CONFIRMATION_PER_EMAIL: '1000/3600',
    RATE_LIMIT_CONFIRM_PER_IP: `${LIMIT}/900`,
    RATE_LIMIT_RESET_PASSWORD_TOKEN_PER_IP: `${LIMIT}/900`,
    RATE_LIMIT_GENERATE_JWT_PER_IP: `${LIMIT}/60`,
    SESSION_MAX_LIFETIME: String(MAX_SESSION),
  });
  useTestClock();
});
afterAll(async () => {
  restoreClock();
  await t?.close();
});

let addresses = 0;
/** A client address no test used yet. */
const newAddress = () => `10.8.${Math.floor(++addresses / 250)}.${addresses % 250}`;

const burst = (fire: (i: number) => Promise<ApiResponse>) => Promise.all(Array.from({ length: PARALLEL }, (_, i) => fire(i)));
const statuses = (results: ApiResponse[]) => {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe('per-address limits, counted before the work', () => {
  it(`POST /accounts: ${LIMIT} of ${PARALLEL} parallel sign-ups from one address, and "Email has already been taken" is kept`, async () => {
    const remoteAddress = newAddress();
    const results = await burst(() => t.api.post('/api/v1/accounts', { email: uniqueEmail('flood'), password: PASSWORD }, { remoteAddress }));
    expect(statuses(results)).toEqual({ 201: LIMIT, 429: PARALLEL - LIMIT });
    expect(results.find((r) => r.status === 429)!.headers['retry-after']).toBeDefined();

    const { email } = await activeAccount(t);
    const taken = await t.api.post('/api/v1/accounts', { email, password: PASSWORD }, { remoteAddress: newAddress() });
    expect(taken).toMatchObject({ status: 422, body: { error: ['Email has already been taken'] } });
  });

  it('POST /accounts/send_confirmation_instructions: refuses a 900 KB email (400) and limits one address', async () => {
    const huge = await t.api.post('/api/v1/accounts/send_confirmation_instructions', { email: `${'a'.repeat(900_000)}@example.com` }, {
      remoteAddress: newAddress(),
    });
    expect(huge).toMatchObject({ status: 400, body: { error: 'email is too long' } });

    const remoteAddress = newAddress();
    const results = await burst(() =>
      t.api.post('/api/v1/accounts/send_confirmation_instructions', { email: uniqueEmail('resend') }, { remoteAddress }),
    );
    expect(statuses(results)).toEqual({ 201: LIMIT, 429: PARALLEL - LIMIT });
  });

  it('POST /security/reset_password: refuses a 900 KB email (400)', async () => {
    const huge = await t.api.post('/api/v1/security/reset_password', { email: `${'a'.repeat(900_000)}@example.com` });
    expect(huge).toMatchObject({ status: 400, body: { error: 'email is too long' } });
  });

  it(`POST /accounts/confirm: tries ${LIMIT} of ${PARALLEL} parallel made-up tokens from one address`, async () => {
    const remoteAddress = newAddress();
    const results = await burst(() => t.api.post('/api/v1/accounts/confirm', { confirmation_token: randomUUID() }, { remoteAddress }));
    expect(statuses(results)).toEqual({ 422: LIMIT, 429: PARALLEL - LIMIT });
  });

  it(`PUT /security/reset_password: checks the token before anything else, ${LIMIT} of ${PARALLEL} from one address`, async () => {
    // A made-up token with a password that breaks the rules: 404 for the token, so the password
    // rules (and the hash behind them) were never reached.
    const first = await t.api.put('/api/v1/security/reset_password', { reset_password_token: randomUUID(), password: 'weak' }, {
      remoteAddress: newAddress(),
    });
    expect(first).toMatchObject({ status: 404, body: { error: 'Record is not found' } });

    const remoteAddress = newAddress();
    const results = await burst(() =>
      t.api.put('/api/v1/security/reset_password', { reset_password_token: randomUUID(), password: 'Guess1234' }, { remoteAddress }),
    );
    expect(statuses(results)).toEqual({ 404: LIMIT, 429: PARALLEL - LIMIT });
  });

  it(`POST /sessions/generate_jwt: checks ${LIMIT} of ${PARALLEL} parallel client JWTs from one address`, async () => {
    const remoteAddress = newAddress();
    const results = await burst(() =>
      t.api.post('/api/v1/sessions/generate_jwt', { kid: randomUUID(), jwt_token: 'e30.e30.e30' }, { remoteAddress }),
    );
    expect(statuses(results)).toEqual({ 404: LIMIT, 429: PARALLEL - LIMIT });
  });
});

describe('POST /security/renew: absolute session lifetime (SESSION_MAX_LIFETIME)', () => {
  it('keeps the sign-in time, cuts exp at the absolute limit, then refuses to renew', async () => {
    const { token } = await activeAccount(t);
    const signedIn = decodeJwt(token);
    expect(signedIn.auth_time).toBe(signedIn.iat);

    vi.setSystemTime(Date.now() + (MAX_SESSION - 600) * 1000);
    const renewed = await t.api.post('/api/v1/security/renew', {}, { token });
    expect(renewed.status, renewed.text).toBe(201);
    const claims = decodeJwt(renewed.body);
    expect(claims.auth_time).toBe(signedIn.auth_time);
    expect(claims.exp).toBe((signedIn.auth_time as number) + MAX_SESSION);

    vi.setSystemTime(((signedIn.auth_time as number) + MAX_SESSION + 1) * 1000);
    // The first token is still within its own exp (JWT_LIFETIME, 4 h), the renewed one is not.
    const refused = await t.api.post('/api/v1/security/renew', {}, { token });
    expect(refused).toMatchObject({ status: 401, body: { error: 'The session is too old to renew, please sign in again' } });
    expect(await t.api.post('/api/v1/security/renew', {}, { token: renewed.body })).toMatchObject({
      status: 401,
      body: { error: 'The access token expired' },
    });
  });
});
