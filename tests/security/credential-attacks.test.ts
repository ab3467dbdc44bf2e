/**
 * Credential paths under attack, as an attacker would try them: bursts of parallel wrong guesses
 * (on PostgreSQL they really run at once), lockouts that expire, enumeration by answer and timing,
 * and stolen sessions that should die with the password. Each test counts what the server actually
 * checked: an answer that names the wrong credential ("Invalid password.", "Your code is invalid")
 * is a check; 429 and the lockout message are refusals before any check.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { activeAccount, defaultApplicationId, signIn } from '../helpers/accounts.js';
import { linkToken } from '../helpers/mail-sink.js';
import { createTestApp, PASSWORD, uniqueEmail, type ApiResponse, type TestApp } from '../helpers/test-app.js';
import { codeFor, currentStep, freshCode, restoreClock, useTestClock } from '../helpers/totp.js';
import { generateSecret, twoFactorAccount } from '../helpers/two-factor.js';

const PARALLEL = 50;
const LIMIT = 5; // LOCKOUT_MAX_ATTEMPTS and every "failures in a row" rule below
const INVALID_CREDENTIALS = { error: 'Invalid Email or password.' };
const LOCKED = { error: 'Your account is locked after too many failed attempts. Try again later or reset your password.' };
const RATE_LIMITED = { error: 'Too many requests, please try again later' };
const BUSY = { error: 'Server is busy, please try again later' };
const CODE_INVALID = { error: 'Your code is invalid' };
const REVOKED = { error: 'The session was revoked, please sign in again' };

let t: TestApp;
let applicationId: string;
beforeAll(async () => {
  t = await createTestApp({
    // Only the limits under test: the per-IP and per-email sign-in limits would hide the lockout.
    RATE_LIMIT_SIGN_IN_PER_IP: '100000/60',
    RATE_LIMIT_SIGN_IN_PER_EMAIL: '100000/60',
    RATE_LIMIT_RESET_PASSWORD_PER_EMAIL: '100/3600',
    RATE_LIMIT_RESET_PASSWORD_PER_IP: '1000/3600',
    LOCKOUT_MAX_ATTEMPTS: String(LIMIT),
    RATE_LIMIT_OTP_FAILURES_PER_ACCOUNT: `${LIMIT}/900`,
    RATE_LIMIT_PASSWORD_CHANGE_FAILURES_PER_ACCOUNT: `${LIMIT}/900`,
  });
  applicationId = await defaultApplicationId(t);
  useTestClock();
});
afterAll(async () => {
  restoreClock();
  await t?.close();
});

const signInWith = (email: string, password: string, extra: Record<string, unknown> = {}) =>
  t.api.post('/api/v1/sessions', { email, password, application_id: applicationId, ...extra });

const burst = (fire: (i: number) => Promise<ApiResponse>) => Promise.all(Array.from({ length: PARALLEL }, (_, i) => fire(i)));

/** How many responses had each body. */
function tally(results: ApiResponse[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(JSON.stringify(r.body), (counts.get(JSON.stringify(r.body)) ?? 0) + 1);
  return counts;
}
const count = (results: ApiResponse[], body: unknown) => tally(results).get(JSON.stringify(body)) ?? 0;

/** A code of the account's secret that is certainly wrong now. */
const wrongCode = (secret: string) => String((Number(codeFor(secret, currentStep())) + 500_000) % 1_000_000).padStart(6, '0');

async function expireLock(email: string) {
  const row = await findAccountByEmail(t.services.deps.db, email);
  await t.services.deps.db
    .updateTable('accounts')
    .set({ locked_at: new Date(row!.locked_at!.getTime() - 3_601_000) })
    .where('id', '=', row!.id)
    .execute();
}

async function resetPasswordTo(email: string, password: string) {
  expect((await t.api.post('/api/v1/security/reset_password', { email })).status).toBe(201);
  const token = linkToken(await t.mail.next(email, 'Reset password instructions'), 'reset_password_token');
  const res = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password });
  expect(res.status, res.text).toBe(200);
}

