import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { activeAccount, defaultApplicationId, signUp } from '../helpers/accounts.js';
import { operatorAccount, signInWithCode } from '../helpers/operators.js';
import { createTestApp, PASSWORD, uniqueEmail, type RequestOptions, type TestApp } from '../helpers/test-app.js';
import { restoreClock, useTestClock } from '../helpers/totp.js';

let t: TestApp;
let operator: RequestOptions;
beforeAll(async () => {
  useTestClock(); // operator accounts enable 2FA
  // Every injected request comes from 127.0.0.1: the per-IP sign-in limit would stop the setup.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  operator = { headers: { 'x-operator-token': t.operatorToken } };
});
afterAll(async () => {
  await t?.close();
  restoreClock();
});

const ADMIN = '/api/v1/admin/accounts';

async function accountRow(uid: string) {
  const row = await findAccountByUid(t.services.deps.db, uid);
  expect(row).toBeDefined();
  return row!;
}

async function privateLabels(uid: string) {
  const rows = await listLabelsByAccountId(t.services.deps.db, (await accountRow(uid)).id);
  return Object.fromEntries(rows.filter((l) => l.scope === 'private').map((l) => [l.key, l.value]));
}

/** An admin account (2FA on, as every operator account needs) with a fresh session. */
function adminAccount() {
  return operatorAccount(t, 'admin');
}

async function setLabel(uid: string, key: string, value: string, options = operator) {
  return t.api.put(`${ADMIN}/${uid}/labels/${key}`, { value }, options);
}

/** Mails to `to` with this subject that arrive within `ms` (none expected: resolves to []). */
async function mailsWithin(to: string, subject: string, ms: number) {
  await new Promise((r) => setTimeout(r, ms));
  return t.mail.received.filter((m) => m.to.includes(to) && m.subject === subject);
}

describe('admin authorisation (every admin account operation)', () => {
  const calls = (uid: string): Array<[string, (o: RequestOptions) => ReturnType<TestApp['api']['get']>]> => [
    ['getV1AdminAccounts', (o) => t.api.get(ADMIN, o)],
    ['getV1AdminAccountsUid', (o) => t.api.get(`${ADMIN}/${uid}`, o)],
    ['putV1AdminAccountsUidRole', (o) => t.api.put(`${ADMIN}/${uid}/role`, { role: 'member' }, o)],
    ['deleteV1AdminAccountsUidOtp', (o) => t.api.delete(`${ADMIN}/${uid}/otp`, o)],
    ['putV1AdminAccountsUidLabelsKey', (o) => t.api.put(`${ADMIN}/${uid}/labels/tier`, { value: 'gold' }, o)],
    ['deleteV1AdminAccountsUidLabelsKey', (o) => t.api.delete(`${ADMIN}/${uid}/labels/tier`, o)],
  ];

  it('accepts the operator token (X-Operator-Token)', async () => {
    const { uid } = await activeAccount(t);
    for (const [name, call] of calls(uid)) {
      expect((await call(operator)).status, name).toBeLessThan(300);
    }
  });

  it('accepts the session JWT of an account with role admin', async () => {
    const admin = await adminAccount();
    const { uid } = await activeAccount(t);
    for (const [name, call] of calls(uid)) {
      expect((await call({ token: admin.token })).status, name).toBeLessThan(300);
    }
  });

  it('refuses a member session with 403 "Access denied" (privilege escalation by a user) and changes nothing', async () => {
    const member = await activeAccount(t);
    const { uid } = await activeAccount(t);
    for (const [name, call] of calls(uid)) {
      const res = await call({ token: member.token });
      expect(res.status, name).toBe(403);
      expect(res.body).toEqual({ error: 'Access denied' });
    }
    expect(await privateLabels(uid)).toEqual({ email: 'verified' });
    // Not even on their own account.
    const self = await t.api.put(`${ADMIN}/${member.uid}/role`, { role: 'admin' }, { token: member.token });
    expect(self.status).toBe(403);
    expect((await accountRow(member.uid)).role).toBe('member');
  });

  it('refuses a request without credentials, or with a wrong operator token, with 401', async () => {
    const { uid } = await activeAccount(t);
    const wrong = { headers: { 'x-operator-token': `${t.operatorToken.slice(0, -2)}xx` } };
    for (const [name, call] of calls(uid)) {
      const none = await call({});
      expect(none.status, name).toBe(401);
      expect(none.body).toEqual({ error: 'The access token is invalid' });
      expect((await call(wrong)).status, name).toBe(401);
    }
  });

  it('takes admin access away at once when an admin is demoted: the sessions end, a new one is a member', async () => {
    const admin = await adminAccount();
    expect((await t.api.get(ADMIN, { token: admin.token })).status).toBe(200);
    expect((await t.api.put(`${ADMIN}/${admin.uid}/role`, { role: 'member' }, operator)).status).toBe(200);
    const old = await t.api.get(ADMIN, { token: admin.token });
    expect(old.status).toBe(401);
    expect(old.body).toEqual({ error: 'The session was revoked, please sign in again' });
    expect((await t.api.get(ADMIN, { token: await signInWithCode(t, admin) })).status).toBe(403);
  });
});

