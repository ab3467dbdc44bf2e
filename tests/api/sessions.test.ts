import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { activeAccount, defaultApplicationId, signUp } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, uniqueEmail, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let applicationId: string;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60', RATE_LIMIT_SIGN_IN_PER_EMAIL: '1000/60' });
  applicationId = await defaultApplicationId(t);
});
afterAll(() => t?.close());

const signIn = (body: Record<string, unknown>) => t.api.post('/api/v1/sessions', body);

describe('POST /api/v1/sessions', () => {
  it('answers 201 with the session JWT as a bare JSON string, verifiable with the JWKS', async () => {
    const { email, uid } = await activeAccount(t);
    const res = await signIn({ email, password: PASSWORD, application_id: applicationId });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text.startsWith('"eyJ')).toBe(true);
    const token = res.body as string;

    const jwks = await t.api.get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
      issuer: 'barong',
      audience: 'peatio',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: jwks.body.keys[0].kid });
    expect(payload).toMatchObject({
      sub: 'session',
      iss: 'barong',
      aud: ['peatio', 'barong'],
      uid,
      email,
      role: 'member',
      level: 1,
      state: 'active',
    });
    expect(payload.jti).toMatch(/^[0-9A-F]{24}$/);
    expect(payload.exp! - payload.iat!).toBe(14_400);
  });

  it('honours expires_in within 30..86400 and answers 422 outside it', async () => {
    const { email } = await activeAccount(t);
    const ok = await signIn({ email, password: PASSWORD, application_id: applicationId, expires_in: 60 });
    expect(ok.status).toBe(201);
    const { exp, iat } = JSON.parse(Buffer.from((ok.body as string).split('.')[1], 'base64url').toString());
    expect(exp - iat).toBe(60);

    const low = await signIn({ email, password: PASSWORD, application_id: applicationId, expires_in: 29 });
    expect(low.status).toBe(422);
    expect(low.body).toEqual({ error: 'Expires in must be greater than or equal to 30' });
    const high = await signIn({ email, password: PASSWORD, application_id: applicationId, expires_in: 86_401 });
    expect(high.status).toBe(422);
    expect(high.body).toEqual({ error: 'Expires in must be less than or equal to 86400' });
    const text = await signIn({ email, password: PASSWORD, application_id: applicationId, expires_in: 'soon' });
    expect(text.status).toBe(400);
    expect(text.body).toEqual({ error: 'expires_in is invalid' });
  });

  it('answers 400 listing every missing parameter', async () => {
    const res = await signIn({});
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('email is missing');
    expect(res.body.error).toContain('password is missing');
    expect(res.body.error).toContain('application_id is missing');
  });

  it('checks the application before the account: 401 "Wrong application id"', async () => {
    const res = await signIn({ email: uniqueEmail('nobody'), password: PASSWORD, application_id: 'unknown-app' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Wrong application id' });
  });

  it('gives one answer for an unknown email and a wrong password (no account enumeration)', async () => {
    const { email } = await activeAccount(t);
    const unknown = await signIn({ email: uniqueEmail('nobody'), password: PASSWORD, application_id: applicationId });
    const wrong = await signIn({ email, password: 'Wrong1234', application_id: applicationId });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual({ error: 'Invalid Email or password.' });
    expect(wrong.body).toEqual(unknown.body);
  });

  it('refuses an account whose email is not confirmed', async () => {
    const { email } = await signUp(t);
    const res = await signIn({ email, password: PASSWORD, application_id: applicationId });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'You have to confirm your email address before continuing.' });
  });

  it('locks the account after 5 failed sign-ins, even with the right password afterwards', async () => {
    const { email } = await activeAccount(t);
    for (let i = 0; i < 5; i++) {
      const res = await signIn({ email, password: `Wrong${i}abc`, application_id: applicationId });
      expect(res.body).toEqual({ error: 'Invalid Email or password.' });
    }
    const locked = await signIn({ email, password: PASSWORD, application_id: applicationId });
    expect(locked.status).toBe(401);
    expect(locked.body.error).toMatch(/locked/);
    const row = await findAccountByEmail(t.services.deps.db, email);
    expect(row!.failed_attempts).toBe(5);
    expect(row!.locked_at).toBeInstanceOf(Date);
  });

  it('unlocks the account after the lock period has passed', async () => {
    const { email } = await activeAccount(t);
    for (let i = 0; i < 5; i++) await signIn({ email, password: 'Wrong1234', application_id: applicationId });
    const row = await findAccountByEmail(t.services.deps.db, email);
    await t.services.deps.db
      .updateTable('accounts')
      .set({ locked_at: new Date(Date.now() - 3_601_000) })
      .where('id', '=', row!.id)
      .execute();
    const res = await signIn({ email, password: PASSWORD, application_id: applicationId });
    expect(res.status).toBe(201);
    expect((await findAccountByEmail(t.services.deps.db, email))!.failed_attempts).toBe(0);
  });
  // Parallel guesses against the lockout: tests/security/credential-attacks.test.ts.
});

describe('sign-in rate limits', () => {
  it('answers 429 with Retry-After past the per-email limit', async () => {
    const limited = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_EMAIL: '3/60' });
    try {
      const appId = await defaultApplicationId(limited);
      const email = uniqueEmail('flood');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await limited.api.post('/api/v1/sessions', { email, password: 'Wrong1234', application_id: appId });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(last!.body).toEqual({ error: 'Too many requests, please try again later' });
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('POST /api/v1/security/renew', () => {
  it('answers a fresh session token for the same account', async () => {
    const { token, uid } = await activeAccount(t);
    const res = await t.api.post('/api/v1/security/renew', {}, { token });
    expect(res.status).toBe(201);
    const renewed = res.body as string;
    expect(renewed).not.toBe(token);
    expect(decodeProtectedHeader(renewed).alg).toBe('RS256');
    const me = await t.api.get('/api/v1/accounts/me', { token: renewed });
    expect(me.body.uid).toBe(uid);
  });

  it('takes an optional expires_in', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.post('/api/v1/security/renew', { expires_in: 120 }, { token });
    expect(res.status).toBe(201);
    const { exp, iat } = JSON.parse(Buffer.from((res.body as string).split('.')[1], 'base64url').toString());
    expect(exp - iat).toBe(120);
  });

  it('answers 401 without a valid token', async () => {
    const res = await t.api.post('/api/v1/security/renew', {}, { token: 'not-a-jwt' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'The access token is invalid' });
  });
});
