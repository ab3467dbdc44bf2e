import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { setPrivateLabel } from '../../src/domain/labels/levels.js';
import { activeAccount } from '../helpers/accounts.js';
import { multipartBody, postMultipart, type FilePart, type MultipartFields } from '../helpers/multipart.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const TEN_MB = 10 * 1024 * 1024;

const png = (data = PNG, filename = 'passport.png'): FilePart => ({ filename, contentType: 'image/png', data });

function fields(overrides: Partial<Record<string, string | FilePart>> = {}): MultipartFields {
  const base: MultipartFields = { doc_type: 'Passport', doc_number: 'AA1234BB', doc_expire: '2030-01-22', upload: png() };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

let t: TestApp;
let uploadsDir: string;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  uploadsDir = path.join(t.dataDir, 'uploads');
});
afterAll(() => t?.close());

const upload = (token: string, body: MultipartFields) => postMultipart(t, '/api/v1/documents', body, { token });
const storedFiles = () => (fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir).sort() : []);

async function accountId(uid: string): Promise<string> {
  return (await findAccountByUid(t.services.deps.db, uid))!.id;
}

async function documentRows(uid: string) {
  return t.services.deps.db.selectFrom('documents').selectAll().where('account_id', '=', await accountId(uid)).orderBy('id').execute();
}

