/**
 * KYC review by operators: the queue, the reviewers' document download, decisions with their mails
 * and levels, the roles each admin operation allows (admin, compliance; 2FA required), and the
 * audit trail every operator action leaves.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listOperations } from '../../src/http/spec.js';
import { activeAccount, signIn } from '../helpers/accounts.js';
import { postMultipart, type FilePart } from '../helpers/multipart.js';
import { operatorAccount, operatorToken } from '../helpers/operators.js';
import { createTestApp, type ApiResponse, type RequestOptions, type TestApp } from '../helpers/test-app.js';
import { restoreClock, useTestClock } from '../helpers/totp.js';
import { twoFactorAccount } from '../helpers/two-factor.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

let t: TestApp;
let operator: RequestOptions;
beforeAll(async () => {
  useTestClock();
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  operator = operatorToken(t);
});
afterAll(async () => {
  await t?.close();
  restoreClock();
});

const ADMIN = '/api/v1/admin';

async function accountRow(uid: string) {
  const row = await findAccountByUid(t.services.deps.db, uid);
  expect(row).toBeDefined();
  return row!;
}

async function documentLabel(uid: string) {
  const row = await t.services.deps.db
    .selectFrom('labels')
    .select('value')
    .where('account_id', '=', (await accountRow(uid)).id)
    .where('key', '=', 'document')
    .where('scope', '=', 'private')
    .executeTakeFirst();
  return row?.value;
}

async function upload(token: string, file: FilePart = { filename: 'passport.png', contentType: 'image/png', data: PNG }) {
  const res = await postMultipart(
    t,
    '/api/v1/documents',
    { doc_type: 'Passport', doc_number: 'AA1234BB', doc_expire: '2030-01-22', upload: file },
    { token },
  );
  expect(res.status, res.text).toBe(201);
  return res.body as { id: number };
}

/** A level-2 user (email and phone verified) who uploaded a passport: a pending review. */
async function applicant(file?: FilePart) {
  const account = await activeAccount(t);
  expect((await t.api.put(`${ADMIN}/accounts/${account.uid}/labels/phone`, { value: 'verified' }, operator)).status).toBe(200);
  const document = await upload(account.token, file);
  expect(await documentLabel(account.uid)).toBe('pending');
  expect((await accountRow(account.uid)).level).toBe(2);
  return { ...account, document };
}

const decide = (uid: string, body: Record<string, unknown>, options: RequestOptions = operator) =>
  t.api.post(`${ADMIN}/reviews/${uid}`, body, options);

/** The whole queue, every page. */
async function wholeQueue(options: RequestOptions = operator) {
  const all: any[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await t.api.get(`${ADMIN}/reviews?limit=100&offset=${offset}`, options);
    expect(res.status, res.text).toBe(200);
    all.push(...res.body);
    if (res.body.length < 100) return { all, total: Number(res.headers['x-total-count']) };
  }
}

async function auditOf(uid: string) {
  const res = await t.api.get(`${ADMIN}/audit?account_uid=${uid}`, operator);
  expect(res.status, res.text).toBe(200);
  return res.body as any[];
}

