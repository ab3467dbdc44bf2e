/**
 * Documents stored in an S3-compatible bucket (STORAGE_PROVIDER=s3), against a real S3-speaking
 * server on loopback (s3rver): the same upload → list → download flow, the file and the row both
 * written or neither, and an S3 outage answered 500 with a generic message (logged, never shown).
 */
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { activeAccount } from '../helpers/accounts.js';
import { multipartBody, postMultipart, type MultipartFields } from '../helpers/multipart.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const PREFIX = 'kyc/documents';

const fields = (overrides: MultipartFields = {}): MultipartFields => ({
  doc_type: 'Passport',
  doc_number: 'AA1234BB',
  doc_expire: '2030-01-22',
  upload: { filename: 'passport.png', contentType: 'image/png', data: PNG },
  ...overrides,
});

let s3: TestS3;
let t: TestApp;
let logText = '';
beforeAll(async () => {
  s3 = await startTestS3();
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logText += String(chunk);
      done();
    },
  });
  t = await createTestApp(s3.env({ STORAGE_PREFIX: PREFIX, RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' }), { logStream });
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
});

const upload = (token: string, body: MultipartFields) => postMultipart(t, '/api/v1/documents', body, { token });

async function documentRows(uid: string) {
  const account = (await findAccountByUid(t.services.deps.db, uid))!;
  return t.services.deps.db.selectFrom('documents').selectAll().where('account_id', '=', account.id).orderBy('id').execute();
}

async function documentLabels(uid: string) {
  const account = (await findAccountByUid(t.services.deps.db, uid))!;
  return (await listLabelsByAccountId(t.services.deps.db, account.id)).filter((l) => l.key === 'document');
}

/** Straight through inject: a 500 is the generic unexpected-failure answer, which no operation declares. */
async function uploadExpecting500(token: string, body: MultipartFields) {
  const { contentType, payload } = multipartBody(body);
  return t.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, payload });
}

describe('documents in an S3-compatible bucket', () => {
  it('upload → list → download gives the same bytes; the object is in the bucket under the prefix and a random name, with the detected type', async () => {
    const account = await activeAccount(t);
    const created = await upload(account.token, fields());
    expect(created.status, created.text).toBe(201);
    const pdf = await upload(account.token, fields({ doc_type: 'Utility Bill', upload: { filename: 'bill.png', contentType: 'image/png', data: PDF } }));
    expect(pdf.status, pdf.text).toBe(201);

    const listed = await t.api.get('/api/v1/documents', { token: account.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([created.body, pdf.body]);

    const download = await t.api.get(created.body.upload.url, { token: account.token });
    expect(download.status).toBe(200);
    expect(download.raw.equals(PNG)).toBe(true);
    expect(download.headers['content-type']).toBe('image/png');
    expect((await t.api.get(pdf.body.upload.url, { token: account.token })).raw.equals(PDF)).toBe(true);

    const [row, pdfRow] = await documentRows(account.uid);
    expect(row.upload).toMatch(/^[\w-]{32}$/);
    expect(await s3.keys(`${PREFIX}/`)).toEqual(expect.arrayContaining([`${PREFIX}/${row.upload}`, `${PREFIX}/${pdfRow.upload}`]));
    const stored = await s3.object(`${PREFIX}/${pdfRow.upload}`);
    expect(stored.bytes.equals(PDF)).toBe(true);
    // The type judged from the content, not the client's "image/png".
    expect(stored.contentType).toBe('application/pdf');
    expect((await documentLabels(account.uid)).map((l) => l.value)).toEqual(['pending']);
  });

  it('removes the object when the database refuses the row (file and row: both or neither)', async () => {
    const account = await activeAccount(t);
    const marker = `FAIL-S3-${Date.now()}-${process.pid}`;
    const db = t.services.deps.db;
    await sql`create or replace function refuse_s3_test_document() returns trigger language plpgsql as $$
      begin
        if new.doc_number = ${sql.lit(marker)} then raise exception 'refused by test trigger'; end if;
        return new;
      end $$`.execute(db);
    const trigger = sql.raw(`refuse_s3_${process.pid}_${Date.now()}`);
    await sql`create trigger ${trigger} before insert on documents for each row execute function refuse_s3_test_document()`.execute(db);
    try {
      const before = await s3.keys();
      const putsBefore = s3.requests.filter((r) => r.method === 'PUT').length;
      const res = await uploadExpecting500(account.token, fields({ doc_number: marker }));
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Something went wrong' });
      // It was written, then deleted again.
      expect(s3.requests.filter((r) => r.method === 'PUT').length).toBe(putsBefore + 1);
      expect(s3.requests.at(-1)?.method).toBe('DELETE');
      expect(await s3.keys()).toEqual(before);
      expect(await documentRows(account.uid)).toEqual([]);
      expect(await documentLabels(account.uid)).toEqual([]);
    } finally {
      await sql`drop trigger ${trigger} on documents`.execute(db);
    }
  });

  it('Threat: storage internals leaking — with S3 down, an upload answers 500 "Something went wrong", leaves no row and no label, and the cause is logged', async () => {
    const account = await activeAccount(t);
    const earlier = await upload(account.token, fields());
    expect(earlier.status).toBe(201);
    const rowsBefore = await documentRows(account.uid);
    logText = '';
    await s3.stop();

    const res = await uploadExpecting500(account.token, fields({ doc_number: 'DURING-OUTAGE' }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Something went wrong' });
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|s3|bucket/i);
    expect(await documentRows(account.uid)).toEqual(rowsBefore);
    expect((await documentLabels(account.uid)).map((l) => l.value)).toEqual(['pending']);

    // Downloading an existing document fails the same way.
    const download = await t.app.inject({ method: 'GET', url: earlier.body.upload.url, headers: { authorization: `Bearer ${account.token}` } });
    expect(download.statusCode).toBe(500);
    expect(download.json()).toEqual({ error: 'Something went wrong' });

    expect(logText).toContain('file storage failed to put');
    expect(logText).toContain('file storage failed to read');
    expect(logText).toContain('ECONNREFUSED');
  });

  it('an account with no document before the outage keeps no label either', async () => {
    const account = await activeAccount(t);
    const res = await uploadExpecting500(account.token, fields());
    expect(res.statusCode).toBe(500);
    expect(await documentRows(account.uid)).toEqual([]);
    expect(await documentLabels(account.uid)).toEqual([]);
  });
});
