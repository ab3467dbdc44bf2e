import fs from 'node:fs';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { findAccountOtp } from '../../src/db/queries/account-otps.js';
import { disableTwoFactor } from '../../src/domain/two-factor/two-factor.js';
import { activeAccount, defaultApplicationId, signIn as signInAs } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/test-app.js';
import { codeFor, currentStep, freshCode, nextStep, restoreClock, useTestClock } from '../helpers/totp.js';
import { generateSecret, twoFactorAccount } from '../helpers/two-factor.js';

// jsqr is CommonJS typed as an ES module: its function is module.exports and module.exports.default.
const jsQR = jsQRModule.default;

let t: TestApp;
beforeAll(async () => {
  // Every injected request comes from 127.0.0.1, and each test signs in a new account.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  useTestClock();
});
afterAll(async () => {
  restoreClock();
  await t?.close();
});

const db = () => t.services.deps.db;
const post = (url: string, body: unknown, token: string) => t.api.post(`/api/v1/security/${url}`, body, { token });

async function accountRow(email: string) {
  const row = await findAccountByEmail(db(), email);
  expect(row).toBeDefined();
  return row!;
}

describe('POST /api/v1/security/generate_qrcode', () => {
  it('creates a SHA1/6-digit/30 s secret for the account and answers its otpauth URL and QR code', async () => {
    const { token, email } = await activeAccount(t);
    const res = await post('generate_qrcode', undefined, token);
    expect(res.status).toBe(201);
    const { url, barcode } = res.body.data;
    expect(url).toBe(
      `otpauth://totp/Barong:${email}?algorithm=SHA1&digits=6&issuer=Barong&period=30&secret=${new URL(url).searchParams.get('secret')}`,
    );
    expect(new URL(url).searchParams.get('secret')).toMatch(/^[A-Z2-7]{32}$/);

    const png = PNG.sync.read(Buffer.from(barcode, 'base64'));
    expect([png.width, png.height]).toEqual([300, 300]);
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).toBe(url);

    const me = await t.api.get('/api/v1/accounts/me', { token });
    expect(me.body.otp_enabled).toBe(false);
  });

  it('keeps the secret encrypted at rest: the database row does not hold it readable', async () => {
    const { token, email } = await activeAccount(t);
    const { secret } = await generateSecret(t, token);
    const row = await findAccountOtp(db(), (await accountRow(email)).id);
    expect(row!.secret_sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.secret_sealed).not.toContain(secret);
    expect(row!.secret_sealed.toLowerCase()).not.toContain(secret.toLowerCase().slice(0, 8));
    // The key was generated into the data directory (no OTP_ENCRYPTION_KEY in this test app).
    const keyFile = path.join(t.dataDir, 'keys', 'otp-encryption.key');
    expect(Buffer.from(fs.readFileSync(keyFile, 'utf8'), 'base64')).toHaveLength(32);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('replaces a secret that is not enabled yet: codes of the earlier one stop working', async () => {
    const { token } = await activeAccount(t);
    const first = await generateSecret(t, token);
    const second = await generateSecret(t, token);
    expect(second.secret).not.toBe(first.secret);
    const step = nextStep();
    expect((await post('enable_2fa', { code: codeFor(first.secret, step) }, token)).body).toEqual({ error: 'Your code is invalid' });
    expect((await post('enable_2fa', { code: codeFor(second.secret, step) }, token)).status).toBe(201);
  });

  it('refuses to replace the secret once 2FA is on (a stolen session cannot re-enrol the authenticator)', async () => {
    const { token, email } = await twoFactorAccount(t);
    const before = await findAccountOtp(db(), (await accountRow(email)).id);
    const res = await post('generate_qrcode', undefined, token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'You are already enabled 2FA' });
    expect((await findAccountOtp(db(), (await accountRow(email)).id))!.secret_sealed).toBe(before!.secret_sealed);
  });

  it('answers 401 without a bearer token', async () => {
    const res = await t.api.post('/api/v1/security/generate_qrcode');
    expect(res.status).toBe(401);
  });
});