describe('roles: every admin operation, per role', () => {
  /** One call per admin operation of the document; a new admin operation without an entry fails this test. */
  function calls(uid: string, documentId: number): Record<string, (o: RequestOptions) => Promise<ApiResponse>> {
    return {
      getV1AdminAccounts: (o) => t.api.get(`${ADMIN}/accounts`, o),
      getV1AdminAccountsUid: (o) => t.api.get(`${ADMIN}/accounts/${uid}`, o),
      putV1AdminAccountsUidRole: (o) => t.api.put(`${ADMIN}/accounts/${uid}/role`, { role: 'member' }, o),
      deleteV1AdminAccountsUidOtp: (o) => t.api.delete(`${ADMIN}/accounts/${uid}/otp`, o),
      putV1AdminAccountsUidLabelsKey: (o) => t.api.put(`${ADMIN}/accounts/${uid}/labels/tier`, { value: 'gold' }, o),
      deleteV1AdminAccountsUidLabelsKey: (o) => t.api.delete(`${ADMIN}/accounts/${uid}/labels/tier`, o),
      getV1AdminApplications: (o) => t.api.get(`${ADMIN}/applications`, o),
      postV1AdminApplications: (o) => t.api.post(`${ADMIN}/applications`, { name: 'Role check' }, o),
      getV1AdminReviews: (o) => t.api.get(`${ADMIN}/reviews`, o),
      postV1AdminReviewsUid: (o) => decide(uid, { decision: 'reject', reason: 'Blurred', re_review: true }, o),
      getV1AdminAccountsUidDocumentsIdFile: (o) => t.api.get(`${ADMIN}/accounts/${uid}/documents/${documentId}/file`, o),
      getV1AdminAudit: (o) => t.api.get(`${ADMIN}/audit`, o),
      getV1AdminOutboxJobs: (o) => t.api.get(`${ADMIN}/outbox/jobs`, o),
      // No dead job has this uid: an admin gets past the role check to the 404 (see below).
      postV1AdminOutboxJobsJobUidRetry: (o) => t.api.post(`${ADMIN}/outbox/jobs/${NO_SUCH_JOB}/retry`, {}, o),
      postV1AdminOutboxRetry: (o) => t.api.post(`${ADMIN}/outbox/retry`, {}, o),
    };
  }
  const NO_SUCH_JOB = '00000000-0000-4000-8000-000000000000';
  const adminOperations = listOperations().filter((op) => op.tags.includes('admin'));
  const complianceOperations = new Set([
    'getV1AdminAccounts',
    'getV1AdminAccountsUid',
    'getV1AdminReviews',
    'postV1AdminReviewsUid',
    'getV1AdminAccountsUidDocumentsIdFile',
    'getV1AdminAudit',
  ]);

  it('has a call here for every admin operation of the document', async () => {
    expect(Object.keys(calls('x', 1)).sort()).toEqual(adminOperations.map((op) => op.operationId).sort());
    expect(adminOperations.filter((op) => op.roles.includes('compliance')).map((op) => op.operationId).sort()).toEqual(
      [...complianceOperations].sort(),
    );
  });

  it('lets a compliance officer review and read, and refuses roles, 2FA, labels and applications with 403', async () => {
    const officer = await operatorAccount(t, 'compliance');
    const { uid, document } = await applicant();
    for (const [name, call] of Object.entries(calls(uid, document.id))) {
      const res = await call({ token: officer.token });
      if (complianceOperations.has(name)) expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
      else {
        expect(res.status, name).toBe(403);
        expect(res.body, name).toEqual({ error: 'Access denied' });
      }
    }
    const row = await accountRow(uid);
    expect(row.role).toBe('member');
    expect(await documentLabel(uid)).toBe('rejected'); // the one decision it was allowed
  });

  it('lets an admin (2FA on) do everything', async () => {
    const admin = await operatorAccount(t, 'admin');
    const { uid, document } = await applicant();
    for (const [name, call] of Object.entries(calls(uid, document.id))) {
      const res = await call({ token: admin.token });
      if (name === 'postV1AdminOutboxJobsJobUidRetry') expect(res.body, name).toEqual({ error: 'Record is not found' });
      else expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
    }
  });

  it("refuses a member's JWT with 403 on every review operation (and every other admin one)", async () => {
    const member = await activeAccount(t);
    const { uid, document } = await applicant();
    for (const [name, call] of Object.entries(calls(uid, document.id))) {
      const res = await call({ token: member.token });
      expect(res.status, name).toBe(403);
      expect(res.body, name).toEqual({ error: 'Access denied' });
    }
    expect(await documentLabel(uid)).toBe('pending');
  });

  it('refuses an operator account without 2FA (a password alone must not open the KYC data)', async () => {
    for (const role of ['admin', 'compliance']) {
      const account = await activeAccount(t);
      expect((await t.api.put(`${ADMIN}/accounts/${account.uid}/role`, { role }, operator)).status).toBe(200);
      const token = await signIn(t, account.email); // the role change ended the sessions issued before it
      const { uid, document } = await applicant();
      for (const [name, call] of Object.entries(calls(uid, document.id))) {
        const res = await call({ token });
        expect(res.status, `${role} ${name}`).toBe(403);
        if (complianceOperations.has(name) || role === 'admin') {
          expect(res.body, name).toEqual({ error: 'Two-factor authentication is required for operators' });
        }
      }
      expect(await documentLabel(uid)).toBe('pending');
    }
  });

  it('refuses an admin disabling its own 2FA or changing its own role (422)', async () => {
    const admin = await operatorAccount(t, 'admin');
    const otp = await t.api.delete(`${ADMIN}/accounts/${admin.uid}/otp`, { token: admin.token });
    expect(otp.status).toBe(422);
    expect(otp.body).toEqual({ error: "Can't disable 2FA of your own account" });
    expect((await accountRow(admin.uid)).otp_enabled).toBe(true);
    const role = await t.api.put(`${ADMIN}/accounts/${admin.uid}/role`, { role: 'member' }, { token: admin.token });
    expect(role.status).toBe(422);
    expect((await accountRow(admin.uid)).role).toBe('admin');
  });
});

