import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { activeAccount, defaultApplicationId } from '../helpers/accounts.js';
import { linkToken } from '../helpers/mail-sink.js';
import { createTestApp, PASSWORD, uniqueEmail, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_RESET_PASSWORD_PER_IP: '1000/60', RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
});
afterAll(() => t?.close());

const NEW_PASSWORD = 'Another456';

async function signInStatus(email: string, password: string) {
  const res = await t.api.post('/api/v1/sessions', { email, password, application_id: await defaultApplicationId(t) });
  return res.status;
}

async function requestReset(email: string): Promise<string> {
  const res = await t.api.post('/api/v1/security/reset_password', { email });
  expect(res.status).toBe(201);
  expect(res.body).toBeNull();
  const mail = await t.mail.next(email, 'Reset password instructions');
  expect(mail.text).toContain('https://exchange.example/accounts/password/edit?reset_password_token=');
  return linkToken(mail, 'reset_password_token');
}

describe('PUT /api/v1/accounts/password', () => {
  it('changes the password: the old one stops working, the new one works', async () => {
    const { email, token } = await activeAccount(t);
    const res = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: NEW_PASSWORD }, { token });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(await signInStatus(email, PASSWORD)).toBe(401);
    expect(await signInStatus(email, NEW_PASSWORD)).toBe(201);
  });

  it('answers 401 "Invalid password." for a wrong old password', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.put('/api/v1/accounts/password', { old_password: 'Wrong999x', new_password: NEW_PASSWORD }, { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid password.' });
  });

  it('answers 422 (not 500) for a weak or unchanged new password', async () => {
    const { token } = await activeAccount(t);
    const weak = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: 'weakpass' }, { token });
    expect(weak.status).toBe(422);
    expect(weak.body).toEqual({ error: 'Password must contain big, small letters and digits' });
    const same = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: PASSWORD }, { token });
    expect(same.status).toBe(422);
    expect(same.body).toEqual({ error: 'Password must be different than the current password.' });
  });

  it('answers 400 for missing parameters and 401 without a token', async () => {
    const { token } = await activeAccount(t);
    const missing = await t.api.put('/api/v1/accounts/password', {}, { token });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'old_password is missing, new_password is missing' });
    const anonymous = await t.api.put('/api/v1/accounts/password', { old_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(anonymous.status).toBe(401);
  });
});

describe('password reset', () => {
  it('mails a link whose token sets a new password once', async () => {
    const { email } = await activeAccount(t);
    const token = await requestReset(email);
    const res = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(await signInStatus(email, NEW_PASSWORD)).toBe(201);

    const again = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: 'Third789x' });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'Record is not found' });
  });

  it('answers 201 for an unknown email too, and sends nothing (no enumeration)', async () => {
    const email = uniqueEmail('ghost');
    const res = await t.api.post('/api/v1/security/reset_password', { email });
    expect(res.status).toBe(201);
    await t.services.deps.background.drain();
    expect(t.mail.received.some((m) => m.to.includes(email))).toBe(false);
  });

  it('only the latest link works', async () => {
    const { email } = await activeAccount(t);
    const first = await requestReset(email);
    const second = await requestReset(email);
    const old = await t.api.put('/api/v1/security/reset_password', { reset_password_token: first, password: NEW_PASSWORD });
    expect(old.status).toBe(404);
    const latest = await t.api.put('/api/v1/security/reset_password', { reset_password_token: second, password: NEW_PASSWORD });
    expect(latest.status).toBe(200);
  });

  it('refuses an expired token with 422', async () => {
    const { email } = await activeAccount(t);
    const token = await requestReset(email);
    const row = await findAccountByEmail(t.services.deps.db, email);
    await t.services.deps.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('account_id', '=', row!.id)
      .execute();
    const res = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: NEW_PASSWORD });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Reset password token has expired, please request a new one' });
  });

  it('answers 422 with the rule for a weak password and keeps the token usable', async () => {
    const { email } = await activeAccount(t);
    const token = await requestReset(email);
    const weak = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.error).toContain('Password is too short (minimum is 6 characters)');
    const ok = await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: NEW_PASSWORD });
    expect(ok.status).toBe(200);
  });

  it('stores only a digest of the reset token', async () => {
    const { email } = await activeAccount(t);
    const token = await requestReset(email);
    const row = await findAccountByEmail(t.services.deps.db, email);
    const tokens = await t.services.deps.db
      .selectFrom('account_tokens')
      .selectAll()
      .where('account_id', '=', row!.id)
      .where('purpose', '=', 'reset_password')
      .execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).not.toContain(token);
    expect(tokens[0].expires_at.getTime() - tokens[0].created_at.getTime()).toBeCloseTo(6 * 3600 * 1000, -4);
  });

  it('lifts a sign-in lockout', async () => {
    const { email } = await activeAccount(t);
    for (let i = 0; i < 5; i++) await signInStatus(email, 'Wrong1234');
    expect(await signInStatus(email, PASSWORD)).toBe(401);
    const token = await requestReset(email);
    await t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: NEW_PASSWORD });
    expect(await signInStatus(email, NEW_PASSWORD)).toBe(201);
  });

  it('lets exactly one of two parallel uses of a token succeed', async () => {
    const { email } = await activeAccount(t);
    const token = await requestReset(email);
    const results = await Promise.all([
      t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: 'Parallel1a' }),
      t.api.put('/api/v1/security/reset_password', { reset_password_token: token, password: 'Parallel2b' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
  });
});