describe('POST /api/v1/documents', () => {
  it('stores the file under a random name, answers 201 with the document and sets document:pending', async () => {
    const account = await activeAccount(t);
    const res = await upload(account.token, fields({ metadata: '{"issuer":"UK"}' }));
    expect(res.status, res.text).toBe(201);
    const id = res.body.id as number;
    expect(res.body).toEqual({
      id,
      upload: { url: `/api/v1/documents/${id}/file` },
      doc_type: 'Passport',
      doc_number: 'AA1234BB',
      doc_expire: '2030-01-22',
    });

    const [row] = await documentRows(account.uid);
    expect(row).toMatchObject({ content_type: 'image/png', byte_size: PNG.length, doc_expire: '2030-01-22', metadata: { issuer: 'UK' } });
    expect(row.upload).toMatch(/^[\w-]{32}$/);
    expect(row.upload).not.toContain('passport');
    const file = path.join(uploadsDir, row.upload);
    expect(fs.readFileSync(file).equals(PNG)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const labels = await listLabelsByAccountId(t.services.deps.db, await accountId(account.uid));
    expect(labels.filter((l) => l.key === 'document').map((l) => [l.value, l.scope])).toEqual([['pending', 'private']]);
    // pending does not raise the level (document:verified would, after phone:verified).
    expect((await t.api.get('/api/v1/accounts/me', { token: account.token })).body.level).toBe(1);
  });

  it('accepts the four document types and JPEG, PNG and PDF, judged by content (not name or declared type)', async () => {
    const account = await activeAccount(t);
    const cases: [string, FilePart, string][] = [
      ['Passport', { filename: 'a.jpg', contentType: 'image/jpeg', data: JPEG }, 'image/jpeg'],
      ['Identity card', png(), 'image/png'],
      ['Driver license', { filename: 'scan.pdf', contentType: 'application/pdf', data: PDF }, 'application/pdf'],
      // A PDF named .png and declared as an image is stored (and served) as the PDF it is.
      ['Utility Bill', { filename: 'bill.png', contentType: 'image/png', data: PDF }, 'application/pdf'],
    ];
    for (const [doc_type, file, detected] of cases) {
      const res = await upload(account.token, fields({ doc_type, upload: file }));
      expect(res.status, `${doc_type}: ${res.text}`).toBe(201);
      const download = await t.api.get(res.body.upload.url, { token: account.token });
      expect(download.headers['content-type']).toBe(detected);
    }
  });

  it('keeps document:verified when a verified account uploads again', async () => {
    const account = await activeAccount(t);
    const id = await accountId(account.uid);
    await t.services.deps.db.transaction().execute((trx) => setPrivateLabel(trx, id, 'document', 'verified'));
    expect((await upload(account.token, fields())).status).toBe(201);
    const labels = await listLabelsByAccountId(t.services.deps.db, id);
    expect(labels.filter((l) => l.key === 'document').map((l) => l.value)).toEqual(['verified']);
  });

  it('answers 413 for a file over 10 MB, and stores nothing', async () => {
    const account = await activeAccount(t);
    const before = storedFiles();
    const big = Buffer.concat([PNG, Buffer.alloc(TEN_MB + 1 - PNG.length)]);
    const res = await upload(account.token, fields({ upload: png(big) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Upload is too large (maximum is 10 MB)' });
    expect(await documentRows(account.uid)).toEqual([]);
    expect(storedFiles()).toEqual(before);
  });

  it('answers over a real connection too: 201 for a good file, 413 for an oversized one', async () => {
    const account = await activeAccount(t);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const send = (data: Buffer) => {
      const form = new FormData();
      form.append('doc_type', 'Passport');
      form.append('doc_number', 'AA1234BB');
      form.append('doc_expire', '2030-01-22');
      form.append('upload', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'passport.png');
      return fetch(`${address}/api/v1/documents`, { method: 'POST', body: form, headers: { authorization: `Bearer ${account.token}` } });
    };
    const ok = await send(PNG);
    expect(ok.status).toBe(201);
    const big = await send(Buffer.concat([PNG, Buffer.alloc(TEN_MB + 1024)]));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'Upload is too large (maximum is 10 MB)' });
    expect(await documentRows(account.uid)).toHaveLength(1);
  });

  it('accepts a file of exactly 10 MB', async () => {
    const account = await activeAccount(t);
    const exact = Buffer.concat([PNG, Buffer.alloc(TEN_MB - PNG.length)]);
    const res = await upload(account.token, fields({ upload: png(exact) }));
    expect(res.status, res.text).toBe(201);
    expect((await documentRows(account.uid))[0].byte_size).toBe(TEN_MB);
  });

  it('answers 422 for a text file named .png (a disguised upload), and stores nothing', async () => {
    const account = await activeAccount(t);
    const before = storedFiles();
    const res = await upload(account.token, fields({ upload: png(Buffer.from('<script>alert(1)</script>'), 'photo.png') }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Upload must be a JPEG, PNG or PDF file' });
    expect(await documentRows(account.uid)).toEqual([]);
    expect(storedFiles()).toEqual(before);
  });

  it('answers 422 for other image types (GIF)', async () => {
    const account = await activeAccount(t);
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const res = await upload(account.token, fields({ upload: { filename: 'a.gif', contentType: 'image/gif', data: gif } }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Upload must be a JPEG, PNG or PDF file' });
  });

  it("answers 422 \"Doc type is not included in the list\" for other types (Barong 1.8.0's broken list too)", async () => {
    const account = await activeAccount(t);
    for (const doc_type of ['Identity', 'card', 'passport', 'Visa']) {
      const res = await upload(account.token, fields({ doc_type }));
      expect(res.status, doc_type).toBe(422);
      expect(res.body).toEqual({ error: 'Doc type is not included in the list' });
    }
  });

  it('answers 422 for a date that is not a real YYYY-MM-DD day', async () => {
    const account = await activeAccount(t);
    for (const doc_expire of ['01-01-2030', '2030/01/22', '2030-1-2', '2030-02-30', '2031-02-29', '2030-13-01', '2030-00-10', '0000-01-01', 'tomorrow', '2030-01-22T00:00:00Z']) {
      const res = await upload(account.token, fields({ doc_expire }));
      expect(res.status, doc_expire).toBe(422);
      expect(res.body).toEqual({ error: 'Doc expire Date must be in the following format: yyyy-mm-dd' });
    }
    expect(await documentRows(account.uid)).toEqual([]);
  });

  it('stores the date as given, with no time-zone shift (leap day, far years)', async () => {
    const account = await activeAccount(t);
    for (const doc_expire of ['2032-02-29', '0001-01-01', '9999-12-31']) {
      const res = await upload(account.token, fields({ doc_expire }));
      expect(res.status, doc_expire).toBe(201);
      expect(res.body.doc_expire).toBe(doc_expire);
    }
    expect((await t.api.get('/api/v1/documents', { token: account.token })).body.map((d: { doc_expire: string }) => d.doc_expire)).toEqual([
      '2032-02-29',
      '0001-01-01',
      '9999-12-31',
    ]);
  });

  it('answers 422 for a document number over 128 characters; 128 is fine', async () => {
    const account = await activeAccount(t);
    expect((await upload(account.token, fields({ doc_number: 'x'.repeat(128) }))).status).toBe(201);
    const res = await upload(account.token, fields({ doc_number: 'x'.repeat(129) }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Doc number is too long (maximum is 128 characters)' });
  });

  it('lists every failing rule in one message', async () => {
    const account = await activeAccount(t);
    const res = await upload(account.token, {
      doc_type: 'Visa',
      doc_number: 'y'.repeat(200),
      doc_expire: '22/01/2030',
      upload: png(Buffer.from('plain text')),
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error:
        'Doc type is not included in the list, Doc number is too long (maximum is 128 characters), ' +
        'Doc expire Date must be in the following format: yyyy-mm-dd, Upload must be a JPEG, PNG or PDF file',
    });
  });

  it('answers 422 "Upload can\'t be blank" when upload is a text field or an empty file', async () => {
    const account = await activeAccount(t);
    for (const value of ['not a file', png(Buffer.alloc(0))]) {
      const res = await upload(account.token, fields({ upload: value }));
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: "Upload can't be blank" });
    }
  });

  it('answers 422 "Metadata is invalid" unless metadata is a JSON object', async () => {
    const account = await activeAccount(t);
    for (const metadata of ['not json', '[1,2]', '"text"', '42', 'null', '{"a":"\\u0000"}']) {
      const res = await upload(account.token, fields({ metadata }));
      expect(res.status, metadata).toBe(422);
      expect(res.body).toEqual({ error: 'Metadata is invalid' });
    }
  });

  it('answers 400 Grape-style for missing fields', async () => {
    const account = await activeAccount(t);
    const res = await upload(account.token, { doc_number: 'AA1', doc_expire: '2030-01-22' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'doc_type is missing, doc_type is empty, upload is missing' });
    const empty = await upload(account.token, fields({ doc_number: '' }));
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ error: 'doc_number is empty' });
  });

  it('answers 401 without a token, and stores nothing', async () => {
    const before = storedFiles();
    const res = await postMultipart(t, '/api/v1/documents', fields());
    expect(res.status).toBe(401);
    expect(storedFiles()).toEqual(before);
  });

  it('removes the stored file when the database refuses the row (file and row: both or neither)', async () => {
    const account = await activeAccount(t);
    const marker = `FAIL-${Date.now()}-${process.pid}`;
    const db = t.services.deps.db;
    // A real database failure inside the upload's transaction, for this one document number.
    await sql`create or replace function refuse_test_document() returns trigger language plpgsql as $$
      begin
        if new.doc_number = ${sql.lit(marker)} then raise exception 'refused by test trigger'; end if;
        return new;
      end $$`.execute(db);
    const trigger = sql.raw(`refuse_${process.pid}_${Date.now()}`);
    await sql`create trigger ${trigger} before insert on documents for each row execute function refuse_test_document()`.execute(db);
    try {
      const before = storedFiles();
      // Straight through inject: a 500 is the generic unexpected-failure answer, which no operation declares.
      const { contentType, payload } = multipartBody(fields({ doc_number: marker }));
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/documents',
        headers: { 'content-type': contentType, authorization: `Bearer ${account.token}` },
        payload,
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Something went wrong' });
      expect(storedFiles()).toEqual(before);
      expect(await documentRows(account.uid)).toEqual([]);
      const labels = await listLabelsByAccountId(db, await accountId(account.uid));
      expect(labels.some((l) => l.key === 'document')).toBe(false);
    } finally {
      await sql`drop trigger ${trigger} on documents`.execute(db);
    }
  });
});

describe('GET /api/v1/documents', () => {
  it("lists the account's own documents, oldest first", async () => {
    const account = await activeAccount(t);
    const other = await activeAccount(t);
    await upload(other.token, fields({ doc_number: 'OTHER' }));
    const first = await upload(account.token, fields({ doc_number: 'N1' }));
    const second = await upload(account.token, fields({ doc_type: 'Utility Bill', doc_number: 'N2', doc_expire: '2031-06-30' }));

    const res = await t.api.get('/api/v1/documents', { token: account.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([first.body, second.body]);
  });

  it('answers an empty list for an account without documents, 401 without a token', async () => {
    const account = await activeAccount(t);
    expect((await t.api.get('/api/v1/documents', { token: account.token })).body).toEqual([]);
    expect((await t.api.get('/api/v1/documents')).status).toBe(401);
  });
});

describe('GET /api/v1/documents/{id}/file', () => {
  it('returns the same bytes with the detected type, as an attachment that must not be sniffed', async () => {
    const account = await activeAccount(t);
    const created = await upload(account.token, fields({ upload: { filename: '../../etc/x.jpg', contentType: 'text/html', data: JPEG } }));
    const res = await t.api.get(created.body.upload.url, { token: account.token });
    expect(res.status).toBe(200);
    expect(res.raw.equals(JPEG)).toBe(true);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="document-${created.body.id}.jpg"`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it("answers 404 for another account's document (no access to others' KYC files)", async () => {
    const owner = await activeAccount(t);
    const other = await activeAccount(t);
    const created = await upload(owner.token, fields());
    const res = await t.api.get(created.body.upload.url, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Record is not found' });
  });

  it('answers 404 for unknown ids, 400 for ids that are not numbers, 401 without a token', async () => {
    const account = await activeAccount(t);
    for (const id of ['0', '-1', '999999999999', '99999999999999999999999']) {
      const res = await t.api.get(`/api/v1/documents/${id}/file`, { token: account.token });
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ error: 'Record is not found' });
    }
    expect((await t.api.get('/api/v1/documents/abc/file', { token: account.token })).status).toBe(400);
    expect((await t.api.get('/api/v1/documents/1/file')).status).toBe(401);
  });

  it('is not served from any public path', async () => {
    const account = await activeAccount(t);
    await upload(account.token, fields());
    const [row] = await documentRows(account.uid);
    for (const url of [`/uploads/${row.upload}`, `/api/uploads/${row.upload}`, `/data/uploads/${row.upload}`]) {
      expect((await t.api.get(url)).status).toBe(404);
    }
  });
});