describe('GET /api/v1/admin/accounts', () => {
  it('lists accounts oldest first with their timestamps', async () => {
    const a = await activeAccount(t);
    const b = await activeAccount(t);
    // Every page (a PostgreSQL test database may hold more accounts than one page).
    const all: any[] = [];
    for (let offset = 0; ; offset += 1000) {
      const res = await t.api.get(`${ADMIN}?limit=1000&offset=${offset}`, operator);
      expect(res.status).toBe(200);
      all.push(...res.body);
      if (res.body.length < 1000) break;
    }
    const uids = all.map((x) => x.uid);
    expect(uids.indexOf(a.uid)).toBeGreaterThanOrEqual(0);
    expect(uids.indexOf(a.uid)).toBeLessThan(uids.indexOf(b.uid));
    expect(all.find((x) => x.uid === a.uid)).toMatchObject({
      uid: a.uid,
      email: a.email,
      role: 'member',
      level: 1,
      state: 'active',
      otp_enabled: false,
    });
  });

  it('filters by exact email, case-insensitively', async () => {
    const a = await activeAccount(t);
    const res = await t.api.get(`${ADMIN}?email=${encodeURIComponent(a.email.toUpperCase())}`, operator);
    expect(res.status).toBe(200);
    expect(res.body.map((x: any) => x.uid)).toEqual([a.uid]);
    const none = await t.api.get(`${ADMIN}?email=${encodeURIComponent(uniqueEmail('nobody'))}`, operator);
    expect(none.body).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    for (let i = 0; i < 3; i++) await signUp(t);
    const all = (await t.api.get(`${ADMIN}?limit=1000`, operator)).body.map((x: any) => x.uid);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const page = await t.api.get(`${ADMIN}?limit=2&offset=1`, operator);
    expect(page.body.map((x: any) => x.uid)).toEqual(all.slice(1, 3));
  });

  it('answers 400 for a limit or offset out of range', async () => {
    for (const query of ['limit=0', 'limit=1001', 'offset=-1', 'limit=abc']) {
      const res = await t.api.get(`${ADMIN}?${query}`, operator);
      expect(res.status, query).toBe(400);
    }
    expect((await t.api.get(`${ADMIN}?limit=0`, operator)).body).toEqual({ error: 'limit is out of range' });
  });
});