describe('POST /api/v1/security/enable_2fa', () => {
  it('turns 2FA on with a code of the generated secret; /accounts/me then reports otp_enabled', async () => {
    const { token, email } = await activeAccount(t);
    const { secret } = await generateSecret(t, token);
    const res = await post('enable_2fa', { code: freshCode(secret) }, token);
    expect(res.status).toBe(201);
    expect(res.body).toBeNull();
    expect((await accountRow(email)).otp_enabled).toBe(true);
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.otp_enabled).toBe(true);
  });

  it('answers 422 "Your code is invalid" for a wrong code and leaves 2FA off', async () => {
    const { token, email } = await activeAccount(t);
    const { secret } = await generateSecret(t, token);
    const wrong = String((Number(codeFor(secret, nextStep())) + 1) % 1_000_000).padStart(6, '0');
    const res = await post('enable_2fa', { code: wrong }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Your code is invalid' });
    expect((await accountRow(email)).otp_enabled).toBe(false);
  });

  it('answers 422 "Your code is invalid" when no secret was generated', async () => {
    const { token } = await activeAccount(t);
    const res = await post('enable_2fa', { code: '123456' }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Your code is invalid' });
  });

  it('answers 400 "You are already enabled 2FA" when 2FA is on', async () => {
    const { token, code } = await twoFactorAccount(t);
    const res = await post('enable_2fa', { code: code() }, token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'You are already enabled 2FA' });
  });

  it('answers 400 Grape-style for a missing or empty code', async () => {
    const { token } = await activeAccount(t);
    expect((await post('enable_2fa', {}, token)).body).toEqual({ error: 'code is missing, code is empty' });
    expect((await post('enable_2fa', { code: '' }, token)).body).toEqual({ error: 'code is empty' });
  });
});

