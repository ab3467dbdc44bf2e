/** Operator accounts (admin, compliance) as the console and the review API need them: 2FA on. */
import { expect } from 'vitest';
import { defaultApplicationId } from './accounts.js';
import type { RequestOptions, TestApp } from './test-app.js';
import { freshCode } from './totp.js';
import { twoFactorAccount } from './two-factor.js';

/**
 * An active account with 2FA on, given `role` by the operator token, then signed in afresh with a
 * TOTP code (needs the test clock: see useTestClock).
 */
export async function operatorAccount(t: TestApp, role: 'admin' | 'compliance' | 'member') {
  const account = await twoFactorAccount(t);
  const promoted = await t.api.put(`/api/v1/admin/accounts/${account.uid}/role`, { role }, operatorToken(t));
  expect(promoted.status, promoted.text).toBe(200);
  return { ...account, token: await signInWithCode(t, account) };
}

/** Signs in an account that has 2FA on, with a fresh TOTP code; answers the new session JWT. */
export async function signInWithCode(t: TestApp, account: { email: string; password: string; secret: string }): Promise<string> {
  const session = await t.api.post('/api/v1/sessions', {
    email: account.email,
    password: account.password,
    application_id: await defaultApplicationId(t),
    otp_code: freshCode(account.secret),
  });
  expect(session.status, session.text).toBe(201);
  return session.body as string;
}

export function operatorToken(t: TestApp): RequestOptions {
  return { headers: { 'x-operator-token': t.operatorToken } };
}