describe('GET /api/v1/admin/accounts/{uid}', () => {
  it('shows the account with its labels, profile, phones and documents', async () => {
    const { uid, token } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    await t.api.post(
      '/api/v1/profiles',
      { first_name: 'Jane', last_name: 'Doe', dob: '1990-04-21', address: '1 Main St', postcode: '123', city: 'Town', country: 'fr' },
      { token },
    );
    const accountId = (await accountRow(uid)).id;
    const db = t.services.deps.db;
    // A verified number is unique across accounts, and a PostgreSQL test database outlives one run.
    const number = `4479${String(Date.now()).slice(-8)}`;
    await db.insertInto('phones').values({ account_id: accountId, number, country: 'GB', validated_at: new Date('2024-06-10T09:13:20Z') }).execute();
    const document = await db
      .insertInto('documents')
      .values({
        account_id: accountId,
        upload: `test-${number}`,
        content_type: 'image/png',
        byte_size: 10,
        doc_type: 'Passport',
        doc_number: 'AA1234BB',
        doc_expire: '2030-01-22',
        metadata: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const res = await t.api.get(`${ADMIN}/${uid}`, operator);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ uid, role: 'member', level: 1, otp_enabled: false });
    expect(res.body.labels.map(({ key, value, scope }: any) => ({ key, value, scope }))).toEqual([
      { key: 'email', value: 'verified', scope: 'private' },
      { key: 'tier', value: 'gold', scope: 'public' },
    ]);
    expect(res.body.profile).toEqual({
      first_name: 'Jane',
      last_name: 'Doe',
      dob: '1990-04-21',
      address: '1 Main St',
      postcode: '123',
      city: 'Town',
      country: 'FR',
      metadata: null,
    });
    expect(res.body.phones).toEqual([{ number, country: 'GB', validated_at: '2024-06-10T09:13:20Z' }]);
    expect(res.body.documents).toEqual([
      {
        id: Number(document.id),
        upload: { url: `/api/v1/admin/accounts/${uid}/documents/${document.id}/file` },
        doc_type: 'Passport',
        doc_number: 'AA1234BB',
        doc_expire: '2030-01-22',
        content_type: 'image/png',
        byte_size: 10,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
  });

  it('shows profile null and empty lists for a new account', async () => {
    const { email } = await signUp(t);
    const [row] = (await t.api.get(`${ADMIN}?email=${encodeURIComponent(email)}`, operator)).body;
    const res = await t.api.get(`${ADMIN}/${row.uid}`, operator);
    expect(res.body).toMatchObject({ state: 'pending', level: 0, labels: [], profile: null, phones: [], documents: [] });
  });

  it('answers 404 "Record is not found" for an unknown uid, on every account operation', async () => {
    const uid = 'ID0000000000';
    const results = [
      await t.api.get(`${ADMIN}/${uid}`, operator),
      await t.api.put(`${ADMIN}/${uid}/role`, { role: 'admin' }, operator),
      await t.api.delete(`${ADMIN}/${uid}/otp`, operator),
      await setLabel(uid, 'document', 'verified'),
      await t.api.delete(`${ADMIN}/${uid}/labels/document`, operator),
    ];
    for (const res of results) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Record is not found' });
    }
  });
});

describe('PUT /api/v1/admin/accounts/{uid}/role', () => {
  it('sets the role and answers the account', async () => {
    const { uid } = await activeAccount(t);
    const res = await t.api.put(`${ADMIN}/${uid}/role`, { role: 'compliance' }, { ...operator, form: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ uid, role: 'compliance' });
    expect((await accountRow(uid)).role).toBe('compliance');
  });

  it('answers 400 for a missing or unknown role', async () => {
    const { uid } = await activeAccount(t);
    const missing = await t.api.put(`${ADMIN}/${uid}/role`, {}, operator);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'role is missing' });
    const unknown = await t.api.put(`${ADMIN}/${uid}/role`, { role: 'superuser' }, operator);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'role does not have a valid value' });
    expect((await accountRow(uid)).role).toBe('member');
  });

  it('refuses an admin session changing its own role (422), so a session never demotes the last admin', async () => {
    const admin = await adminAccount();
    const res = await t.api.put(`${ADMIN}/${admin.uid}/role`, { role: 'member' }, { token: admin.token });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: "Can't change the role of your own account" });
    expect((await accountRow(admin.uid)).role).toBe('admin');
    // Setting the role it already has is not a change.
    expect((await t.api.put(`${ADMIN}/${admin.uid}/role`, { role: 'admin' }, { token: admin.token })).status).toBe(200);
    // Another admin, or the operator, may.
    const other = await adminAccount();
    expect((await t.api.put(`${ADMIN}/${admin.uid}/role`, { role: 'member' }, { token: other.token })).status).toBe(200);
    expect((await t.api.put(`${ADMIN}/${other.uid}/role`, { role: 'member' }, operator)).status).toBe(200);
  });
});