describe('GET /api/v1/admin/reviews (the queue)', () => {
  it('lists pending reviews oldest first, with profile, phones and documents, and drops decided ones', async () => {
    const first = await applicant();
    const second = await applicant();
    const profile = await t.api.post(
      '/api/v1/profiles',
      { first_name: 'Jane', last_name: 'Doe', dob: '1990-04-21', address: '1 Main St', postcode: '123', city: 'Town', country: 'FR' },
      { token: second.token },
    );
    const { all, total } = await wholeQueue();
    expect(total).toBe(all.length);
    const uids = all.map((r) => r.account.uid);
    expect(uids.indexOf(first.uid)).toBeGreaterThanOrEqual(0);
    expect(uids.indexOf(first.uid)).toBeLessThan(uids.indexOf(second.uid));
    const entry = all.find((r) => r.account.uid === second.uid);
    expect(entry.account).toMatchObject({ uid: second.uid, email: second.email, level: 2, role: 'member' });
    expect(profile.status, profile.text).toBe(201);
    expect(entry.profile).toMatchObject({ first_name: 'Jane', last_name: 'Doe' });
    expect(entry.documents).toEqual([
      expect.objectContaining({
        id: second.document.id,
        doc_type: 'Passport',
        content_type: 'image/png',
        byte_size: PNG.length,
        upload: { url: `/api/v1/admin/accounts/${second.uid}/documents/${second.document.id}/file` },
      }),
    ]);

    expect((await decide(first.uid, { decision: 'approve' })).status).toBe(201);
    const after = await wholeQueue();
    expect(after.all.map((r) => r.account.uid)).not.toContain(first.uid);
    expect(after.total).toBe(total - 1);
  });

  it('pages with limit and offset; 400 out of range', async () => {
    await applicant();
    await applicant();
    const one = await t.api.get(`${ADMIN}/reviews?limit=1`, operator);
    const next = await t.api.get(`${ADMIN}/reviews?limit=1&offset=1`, operator);
    expect(one.body).toHaveLength(1);
    expect(next.body).toHaveLength(1);
    expect(one.body[0].account.uid).not.toBe(next.body[0].account.uid);
    expect((await t.api.get(`${ADMIN}/reviews?limit=101`, operator)).status).toBe(400);
    expect((await t.api.get(`${ADMIN}/reviews?offset=-1`, operator)).status).toBe(400);
  });
});

