import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { activeAccount, confirmationTokenFor, signUp } from '../helpers/accounts.js';
import { linkToken } from '../helpers/mail-sink.js';
import { createTestApp, PASSWORD, uniqueEmail, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('POST /api/v1/accounts (sign up)', () => {
  it('creates a pending member account and mails a confirmation link', async () => {
    const email = uniqueEmail();
    const res = await t.api.post('/api/v1/accounts', { email: `  ${email.toUpperCase()} `, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body).toBeNull();

    const row = await findAccountByEmail(t.services.deps.db, email);
    expect(row).toMatchObject({ email, role: 'member', level: 0, state: 'pending', otp_enabled: false });
    expect(row!.uid).toMatch(/^ID[0-9A-F]{10}$/);
    expect(row!.password_digest).toMatch(/^\$argon2id\$/);

    const mail = await t.mail.next(email, 'Confirmation instructions');
    expect(mail.from).toContain('noreply@barong.io');
    expect(mail.text).toContain('https://exchange.example/accounts/confirmation?confirmation_token=');
    expect(linkToken(mail, 'confirmation_token')).toMatch(/^[\w-]{43}$/);
  });

  it('accepts a form-urlencoded body', async () => {
    const email = uniqueEmail();
    const res = await t.api.post('/api/v1/accounts', { email, password: PASSWORD }, { form: true });
    expect(res.status).toBe(201);
    expect(await findAccountByEmail(t.services.deps.db, email)).toBeDefined();
  });

  it('answers 400 with Grape-style messages for missing and empty parameters', async () => {
    const res = await t.api.post('/api/v1/accounts', { password: '' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'email is missing, email is empty, password is empty' });
  });

  it('answers 422 with an array of every rule that failed', async () => {
    const res = await t.api.post('/api/v1/accounts', { email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: [
        'Email is invalid',
        'Password is too short (minimum is 6 characters)',
        'Password must contain big, small letters and digits',
      ],
    });
  });

  it('rejects a password without upper-case letters, lower-case letters and digits', async () => {
    for (const password of ['alllower1', 'ALLUPPER1', 'NoDigitsHere']) {
      const res = await t.api.post('/api/v1/accounts', { email: uniqueEmail(), password });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: ['Password must contain big, small letters and digits'] });
    }
  });

  it('answers 422 "Email has already been taken" for a second sign-up, whatever the case', async () => {
    const { email } = await signUp(t);
    const res = await t.api.post('/api/v1/accounts', { email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: ['Email has already been taken'] });
  });

  it('creates exactly one account when the same email signs up in parallel', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.api.post('/api/v1/accounts', { email, password: PASSWORD })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(5);
    const count = await t.services.deps.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });
});

describe('POST /api/v1/accounts/confirm', () => {
  it('activates the account, sets the private email label and level 1', async () => {
    const { email } = await signUp(t);
    const token = await confirmationTokenFor(t, email);
    const res = await t.api.post('/api/v1/accounts/confirm', { confirmation_token: token });
    expect(res.status).toBe(201);
    expect(res.body).toBeNull();

    const row = await findAccountByEmail(t.services.deps.db, email);
    expect(row).toMatchObject({ state: 'active', level: 1 });
    expect(row!.confirmed_at).toBeInstanceOf(Date);
    const labels = await listLabelsByAccountId(t.services.deps.db, row!.id);
    expect(labels.map((l) => [l.key, l.value, l.scope])).toEqual([['email', 'verified', 'private']]);
  });

  it('stores only a digest of the confirmation token', async () => {
    const { email } = await signUp(t);
    const token = await confirmationTokenFor(t, email);
    const rows = await t.services.deps.db.selectFrom('account_tokens').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('answers 422 for an unknown token and for a second use', async () => {
    const unknown = await t.api.post('/api/v1/accounts/confirm', { confirmation_token: 'nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ error: 'Confirmation token is invalid' });

    const { email } = await signUp(t);
    const token = await confirmationTokenFor(t, email);
    expect((await t.api.post('/api/v1/accounts/confirm', { confirmation_token: token })).status).toBe(201);
    const again = await t.api.post('/api/v1/accounts/confirm', { confirmation_token: token });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ error: 'Email was already confirmed, please try signing in' });
  });

  it('answers 422 for an expired token', async () => {
    const { email } = await signUp(t);
    const token = await confirmationTokenFor(t, email);
    const account = await findAccountByEmail(t.services.deps.db, email);
    await t.services.deps.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('account_id', '=', account!.id)
      .execute();
    const res = await t.api.post('/api/v1/accounts/confirm', { confirmation_token: token });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Confirmation token has expired, please request a new one' });
  });

  it('answers 400 when the token is missing', async () => {
    const res = await t.api.post('/api/v1/accounts/confirm', {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'confirmation_token is missing, confirmation_token is empty' });
  });
});

describe('POST /api/v1/accounts/send_confirmation_instructions', () => {
  it('mails a new link that works, and the old one no longer does', async () => {
    const { email } = await signUp(t);
    const first = await confirmationTokenFor(t, email);
    const res = await t.api.post('/api/v1/accounts/send_confirmation_instructions', { email });
    expect(res.status).toBe(201);
    const second = await confirmationTokenFor(t, email);
    expect(second).not.toBe(first);
    expect((await t.api.post('/api/v1/accounts/confirm', { confirmation_token: first })).status).toBe(422);
    expect((await t.api.post('/api/v1/accounts/confirm', { confirmation_token: second })).status).toBe(201);
  });

  it('answers 201 for an unknown email and sends nothing', async () => {
    const email = uniqueEmail('ghost');
    const res = await t.api.post('/api/v1/accounts/send_confirmation_instructions', { email });
    expect(res.status).toBe(201);
    await t.services.deps.background.drain();
    expect(t.mail.received.some((m) => m.to.includes(email))).toBe(false);
  });
});

describe('GET /api/v1/accounts/me', () => {
  it('returns the account of the bearer token', async () => {
    const account = await activeAccount(t);
    const res = await t.api.get('/api/v1/accounts/me', { token: account.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      uid: account.uid,
      email: account.email,
      role: 'member',
      level: 1,
      state: 'active',
      otp_enabled: false,
    });
  });

  it('answers 401 without a token', async () => {
    const res = await t.api.get('/api/v1/accounts/me');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'The access token is invalid' });
  });
});

describe('unknown routes', () => {
  it('answer 404 with an error body', async () => {
    const res = await t.api.get('/api/v1/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found' });
  });
});
