/** Journeys with 2FA: an active account that enrolled an authenticator and turned 2FA on. */
import { expect } from 'vitest';
import { activeAccount } from './accounts.js';
import type { TestApp } from './test-app.js';
import { freshCode, secretOf } from './totp.js';

/** POST /security/generate_qrcode; the enrolled secret (read from the otpauth:// URL). */
export async function generateSecret(t: TestApp, token: string) {
  const res = await t.api.post('/api/v1/security/generate_qrcode', undefined, { token });
  expect(res.status, res.text).toBe(201);
  return { secret: secretOf(res.body.data.url), url: res.body.data.url as string, barcode: res.body.data.barcode as string };
}

/** An active account with 2FA on (needs the test clock: see useTestClock). */
export async function twoFactorAccount(t: TestApp) {
  const account = await activeAccount(t);
  const { secret } = await generateSecret(t, account.token);
  const res = await t.api.post('/api/v1/security/enable_2fa', { code: freshCode(secret) }, { token: account.token });
  expect(res.status, res.text).toBe(201);
  return { ...account, secret, code: () => freshCode(secret) };
}
