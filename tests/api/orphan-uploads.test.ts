/**
 * The sweep of stored files no document names, against both stores (local directory, S3-compatible
 * bucket on s3rver): it removes such files once older than UPLOAD_ORPHAN_AGE_SECONDS, never a file
 * a document names, never a young one (an upload between its file and its row), and leaves alone
 * what is not named like a key. (tests/e2e/orphan-uploads.test.ts: SIGKILL, then the sweep at start.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../../src/crypto/tokens.js';
import { sweepOrphanUploads } from '../../src/domain/documents/orphans.js';
import { activeAccount } from '../helpers/accounts.js';
import { postMultipart } from '../helpers/multipart.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const HOUR_AND_A_BIT = 3_700_000;

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});

interface Store {
  env: Record<string, string>;
  keys(t: TestApp): Promise<string[]>;
  put(t: TestApp, name: string, data: Buffer): Promise<void>;
}

const PREFIX = 'sweep';
const stores: [string, Store][] = [
  [
    'local directory',
    {
      env: {},
      keys: async (t) => fs.readdirSync(path.join(t.dataDir, 'uploads')).sort(),
      put: async (t, name, data) => fs.writeFileSync(path.join(t.dataDir, 'uploads', name), data),
    },
  ],
  [
    'S3-compatible bucket',
    {
      get env() {
        return s3.env({ STORAGE_PREFIX: PREFIX });
      },
      keys: async () => (await s3.keys(`${PREFIX}/`)).map((k) => k.slice(PREFIX.length + 1)),
      put: async (_t, name, data) => {
        await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}/${name}`, Body: data }));
      },
    },
  ],
];

describe.each(stores)('the orphan upload sweep: %s', (_name, store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(store.env);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('removes old files no document names, and only those', async () => {
    const account = await activeAccount(t);
    for (let i = 0; i < 2; i += 1) {
      const res = await postMultipart(t, '/api/v1/documents', {
        doc_type: 'Passport',
        doc_number: `AB${i}`,
        doc_expire: '2030-01-22',
        upload: { filename: 'p.pdf', contentType: 'application/pdf', data: PDF },
      }, { token: account.token });
      expect(res.status, res.text).toBe(201);
    }
    const documented = await t.api.get('/api/v1/documents', { token: account.token });
    expect(documented.body).toHaveLength(2);
    const named = await store.keys(t);
    expect(named).toHaveLength(2);

    const orphans = [randomToken(24), randomToken(24)];
    for (const key of orphans) await store.put(t, key, PDF.subarray(0, 12));
    await store.put(t, 'not-a-key.txt', Buffer.from('someone else'));

    // Young: an upload may be between its file and its row; nothing goes.
    expect(await sweepOrphanUploads(t.services.deps)).toEqual({ removed: 0 });
    expect((await store.keys(t)).length).toBe(5);

    // An hour later: the two orphans go; the documents' files and the stranger stay.
    expect(await sweepOrphanUploads(t.services.deps, new Date(Date.now() + HOUR_AND_A_BIT))).toEqual({ removed: 2 });
    expect(await store.keys(t)).toEqual([...named, 'not-a-key.txt'].sort());
    for (const document of documented.body as { upload: { url: string } }[]) {
      const file = await t.api.get(document.upload.url, { token: account.token });
      expect(file.status).toBe(200);
      expect(file.raw.equals(PDF)).toBe(true);
    }
  });
});