describe('sign-in lockout', () => {
  it(`checks at most ${LIMIT} of ${PARALLEL} parallel wrong passwords; the right one is then refused`, async () => {
    const { email } = await activeAccount(t);
    const results = await burst((i) => signInWith(email, `Guess${i}xyz`));
    const seen = JSON.stringify([...tally(results)]);
    // Exactly LIMIT attempts were reserved, and only those were checked: "Invalid Email or password."
    // (or 503 when the hashing queue was full on a loaded machine); the rest got the lockout answer
    // (or that 503, since a locked answer also pays for a hash).
    const row = await findAccountByEmail(t.services.deps.db, email);
    expect(row!.failed_attempts, seen).toBe(LIMIT);
    expect(row!.locked_at).toBeInstanceOf(Date);
    expect(count(results, INVALID_CREDENTIALS), seen).toBeLessThanOrEqual(LIMIT);
    expect(count(results, INVALID_CREDENTIALS) + count(results, LOCKED) + count(results, BUSY), seen).toBe(PARALLEL);
    expect(count(results, LOCKED), seen).toBeGreaterThan(0);
    expect((await signInWith(email, PASSWORD)).body).toEqual(LOCKED);
  });

  it('locks again after every expired lock, after LOCKOUT_MAX_ATTEMPTS new failures', async () => {
    const { email } = await activeAccount(t);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LIMIT; i++) expect((await signInWith(email, `Wrong${i}abc`)).body).toEqual(INVALID_CREDENTIALS);
      expect((await signInWith(email, 'Wrong9abc')).body).toEqual(LOCKED);
      expect((await signInWith(email, PASSWORD)).body).toEqual(LOCKED);
      await expireLock(email);
    }
    expect((await signInWith(email, PASSWORD)).status).toBe(201);
  });

  it('answers an existing and an unknown email alike, locked or not, at the same cost (no enumeration)', async () => {
    const { email } = await activeAccount(t);
    const unknown = uniqueEmail('nobody');
    const answers = async (who: string) => {
      const bodies = [];
      for (let i = 0; i < LIMIT + 1; i++) bodies.push((await signInWith(who, `Wrong${i}abc`)).body);
      return bodies;
    };
    const expected = [...Array(LIMIT).fill(INVALID_CREDENTIALS), LOCKED];
    expect(await answers(email)).toEqual(expected);
    expect(await answers(unknown)).toEqual(expected);

    // Locked answers, taken in turns so that load on the machine falls on both alike. Before the fix
    // a locked account answered in 3 ms and an unknown email, which paid for a hash, in 16 ms.
    const times: Record<string, number[]> = { [email]: [], [unknown]: [] };
    for (let i = 0; i < 8; i++) {
      for (const who of [email, unknown]) {
        const started = performance.now();
        expect((await signInWith(who, 'Wrong0abc')).body).toEqual(LOCKED);
        times[who].push(performance.now() - started);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const ratio = median(times[email]) / median(times[unknown]);
    expect(ratio, JSON.stringify(times)).toBeGreaterThan(1 / 3);
    expect(ratio, JSON.stringify(times)).toBeLessThan(3);
  });
});

describe('2FA codes', () => {
  it(`POST /security/verify_code: checks at most ${LIMIT} of ${PARALLEL} parallel wrong codes`, async () => {
    const a = await twoFactorAccount(t);
    const results = await burst(() => t.api.post('/api/v1/security/verify_code', { code: wrongCode(a.secret) }, { token: a.token }));
    expect(count(results, CODE_INVALID)).toBe(LIMIT);
    expect(count(results, RATE_LIMITED)).toBe(PARALLEL - LIMIT);
  });

  it(`POST /security/enable_2fa: checks at most ${LIMIT} of ${PARALLEL} parallel wrong codes`, async () => {
    const a = await activeAccount(t);
    const { secret } = await generateSecret(t, a.token);
    const results = await burst(() => t.api.post('/api/v1/security/enable_2fa', { code: wrongCode(secret) }, { token: a.token }));
    expect(count(results, CODE_INVALID)).toBe(LIMIT);
    expect(count(results, RATE_LIMITED)).toBe(PARALLEL - LIMIT);
  });

  it(`POST /sessions with otp_code: checks at most ${LIMIT} of ${PARALLEL} parallel wrong codes`, async () => {
    const a = await twoFactorAccount(t);
    const results = await burst(() => signInWith(a.email, PASSWORD, { otp_code: wrongCode(a.secret) }));
    expect(count(results, { error: 'OTP code is invalid' })).toBeLessThanOrEqual(LIMIT);
    expect(count(results, { error: 'OTP code is invalid' })).toBeGreaterThan(0);
    expect(results.every((r) => r.status !== 201)).toBe(true);
  });

  it(`API-key operations: check at most ${LIMIT} of ${PARALLEL} parallel wrong codes`, async () => {
    const a = await twoFactorAccount(t);
    const results = await burst(() => t.api.get(`/api/v1/api_keys?totp_code=${wrongCode(a.secret)}`, { token: a.token }));
    expect(count(results, CODE_INVALID)).toBe(LIMIT);
    expect(count(results, RATE_LIMITED)).toBe(PARALLEL - LIMIT);
  });
});