describe('PUT /api/v1/admin/accounts/{uid}/labels/{key}', () => {
  it('sets private labels and recomputes the level: email 1, phone 2, document 3', async () => {
    const { uid, token } = await activeAccount(t);
    expect((await accountRow(uid)).level).toBe(1);
    const phone = await setLabel(uid, 'phone', 'verified');
    expect(phone.status).toBe(200);
    expect(phone.body).toMatchObject({ key: 'phone', value: 'verified', scope: 'private' });
    expect((await accountRow(uid)).level).toBe(2);
    expect((await setLabel(uid, 'document', 'verified')).status).toBe(200);
    expect((await accountRow(uid)).level).toBe(3);
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.level).toBe(3);
  });

  it('drops the level when a label is changed away from verified, and leaves gaps unfilled', async () => {
    const { uid } = await activeAccount(t);
    await setLabel(uid, 'document', 'verified');
    expect((await accountRow(uid)).level).toBe(1); // no phone: the document does not count yet
    await setLabel(uid, 'phone', 'verified');
    expect((await accountRow(uid)).level).toBe(3);
    await setLabel(uid, 'phone', 'rejected');
    expect((await accountRow(uid)).level).toBe(1);
    await setLabel(uid, 'email', 'revoked');
    expect((await accountRow(uid)).level).toBe(0);
  });

  it('writes the private label only: a public label of the same key is left alone and never counts', async () => {
    const { uid, token } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'phone', value: 'verified' }, { token });
    expect((await accountRow(uid)).level).toBe(1);
    await setLabel(uid, 'phone', 'pending');
    const labels = (await t.api.get('/api/v1/labels', { token })).body.map(({ key, value, scope }: any) => ({ key, value, scope }));
    expect(labels).toEqual(
      expect.arrayContaining([
        { key: 'phone', value: 'verified', scope: 'public' },
        { key: 'phone', value: 'pending', scope: 'private' },
      ]),
    );
    expect((await accountRow(uid)).level).toBe(1);
  });

  it('downcases key and value, and answers 422 for ones that break the label rules', async () => {
    const { uid } = await activeAccount(t);
    const ok = await setLabel(uid, 'KYC_Tier', 'Gold');
    expect(ok.body).toMatchObject({ key: 'kyc_tier', value: 'gold', scope: 'private' });
    const badKey = await setLabel(uid, 'ab', 'verified');
    expect(badKey.status).toBe(422);
    expect(badKey.body).toEqual({ error: 'Key is too short (minimum is 3 characters)' });
    const badValue = await setLabel(uid, 'document', 'not valid');
    expect(badValue.status).toBe(422);
    expect(badValue.body).toEqual({ error: 'Value is invalid' });
    const missing = await t.api.put(`${ADMIN}/${uid}/labels/document`, {}, operator);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'value is missing, value is empty' });
    expect(await privateLabels(uid)).toEqual({ email: 'verified', kyc_tier: 'gold' });
  });

  it('mails "Your identity was approved" when document becomes verified, once', async () => {
    const { uid, email } = await activeAccount(t);
    await setLabel(uid, 'document', 'pending');
    expect((await setLabel(uid, 'document', 'verified')).status).toBe(200);
    const mail = await t.mail.next(email, 'Your identity was approved');
    expect(mail.from).toContain('noreply@barong.io');
    expect(mail.text).toContain('verified');
    // The same value again is no change: no second mail.
    await setLabel(uid, 'document', 'verified');
    expect(await mailsWithin(email, 'Your identity was approved', 500)).toHaveLength(1);
  });

  it('mails "Your identity was rejected" when document becomes rejected', async () => {
    const { uid, email } = await activeAccount(t);
    expect((await setLabel(uid, 'document', 'rejected')).status).toBe(200);
    await t.mail.next(email, 'Your identity was rejected');
    expect((await accountRow(uid)).level).toBe(1);
  });

  it('mails nothing for other keys or values', async () => {
    const { uid, email } = await activeAccount(t);
    await setLabel(uid, 'document', 'pending');
    await setLabel(uid, 'identity', 'verified');
    await setLabel(uid, 'phone', 'rejected');
    await new Promise((r) => setTimeout(r, 500));
    expect(t.mail.received.filter((m) => m.to.includes(email) && m.subject.startsWith('Your identity'))).toEqual([]);
  });

  it('keeps the level right when private labels of one account change in parallel', async () => {
    for (let round = 0; round < 3; round++) {
      const { uid } = await activeAccount(t);
      const results = await Promise.all([setLabel(uid, 'phone', 'verified'), setLabel(uid, 'document', 'verified'), setLabel(uid, 'email', 'verified')]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect((await accountRow(uid)).level).toBe(3);

      await Promise.all([t.api.delete(`${ADMIN}/${uid}/labels/phone`, operator), setLabel(uid, 'document', 'rejected')]);
      expect((await accountRow(uid)).level).toBe(1);
    }
  });
});