describe('GET /api/v1/admin/accounts/{uid}/documents/{id}/file', () => {
  it('serves an image inline and a PDF as an attachment, nosniff and no-store', async () => {
    const image = await applicant();
    const res = await t.api.get(`${ADMIN}/accounts/${image.uid}/documents/${image.document.id}/file`, operator);
    expect(res.status).toBe(200);
    expect(res.raw.equals(PNG)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe(`inline; filename="document-${image.document.id}.png"`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');

    const pdf = await applicant({ filename: 'bill.pdf', contentType: 'application/pdf', data: PDF });
    const file = await t.api.get(`${ADMIN}/accounts/${pdf.uid}/documents/${pdf.document.id}/file`, operator);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="document-${pdf.document.id}.pdf"`);
  });

  it("answers 404 for another account's document, an unknown document or account", async () => {
    const a = await applicant();
    const b = await applicant();
    for (const url of [
      `${ADMIN}/accounts/${a.uid}/documents/${b.document.id}/file`,
      `${ADMIN}/accounts/${a.uid}/documents/99999999/file`,
      `${ADMIN}/accounts/IDFFFFFFFFFF/documents/${a.document.id}/file`,
    ]) {
      const res = await t.api.get(url, operator);
      expect(res.status, url).toBe(404);
      expect(res.body).toEqual({ error: 'Record is not found' });
    }
  });
});

describe('POST /api/v1/admin/reviews/{uid} (decisions)', () => {
  it('rejects with a reason: label rejected, level stays 2, the user is mailed the reason, audited', async () => {
    const officer = await operatorAccount(t, 'compliance');
    const { uid, email } = await applicant();
    const reason = 'The passport photo is blurred; please upload a sharper scan.';
    const res = await decide(uid, { decision: 'reject', reason }, { token: officer.token, headers: { 'x-request-id': 'review-req-1' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ uid, level: 2 });
    expect(res.body.labels).toContainEqual(expect.objectContaining({ key: 'document', value: 'rejected', scope: 'private' }));
    expect(await documentLabel(uid)).toBe('rejected');
    expect((await accountRow(uid)).level).toBe(2);

    const mail = await t.mail.next(email, 'Your identity was rejected');
    expect(mail.text).toContain(`Reason: ${reason}`);

    const [record] = await auditOf(uid);
    expect(record).toMatchObject({
      actor: officer.uid,
      action: 'review.reject',
      account_uid: uid,
      before: { document: 'pending', level: 2 },
      after: { document: 'rejected', level: 2, reason },
      request_id: 'review-req-1',
      source_ip: '127.0.0.1',
    });
  });

  it('approves: label verified, level 3, "Your identity was approved"', async () => {
    const { uid, email, token } = await applicant();
    const res = await decide(uid, { decision: 'approve' }, { ...operator, form: true });
    expect(res.status, res.text).toBe(201);
    expect(res.body.level).toBe(3);
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.level).toBe(3);
    const mail = await t.mail.next(email, 'Your identity was approved');
    expect(mail.text).toContain('have been verified');
    expect((await auditOf(uid))[0]).toMatchObject({ actor: 'operator token', action: 'review.approve', after: { document: 'verified', level: 3 } });
  });

  it('requires a reason to reject (422) and changes nothing', async () => {
    const { uid } = await applicant();
    for (const body of [{ decision: 'reject' }, { decision: 'reject', reason: '   ' }]) {
      const res = await decide(uid, body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: "Reason can't be blank" });
    }
    const long = await decide(uid, { decision: 'reject', reason: 'x'.repeat(1001) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual({ error: 'Reason is too long (maximum is 1000 characters)' });
    expect(await documentLabel(uid)).toBe('pending');
    expect(await auditOf(uid)).toEqual(expect.not.arrayContaining([expect.objectContaining({ action: 'review.reject' })]));
  });

  it('answers 409 to a second decision unless it is an explicit re-review', async () => {
    const { uid, email } = await applicant();
    expect((await decide(uid, { decision: 'reject', reason: 'Expired' })).status).toBe(201);
    await t.mail.next(email, 'Your identity was rejected');
    const again = await decide(uid, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'Review is already decided' });
    expect(await documentLabel(uid)).toBe('rejected');

    const reReview = await decide(uid, { decision: 'approve', re_review: true });
    expect(reReview.status, reReview.text).toBe(201);
    expect(reReview.body.level).toBe(3);
    await t.mail.next(email, 'Your identity was approved');
    expect((await auditOf(uid))[0]).toMatchObject({ action: 'review.approve', before: { document: 'rejected' }, after: { re_review: true } });
  });

  it('lets only one of two parallel decisions through', async () => {
    const { uid } = await applicant();
    const results = await Promise.all([decide(uid, { decision: 'approve' }), decide(uid, { decision: 'reject', reason: 'No' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await auditOf(uid)).filter((r) => r.action.startsWith('review.'))).toHaveLength(1);
  });

  it('puts a new upload after a rejection back in the queue, and its approval reaches level 3', async () => {
    const { uid, token } = await applicant();
    expect((await decide(uid, { decision: 'reject', reason: 'Blurred' })).status).toBe(201);
    await upload(token);
    expect(await documentLabel(uid)).toBe('pending');
    expect((await wholeQueue()).all.map((r) => r.account.uid)).toContain(uid);
    expect((await decide(uid, { decision: 'approve' })).status).toBe(201);
    expect((await accountRow(uid)).level).toBe(3);
  });

  it('answers 422 for an account without documents, 404 for an unknown one, 400 for a bad decision', async () => {
    const { uid } = await activeAccount(t);
    const none = await decide(uid, { decision: 'approve' });
    expect(none.status).toBe(422);
    expect(none.body).toEqual({ error: 'Account has no documents to review' });
    expect((await decide('IDFFFFFFFFFF', { decision: 'approve' })).status).toBe(404);
    const bad = await decide(uid, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect((await decide(uid, {})).body).toEqual({ error: 'decision is missing' });
  });
});

describe('the audit trail', () => {
  it('records role changes, 2FA resets, label changes and applications with who, what, before and after', async () => {
    const admin = await operatorAccount(t, 'admin');
    const user = await twoFactorAccount(t);
    const as = { token: admin.token, headers: { 'x-request-id': 'audit-req-7' } };
    expect((await t.api.put(`${ADMIN}/accounts/${user.uid}/role`, { role: 'compliance' }, as)).status).toBe(200);
    expect((await t.api.delete(`${ADMIN}/accounts/${user.uid}/otp`, as)).status).toBe(200);
    expect((await t.api.put(`${ADMIN}/accounts/${user.uid}/labels/tier`, { value: 'gold' }, as)).status).toBe(200);
    expect((await t.api.delete(`${ADMIN}/accounts/${user.uid}/labels/tier`, as)).status).toBe(204);
    const application = await t.api.post(`${ADMIN}/applications`, { name: 'Audited' }, as);
    expect(application.status).toBe(201);

    const records = await auditOf(user.uid);
    expect(records.map((r) => r.action)).toEqual(['label.delete', 'label.set', 'otp.disable', 'role.change']);
    for (const record of records) {
      expect(record).toMatchObject({ actor: admin.uid, account_uid: user.uid, request_id: 'audit-req-7', source_ip: '127.0.0.1' });
      expect(record.created_at).toMatch(/Z$/);
    }
    expect(records[3]).toMatchObject({ before: { role: 'member' }, after: { role: 'compliance' } });
    expect(records[2]).toMatchObject({ before: { otp_enabled: true }, after: { otp_enabled: false } });
    expect(records[1]).toMatchObject({ before: { key: 'tier', value: null }, after: { key: 'tier', value: 'gold' } });
    expect(records[0]).toMatchObject({ before: { key: 'tier', value: 'gold' }, after: { value: null } });

    const byAction = await t.api.get(`${ADMIN}/audit?action=application.create&actor=${admin.uid}`, operator);
    expect(byAction.body).toEqual([
      expect.objectContaining({ action: 'application.create', account_uid: null, before: null, after: expect.objectContaining({ uid: application.body.uid, name: 'Audited' }) }),
    ]);
  });

  it('records the operator token as "operator token", and nothing for a refused change', async () => {
    const user = await activeAccount(t);
    expect((await t.api.put(`${ADMIN}/accounts/${user.uid}/labels/tier`, { value: 'silver' }, operator)).status).toBe(200);
    expect((await t.api.put(`${ADMIN}/accounts/${user.uid}/labels/tier`, { value: '!' }, operator)).status).toBe(422);
    const records = await auditOf(user.uid);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actor: 'operator token', action: 'label.set' });
  });

  it('is append-only: the database refuses to change or delete a record', async () => {
    const user = await activeAccount(t);
    await t.api.put(`${ADMIN}/accounts/${user.uid}/labels/tier`, { value: 'bronze' }, operator);
    const db = t.services.deps.db;
    await expect(sql`update audit_records set actor = 'someone else' where target_uid = ${user.uid}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_records where target_uid = ${user.uid}`.execute(db)).rejects.toThrow(/append-only/);
    expect((await auditOf(user.uid))[0].actor).toBe('operator token');
  });
});
