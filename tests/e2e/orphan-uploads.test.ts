/**
 * SIGKILL during parallel uploads leaves files that no document names (stored, the row not yet
 * committed; some partly written). The next start sweeps every such file older than
 * UPLOAD_ORPHAN_AGE_SECONDS — and only those: every document keeps its file. Here with the local
 * directory, on the suite's database (PGlite, or PostgreSQL in CI's second pass); the sweep itself
 * is held against both stores (local and S3) in tests/api/orphan-uploads.test.ts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../../src/crypto/tokens.js';
import { openDatabase, pgliteDirOf } from '../../src/db/database.js';
import { startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { multipartBody } from '../helpers/multipart.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { activeSession, sessionServerEnv } from '../helpers/server-session.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const UPLOADS = 16;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let mail: MailSink;
beforeAll(async () => {
  mail = await startMailSink();
});
afterAll(async () => {
  await mail?.close();
});

const uploadsOf = (dataDir: string) => path.join(dataDir, 'uploads');
const storedKeys = (dataDir: string) => (fs.existsSync(uploadsOf(dataDir)) ? fs.readdirSync(uploadsOf(dataDir)).sort() : []);

function upload(server: ServerProcess, token: string) {
  const { contentType, payload } = multipartBody({
    doc_type: 'Passport',
    doc_number: 'AA1234BB',
    doc_expire: '2030-01-22',
    upload: { filename: 'passport.pdf', contentType: 'application/pdf', data: Buffer.concat([PDF, randomBytes(1024 * 1024)]) },
  });
  return fetch(`${server.url}/api/v1/documents`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
    body: payload,
  }).then((r) => r.status, () => 0);
}

/** The uploads the account's documents name, read from the database once no server holds it. */
async function documentUploads(dataDir: string, accountUid: string): Promise<string[]> {
  const database = await openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL, pgliteDir: pgliteDirOf(dataDir) });
  try {
    const rows = await database.db
      .selectFrom('documents')
      .innerJoin('accounts', 'accounts.id', 'documents.account_id')
      .select('documents.upload')
      .where('accounts.uid', '=', accountUid)
      .execute();
    return rows.map((r) => r.upload).sort();
  } finally {
    await database.close();
  }
}

describe('orphan uploads: local directory', () => {
  it('a SIGKILL during parallel uploads leaves no file without a document after the next start; every document keeps its file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-orphans-'));
    const env = sessionServerEnv(mail);
    try {
      const first = await startServerProcess({ dataDir, env });
      const token = await activeSession(first.url, mail);
      const accountUid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).uid as string;

      // Killed while the uploads are under way: as soon as the first one is answered.
      const uploads = Array.from({ length: UPLOADS }, () => upload(first, token));
      await Promise.race(uploads);
      first.child.kill('SIGKILL');
      const statuses = await Promise.all(uploads);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
      await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve)));

      // What a crash mid-write leaves, for certain (the kill above may or may not have caught one).
      const planted = [randomToken(24), randomToken(24)];
      fs.mkdirSync(uploadsOf(dataDir), { recursive: true });
      fs.writeFileSync(path.join(uploadsOf(dataDir), planted[0]), Buffer.concat([PDF, randomBytes(2048)]));
      fs.writeFileSync(path.join(uploadsOf(dataDir), planted[1]), PDF.subarray(0, 10));
      await sleep(1_200); // older than UPLOAD_ORPHAN_AGE_SECONDS below

      const second = await startServerProcess({ dataDir, env: { ...env, UPLOAD_ORPHAN_AGE_SECONDS: '1' } });
      const deadline = Date.now() + 20_000;
      while (!second.output().includes('orphan upload sweep finished') && Date.now() < deadline) await sleep(100);
      expect(second.output()).toContain('orphan upload sweep finished');
      await second.stop();

      const rows = await documentUploads(dataDir, accountUid);
      const files = storedKeys(dataDir);
      expect(rows.length).toBeGreaterThan(0);
      expect(files).toEqual(rows); // no file without a row, no row without its file
      for (const key of planted) expect(files).not.toContain(key);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