describe('DELETE /api/v1/admin/accounts/{uid}/labels/{key}', () => {
  it('deletes a private label and recomputes the level (revoking email drops to 0)', async () => {
    const { uid, token } = await activeAccount(t);
    await setLabel(uid, 'phone', 'verified');
    expect((await accountRow(uid)).level).toBe(2);
    const res = await t.api.delete(`${ADMIN}/${uid}/labels/phone`, operator);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await accountRow(uid)).level).toBe(1);
    await setLabel(uid, 'phone', 'verified');
    expect((await t.api.delete(`${ADMIN}/${uid}/labels/EMAIL`, operator)).status).toBe(204);
    expect((await accountRow(uid)).level).toBe(0);
    expect(await privateLabels(uid)).toEqual({ phone: 'verified' });
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.level).toBe(0);
  });

  it('answers 404 when the account has no private label with that key, even if a public one exists', async () => {
    const { uid, token } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    const res = await t.api.delete(`${ADMIN}/${uid}/labels/tier`, operator);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Record is not found' });
    expect((await t.api.get('/api/v1/labels/tier', { token })).status).toBe(200);
  });
});

describe('DELETE /api/v1/admin/accounts/{uid}/otp', () => {
  async function enableTwoFactor(token: string): Promise<string> {
    const qr = await t.api.post('/api/v1/security/generate_qrcode', {}, { token });
    expect(qr.status, qr.text).toBe(201);
    const secret = new URL(qr.body.data.url).searchParams.get('secret')!;
    const enable = await t.api.post('/api/v1/security/enable_2fa', { code: await generate({ secret }) }, { token });
    expect(enable.status, enable.text).toBe(201);
    return secret;
  }

  it('turns 2FA off for a user who lost the device: sign-in works again without a code', async () => {
    const { uid, email, token } = await activeAccount(t);
    await enableTwoFactor(token);
    expect((await accountRow(uid)).otp_enabled).toBe(true);
    const applicationId = await defaultApplicationId(t);
    const refused = await t.api.post('/api/v1/sessions', { email, password: PASSWORD, application_id: applicationId });
    expect(refused.status).toBe(403);

    const res = await t.api.delete(`${ADMIN}/${uid}/otp`, operator);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ uid, otp_enabled: false });
    expect((await accountRow(uid)).otp_enabled).toBe(false);
    const signIn = await t.api.post('/api/v1/sessions', { email, password: PASSWORD, application_id: applicationId });
    expect(signIn.status, signIn.text).toBe(201);
    // Sessions from before the reset ended; the old secret is gone: a new QR code can be generated.
    expect((await t.api.post('/api/v1/security/generate_qrcode', {}, { token })).status).toBe(401);
    expect((await t.api.post('/api/v1/security/generate_qrcode', {}, { token: signIn.body })).status).toBe(201);
  });

  it('answers the account unchanged when 2FA is already off', async () => {
    const { uid } = await activeAccount(t);
    const res = await t.api.delete(`${ADMIN}/${uid}/otp`, operator);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ uid, otp_enabled: false });
  });
});

describe('applications', () => {
  it('creates an application with a redirect URI and lists it', async () => {
    const created = await t.api.post(
      '/api/v1/admin/applications',
      { name: 'Peatio', redirect_uri: 'https://peatio.example.com/auth/barong/callback' },
      operator,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Peatio', redirect_uri: 'https://peatio.example.com/auth/barong/callback' });
    const list = await t.api.get('/api/v1/admin/applications', operator);
    expect(list.body.map((a: { uid: string }) => a.uid)).toContain(created.body.uid);
  });

  it('answers 422 for a redirect URI that is not absolute or carries a fragment', async () => {
    for (const redirect_uri of ['/auth/callback', 'peatio.example.com/cb', 'https://peatio.example.com/cb#x']) {
      const res = await t.api.post('/api/v1/admin/applications', { name: 'Bad', redirect_uri }, operator);
      expect(res.status, redirect_uri).toBe(422);
      expect(res.body).toEqual({ error: 'Redirect uri must be an absolute URI' });
    }
  });
});
