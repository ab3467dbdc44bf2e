/**
 * The outbox for mail: a mail is committed with its change and delivered by the worker, through an
 * SMTP server that refuses for a while (451), with retries; given up after OUTBOX_MAX_ATTEMPTS,
 * listed and retried by an operator. On PostgreSQL, two processes' workers share one outbox and
 * deliver each mail once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { linkToken } from '../helpers/mail-sink.js';
import { createTestApp, PASSWORD, uniqueEmail, type RequestOptions, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let operator: RequestOptions;
beforeAll(async () => {
  t = await createTestApp({ OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '100', OUTBOX_RETRY_MAX_MS: '200' });
  operator = { headers: { 'x-operator-token': t.operatorToken } };
});
afterAll(() => t?.close());

async function jobsTo(email: string) {
  const rows = await t.services.deps.db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'mail').execute();
  return rows.filter((r) => r.payload.to === email);
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mail through the outbox', () => {
  it('delivers a mail refused with 451 once the SMTP server accepts again, and then forgets the job', async () => {
    t.mail.refuse(451);
    const email = uniqueEmail('retry');
    try {
      const res = await t.api.post('/api/v1/accounts', { email, password: PASSWORD });
      expect(res.status, res.text).toBe(201);
      await waitUntil('the SMTP server refused twice', async () => (await jobsTo(email))[0]?.attempts >= 2);
      const [job] = await jobsTo(email);
      expect(job.state).toBe('pending');
      expect(job.last_error).toContain('451');
    } finally {
      t.mail.accept();
    }
    const mail = await t.mail.next(email, 'Confirmation instructions', 10_000);
    const token = linkToken(mail, 'confirmation_token');
    expect((await t.api.post('/api/v1/accounts/confirm', { confirmation_token: token })).status).toBe(201);
    await waitUntil('the delivered job is deleted', async () => (await jobsTo(email)).length === 0);
  });

  it('keeps the link and its token out of the stored job, and gives the mail a stable Message-ID', async () => {
    t.mail.refuse(451);
    const email = uniqueEmail('sealed');
    let stored: string;
    let uid: string;
    try {
      expect((await t.api.post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);
      const [job] = await jobsTo(email);
      stored = JSON.stringify(job);
      uid = job.uid;
    } finally {
      t.mail.accept();
    }
    const mail = await t.mail.next(email, 'Confirmation instructions', 10_000);
    const token = linkToken(mail, 'confirmation_token');
    expect(stored).not.toContain(token);
    expect(stored).not.toContain('confirmation_token');
    expect(mail.messageId).toBe(`<${uid}@outbox.barong>`);
  });

  it('marks a mail dead after OUTBOX_MAX_ATTEMPTS; an operator lists it and retries it, and it arrives', async () => {
    t.mail.refuse(451);
    const email = uniqueEmail('dead');
    let dead: any;
    try {
      expect((await t.api.post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);
      await waitUntil('the job is dead', async () => (await jobsTo(email))[0]?.state === 'dead');
      const list = await t.api.get('/api/v1/admin/outbox/jobs', operator);
      expect(list.status, list.text).toBe(200);
      dead = list.body.find((j: any) => j.recipient === email);
      expect(dead).toMatchObject({ kind: 'mail', state: 'dead', subject: 'Confirmation instructions', attempts: 3 });
      expect(dead.last_error).toContain('451');
      expect(JSON.stringify(dead)).not.toContain('sealed');
      // Given up: nothing more is tried while it is dead.
      const refusals = t.mail.refusals();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(t.mail.refusals()).toBe(refusals);
    } finally {
      t.mail.accept();
    }
    const retried = await t.api.post(`/api/v1/admin/outbox/jobs/${dead.uid}/retry`, undefined, operator);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ uid: dead.uid, state: 'pending', attempts: 0 });
    const mail = await t.mail.next(email, 'Confirmation instructions', 10_000);
    expect(mail.messageId).toBe(`<${dead.uid}@outbox.barong>`);
    expect((await t.api.post(`/api/v1/admin/outbox/jobs/${dead.uid}/retry`, undefined, operator)).status).toBe(404);
  });

  it('retries every dead job at once', async () => {
    t.mail.refuse(451);
    const emails = [uniqueEmail('dead-all'), uniqueEmail('dead-all')];
    try {
      for (const email of emails) expect((await t.api.post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);
      await waitUntil('both jobs are dead', async () => (await Promise.all(emails.map(jobsTo))).every(([j]) => j?.state === 'dead'));
    } finally {
      t.mail.accept();
    }
    const res = await t.api.post('/api/v1/admin/outbox/retry', undefined, operator);
    expect(res.status, res.text).toBe(200);
    expect(res.body.retried).toBeGreaterThanOrEqual(2);
    for (const email of emails) await t.mail.next(email, 'Confirmation instructions', 10_000);
  });

  it('answers 404 for a job uid that is not a dead job, and 401 without credentials', async () => {
    expect((await t.api.post('/api/v1/admin/outbox/jobs/not-a-uuid/retry', undefined, operator)).status).toBe(404);
    expect((await t.api.post('/api/v1/admin/outbox/jobs/5f0c6a52-3f1e-4c7b-9d53-2f1c0b7a9e11/retry', undefined, operator)).status).toBe(404);
    expect((await t.api.get('/api/v1/admin/outbox/jobs')).status).toBe(401);
    expect((await t.api.get('/api/v1/admin/outbox/jobs?state=gone', operator)).status).toBe(400);
  });

  it('writes no mail when the change is rolled back', async () => {
    const email = uniqueEmail('taken');
    expect((await t.api.post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);
    await t.mail.next(email, 'Confirmation instructions');
    expect((await t.api.post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(422);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.mail.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    expect(await jobsTo(email)).toHaveLength(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('several processes on one PostgreSQL', () => {
  it('delivers each mail once when two workers share the outbox', async () => {
    // A second app (its own worker) on the same database and keys, as a second node, mailing to the same SMTP server.
    const key = (name: string) => fs.readFileSync(path.join(t.dataDir, 'keys', name), 'utf8').trim();
    const second = await createTestApp({
      OTP_ENCRYPTION_KEY: key('otp-encryption.key'),
      TOKEN_HMAC_KEY: key('token-hmac.key'),
      SMTP_PORT: String(t.mail.port),
      OUTBOX_POLL_MS: '10',
      OUTBOX_QUEUE: t.services.deps.config.outbox.queue,
    });
    try {
      const emails = Array.from({ length: 24 }, () => uniqueEmail('shared'));
      await Promise.all(
        emails.map((email, i) => (i % 2 ? second : t).api.post('/api/v1/accounts', { email, password: PASSWORD })),
      );
      for (const email of emails) await t.mail.next(email, 'Confirmation instructions', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const email of emails) expect(t.mail.received.filter((m) => m.to.includes(email))).toHaveLength(1);
      const left = await sql<{ n: string }>`select count(*) as n from outbox_jobs where payload->>'to' like 'shared.%'`.execute(
        t.services.deps.db,
      );
      expect(Number(left.rows[0].n)).toBe(0);
    } finally {
      await second.close();
    }
  });
});
