/**
 * The importer's readers of Barong's files (a directory as CarrierWave's :file storage left it, a
 * bucket as fog left it) and its rules for values Barong 1.8 allowed and we do not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryUploads, s3Uploads } from '../../src/adapters/barong/uploads.js';
import { mapApiKey, mapApplication, mapDocType, totpSecretFromExport } from '../../src/domain/barong-import/rules.js';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startTestS3, type TestS3 } from '../helpers/s3.js';

describe("Barong's uploads", () => {
  let dir: string;
  let s3: TestS3;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-public-'));
    fs.mkdirSync(path.join(dir, 'uploads/document/upload/7'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'uploads/document/upload/7/scan.pdf'), '%PDF-1.4 seven');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not a document');
    s3 = await startTestS3('barong-bucket');
    await s3.client.send(new PutObjectCommand({ Bucket: 'barong-bucket', Key: 'prod/uploads/document/upload/9/id.png', Body: 'nine' }));
  });

  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await s3.close();
  });

  it("reads a file from Barong's public directory or from its uploads directory", async () => {
    expect((await directoryUploads(dir).read(7, 'scan.pdf'))?.toString()).toBe('%PDF-1.4 seven');
    expect((await directoryUploads(path.join(dir, 'uploads')).read(7, 'scan.pdf'))?.toString()).toBe('%PDF-1.4 seven');
    expect(await directoryUploads(dir).read(8, 'scan.pdf')).toBeUndefined();
  });

  it('never reads outside the document folder, whatever the row says', async () => {
    expect(await directoryUploads(dir).read(7, '../../../../secret.txt')).toBeUndefined();
    expect(await directoryUploads(dir).read(7, '..')).toBeUndefined();
  });

  it('reads a file from the bucket under its prefix, and answers undefined for a missing one', async () => {
    const uploads = s3Uploads({
      url: 's3://barong-bucket/prod',
      endpoint: s3.endpoint,
      credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY },
    });
    try {
      expect((await uploads.read(9, 'id.png'))?.toString()).toBe('nine');
      expect(await uploads.read(10, 'id.png')).toBeUndefined();
    } finally {
      uploads.close();
    }
  });
});

describe('rules for what Barong 1.8 allowed', () => {
  it("maps Barong 1.8.0's split document types onto ours", () => {
    expect(mapDocType('Identity')).toBe('Identity card');
    expect(mapDocType('license')).toBe('Driver license');
    expect(mapDocType('passport')).toBe('Passport');
    expect(mapDocType('Selfie')).toBeUndefined();
  });

  it('takes a Vault export secret as Base32 or as an otpauth URL, and refuses short or malformed ones', () => {
    expect(totpSecretFromExport('jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp')).toEqual({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
    expect(totpSecretFromExport('otpauth://totp/Barong:a@b.io?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Barong')).toEqual({
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    });
    expect(totpSecretFromExport('JBSWY3DPEHPK3PXP')).toEqual({ problem: 'the Vault export secret is shorter than 16 bytes' });
    expect(totpSecretFromExport('not base32!')).toEqual({ problem: 'the Vault export secret is not Base32' });
    expect(totpSecretFromExport(42)).toEqual({ problem: 'the Vault export entry is not a string' });
  });

  it("keeps an application's first redirect URI when it is absolute http(s), and says what it dropped", () => {
    const row = { id: 1, name: 'App', uid: 'u1', secret: 's', created_at: new Date(), updated_at: new Date() };
    expect(mapApplication({ ...row, redirect_uri: 'https://a.example/cb\nhttps://b.example/cb' })).toEqual({
      ok: { redirect_uri: 'https://a.example/cb' },
      notes: ['only the first of 2 redirect URIs kept'],
    });
    expect(mapApplication({ ...row, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' })).toEqual({
      ok: { redirect_uri: null },
      notes: ['redirect_uri "urn:ietf:wg:oauth:2.0:oob" is not an absolute http(s) URI: dropped'],
    });
  });

  it('imports an API key with a public key that does not parse as inactive', () => {
    const row = { uid: 'k', account_id: 1, scopes: null, expires_in: 60, created_at: new Date(), updated_at: new Date() };
    expect(mapApiKey({ ...row, public_key: 'garbage', state: 'active' })).toEqual({
      ok: { state: 'inactive' },
      notes: ['public key is not an RSA or EC public key: imported as inactive'],
    });
    expect(mapApiKey({ ...row, public_key: 'garbage', state: 'inactive' })).toEqual({ ok: { state: 'inactive' }, notes: [] });
  });
});