describe('PUT /accounts/password with a stolen session', () => {
  it(`checks at most ${LIMIT} of ${PARALLEL} parallel wrong old passwords, then refuses even the right one`, async () => {
    const a = await activeAccount(t);
    const results = await burst((i) =>
      t.api.put('/api/v1/accounts/password', { old_password: `Guess${i}xyz`, new_password: 'Other1234' }, { token: a.token }),
    );
    expect(count(results, { error: 'Invalid password.' })).toBe(LIMIT);
    expect(count(results, RATE_LIMITED)).toBe(PARALLEL - LIMIT);
    const right = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: 'Other1234' }, { token: a.token });
    expect(right.status).toBe(429);
  });
});

describe('sessions die with the password', () => {
  it('a password change ends every earlier session (me and renew), mails the owner, and a new sign-in works at once', async () => {
    const a = await activeAccount(t);
    const other = await signIn(t, a.email);
    const res = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: 'Changed123' }, { token: a.token });
    expect(res.status, res.text).toBe(200);
    const fresh = await signIn(t, a.email, 'Changed123'); // often within the same second as the change
    for (const token of [a.token, other]) {
      expect(await t.api.get('/api/v1/accounts/me', { token })).toMatchObject({ status: 401, body: REVOKED });
      expect(await t.api.post('/api/v1/security/renew', {}, { token })).toMatchObject({ status: 401, body: REVOKED });
    }
    expect((await t.api.get('/api/v1/accounts/me', { token: fresh })).status).toBe(200);
    const renewed = await t.api.post('/api/v1/security/renew', {}, { token: fresh });
    expect(renewed.status).toBe(201);
    expect((await t.api.get('/api/v1/accounts/me', { token: renewed.body })).status).toBe(200);
    const mail = await t.mail.next(a.email, 'Your password was changed');
    expect(mail.text).toContain('was just changed');
  });

  it('a password reset ends every earlier session and mails the owner', async () => {
    const a = await activeAccount(t);
    await resetPasswordTo(a.email, 'Reset1234');
    expect(await t.api.get('/api/v1/accounts/me', { token: a.token })).toMatchObject({ status: 401, body: REVOKED });
    expect(await t.api.post('/api/v1/security/renew', {}, { token: a.token })).toMatchObject({ status: 401, body: REVOKED });
    expect((await t.mail.next(a.email, 'Your password was reset')).text).toContain('was just reset');
    expect((await t.api.get('/api/v1/accounts/me', { token: await signIn(t, a.email, 'Reset1234') })).status).toBe(200);
  });

  it('a stolen session that turned on 2FA and made an API key: the reset ends it, the 2FA reset stops the key, the owner hears of each step', async () => {
    const victim = await activeAccount(t);
    const stolen = await signIn(t, victim.email); // the attacker knows the password
    const { secret } = await generateSecret(t, stolen);
    const enable = await t.api.post('/api/v1/security/enable_2fa', { code: freshCode(secret) }, { token: stolen });
    expect(enable.status, enable.text).toBe(201);
    expect(await t.mail.next(victim.email, 'Two-factor authentication was enabled')).toBeDefined();

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const created = await t.api.post('/api/v1/api_keys', { public_key: pem, totp_code: freshCode(secret) }, { token: stolen });
    expect(created.status, created.text).toBe(201);
    const kid = created.body.uid as string;
    expect((await t.mail.next(victim.email, 'A new API key was created')).text).toContain(kid);

    const clientJwt = () => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject('api_key_jwt')
        .setIssuer('external')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .setJti(randomUUID())
        .sign(privateKey);
    };
    const mint = async () => t.api.post('/api/v1/sessions/generate_jwt', { kid, jwt_token: await clientJwt() });
    expect((await mint()).status).toBe(201);

    // The victim resets the password: the attacker's session is over.
    await resetPasswordTo(victim.email, 'Mine12345');
    expect(await t.api.get('/api/v1/accounts/me', { token: stolen })).toMatchObject({ status: 401, body: REVOKED });

    // The operator turns 2FA off (the victim never had the device): the key mints nothing more.
    const off = await t.api.delete(`/api/v1/admin/accounts/${victim.uid}/otp`, { headers: { 'x-operator-token': t.operatorToken } });
    expect(off.status, off.text).toBe(200);
    expect(await t.mail.next(victim.email, 'Two-factor authentication was disabled')).toBeDefined();
    expect(await mint()).toMatchObject({ status: 400, body: { error: 'Only accounts with enabled 2FA alowed' } });
  });
});