describe('POST /api/v1/security/verify_code', () => {
  it('answers 400 "You need to enable 2FA first" without 2FA', async () => {
    const { token } = await activeAccount(t);
    await generateSecret(t, token);
    const res = await post('verify_code', { code: '123456' }, token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'You need to enable 2FA first' });
  });

  it('answers 201 for a valid code', async () => {
    const { token, code } = await twoFactorAccount(t);
    const res = await post('verify_code', { code: code() }, token);
    expect(res.status).toBe(201);
    expect(res.body).toBeNull();
  });

  it('rejects a replayed code: a code is accepted once in its window', async () => {
    const { token, code } = await twoFactorAccount(t);
    const once = code();
    expect((await post('verify_code', { code: once }, token)).status).toBe(201);
    const again = await post('verify_code', { code: once }, token);
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ error: 'Your code is invalid' });
  });

  it('rejects replaying the code that enabled 2FA', async () => {
    const { token, secret } = await activeAccount(t).then(async (a) => ({ ...a, ...(await generateSecret(t, a.token)) }));
    const code = freshCode(secret);
    expect((await post('enable_2fa', { code }, token)).status).toBe(201);
    expect((await post('verify_code', { code }, token)).status).toBe(422);
  });

  it('accepts one step of clock drift either side, not two', async () => {
    const { token, secret } = await twoFactorAccount(t);
    // Three steps after the one that enabled 2FA, so step - 2 was never used.
    nextStep();
    nextStep();
    const step = nextStep();
    expect((await post('verify_code', { code: codeFor(secret, step - 2) }, token)).status).toBe(422);
    expect((await post('verify_code', { code: codeFor(secret, step + 2) }, token)).status).toBe(422);
    expect((await post('verify_code', { code: codeFor(secret, step - 1) }, token)).status).toBe(201);
    expect((await post('verify_code', { code: codeFor(secret, step) }, token)).status).toBe(201);
    expect((await post('verify_code', { code: codeFor(secret, step + 1) }, token)).status).toBe(201);
    // Codes of steps before the last one used are spent too.
    expect((await post('verify_code', { code: codeFor(secret, step) }, token)).status).toBe(422);
  });

  it('rejects malformed codes with 422', async () => {
    const { token } = await twoFactorAccount(t);
    for (const code of ['abcdef', '12345', '1234567', '12 456']) {
      const res = await post('verify_code', { code }, token);
      expect(res.status, code).toBe(422);
    }
  });

  it('accepts the same code once when it is sent in parallel (replay race)', async () => {
    const { token, code } = await twoFactorAccount(t);
    const once = code();
    const results = await Promise.all(Array.from({ length: 10 }, () => post('verify_code', { code: once }, token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    // The losers are wrong codes; past five of them in a row the account is rate limited.
    expect(statuses.filter((s) => s !== 201).every((s) => s === 422 || s === 429)).toBe(true);
  });

  it('rate limits wrong codes in a row (brute force): 429 with Retry-After, even for the right code', async () => {
    const { token, secret } = await twoFactorAccount(t);
    const step = nextStep();
    const wrong = String((Number(codeFor(secret, step)) + 7) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect((await post('verify_code', { code: wrong }, token)).status).toBe(422);
    const limited = await post('verify_code', { code: codeFor(secret, step) }, token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another account is not affected.
    const other = await twoFactorAccount(t);
    expect((await post('verify_code', { code: other.code() }, other.token)).status).toBe(201);
  });

  it('counts only wrong codes in a row: a right code clears the count', async () => {
    const { token, secret } = await twoFactorAccount(t);
    let step = nextStep();
    const wrongAt = (s: number) => String((Number(codeFor(secret, s)) + 3) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 4; i++) expect((await post('verify_code', { code: wrongAt(step) }, token)).status).toBe(422);
    expect((await post('verify_code', { code: codeFor(secret, step) }, token)).status).toBe(201);
    step = nextStep();
    for (let i = 0; i < 4; i++) expect((await post('verify_code', { code: wrongAt(step) }, token)).status).toBe(422);
    expect((await post('verify_code', { code: codeFor(secret, step) }, token)).status).toBe(201);
  });
});

describe('POST /api/v1/sessions with 2FA on', () => {
  const signIn = async (email: string, extra: Record<string, unknown> = {}) =>
    t.api.post('/api/v1/sessions', { email, password: PASSWORD, application_id: await defaultApplicationId(t), ...extra });

  it('answers 403 when the OTP code is missing (a stolen password is not enough)', async () => {
    const { email } = await twoFactorAccount(t);
    nextStep();
    const res = await signIn(email);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'The account has enabled 2FA but OTP code is missing' });
    expect((await signIn(email, { otp_code: '' })).body).toEqual({ error: 'The account has enabled 2FA but OTP code is missing' });
  });

  it('answers 403 "OTP code is invalid" for a wrong or replayed code, 201 for a fresh one', async () => {
    const { email, secret } = await twoFactorAccount(t);
    const step = nextStep();
    const wrong = await signIn(email, { otp_code: String((Number(codeFor(secret, step)) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: 'OTP code is invalid' });

    const ok = await signIn(email, { otp_code: codeFor(secret, step) });
    expect(ok.status).toBe(201);
    expect(typeof ok.body).toBe('string');
    const replay = await signIn(email, { otp_code: codeFor(secret, step) });
    expect(replay.status).toBe(403);
    expect(replay.body).toEqual({ error: 'OTP code is invalid' });
  });

  it('does not accept a code already used on another endpoint', async () => {
    const { email, token, code } = await twoFactorAccount(t);
    const once = code();
    expect((await post('verify_code', { code: once }, token)).status).toBe(201);
    expect((await signIn(email, { otp_code: once })).status).toBe(403);
  });

  it('checks the password before the OTP code (no OTP oracle without the password)', async () => {
    const { email } = await twoFactorAccount(t);
    const res = await signIn(email, { password: 'Wrong1234' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid Email or password.' });
  });

  it('does not ask accounts without 2FA for a code', async () => {
    const { email } = await activeAccount(t);
    expect((await signIn(email)).status).toBe(201);
  });
});

describe('disableTwoFactor (domain function for the admin endpoint)', () => {
  it('turns 2FA off and forgets the secret, so the account can enrol again', async () => {
    const { email, token: before, code } = await twoFactorAccount(t);
    const row = await accountRow(email);
    const updated = await disableTwoFactor(t.services.deps, row.id);
    expect(updated?.otp_enabled).toBe(false);
    expect(await findAccountOtp(db(), row.id)).toBeUndefined();
    expect((await t.api.get('/api/v1/accounts/me', { token: before })).status).toBe(401); // sessions ended
    const token = await signInAs(t, email);
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.otp_enabled).toBe(false);
    expect((await post('verify_code', { code: code() }, token)).body).toEqual({ error: 'You need to enable 2FA first' });
    const again = await generateSecret(t, token);
    expect((await post('enable_2fa', { code: freshCode(again.secret) }, token)).status).toBe(201);
  });

  it('returns undefined for an unknown account', async () => {
    expect(await disableTwoFactor(t.services.deps, '999999999')).toBeUndefined();
  });
});

it('keeps the test clock moving forward only', () => {
  const before = currentStep();
  expect(nextStep()).toBe(before + 1);
});
