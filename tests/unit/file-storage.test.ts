/**
 * The FileStorage contract, held against both implementations: the local directory and an
 * S3-compatible bucket (s3rver on loopback). Then what only the S3 one does: prefix, content
 * type, server-side encryption, and failures that name no internals.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, StoredFileMissingError, type FileStorage } from '../../src/adapters/storage/file-storage.js';
import { createLocalFileStorage } from '../../src/adapters/storage/local.js';
import { createS3FileStorage, type S3FileStorage } from '../../src/adapters/storage/s3.js';
import { loadConfig, type S3StorageConfig } from '../../src/config.js';
import { randomToken } from '../../src/crypto/tokens.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function s3ConfigOf(s3: TestS3, extra: Record<string, string> = {}): S3StorageConfig {
  const { storage } = loadConfig(s3.env(extra));
  if (storage.provider !== 's3') throw new Error('expected the s3 provider');
  return storage;
}

let s3: TestS3;
let localRoot: string;
const opened: S3FileStorage[] = [];
beforeAll(async () => {
  s3 = await startTestS3();
  localRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-storage-'));
});
afterAll(async () => {
  for (const storage of opened) storage.close();
  await s3?.close();
  fs.rmSync(localRoot, { recursive: true, force: true });
});

function openS3(extra: Record<string, string> = {}): S3FileStorage {
  const storage = createS3FileStorage(s3ConfigOf(s3, extra));
  opened.push(storage);
  return storage;
}

const implementations: [string, () => FileStorage][] = [
  ['local directory', () => createLocalFileStorage(path.join(localRoot, 'uploads'))],
  ['S3-compatible bucket', () => openS3({ STORAGE_PREFIX: 'contract' })],
];

describe.each(implementations)('FileStorage contract: %s', (_name, open) => {
  it('reads back exactly the bytes written (binary, 1 MB)', async () => {
    const storage = open();
    const key = randomToken(24);
    const data = randomBytes(1024 * 1024);
    await storage.put(key, data, 'application/pdf');
    expect((await bytesOf(await storage.read(key))).equals(data)).toBe(true);
  });

  it('keeps keys apart', async () => {
    const storage = open();
    const [a, b] = [randomToken(24), randomToken(24)];
    await storage.put(a, Buffer.from('first'), 'application/pdf');
    await storage.put(b, Buffer.from('second'), 'application/pdf');
    expect((await bytesOf(await storage.read(a))).toString()).toBe('first');
    expect((await bytesOf(await storage.read(b))).toString()).toBe('second');
  });

  it('removes a file: reading it then rejects with StoredFileMissingError; removing again is no error', async () => {
    const storage = open();
    const key = randomToken(24);
    await storage.put(key, Buffer.from('to be removed'), 'image/png');
    await storage.remove(key);
    await expect(storage.read(key)).rejects.toBeInstanceOf(StoredFileMissingError);
    await expect(storage.remove(key)).resolves.toBeUndefined();
  });

  it('rejects reading a key never written with StoredFileMissingError', async () => {
    const storage = open();
    const key = randomToken(24);
    await expect(storage.read(key)).rejects.toEqual(new StoredFileMissingError(key));
  });

  it('Threat: path traversal through a key — refuses anything but a random name', async () => {
    const storage = open();
    for (const key of ['../../etc/passwd', 'short', 'a/b'.repeat(8), `${'x'.repeat(20)}/..`]) {
      await expect(storage.put(key, Buffer.from('x'), 'image/png'), key).rejects.toThrow('invalid storage key');
      await expect(storage.read(key), key).rejects.toThrow('invalid storage key');
      await expect(storage.remove(key), key).rejects.toThrow('invalid storage key');
    }
  });
});

describe('S3 file storage', () => {
  it('writes under the prefix, with the content type given and AES256 server-side encryption when STORAGE_SSE=true', async () => {
    const storage = openS3({ STORAGE_PREFIX: 'barong/documents', STORAGE_SSE: 'true' });
    const key = randomToken(24);
    await storage.put(key, Buffer.from('%PDF-1.4 test'), 'application/pdf');
    expect(await s3.keys('barong/documents/')).toContain(`barong/documents/${key}`);
    const stored = await s3.object(`barong/documents/${key}`);
    expect(stored.bytes.toString()).toBe('%PDF-1.4 test');
    expect(stored.contentType).toBe('application/pdf');
    const put = s3.requests.find((r) => r.method === 'PUT' && r.path === `/${s3.bucket}/barong/documents/${key}`);
    expect(put?.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(put?.headers['if-none-match']).toBe('*');
  });

  it('asks for no server-side encryption by default against a STORAGE_ENDPOINT (S3-compatible servers may refuse it)', async () => {
    const storage = openS3();
    const key = randomToken(24);
    await storage.put(key, Buffer.from('plain'), 'image/png');
    const put = s3.requests.find((r) => r.method === 'PUT' && r.path === `/${s3.bucket}/${key}`);
    expect(put).toBeDefined();
    expect(put?.headers['x-amz-server-side-encryption']).toBeUndefined();
  });

  it('streams the object body on read', async () => {
    const storage = openS3();
    const key = randomToken(24);
    await storage.put(key, Buffer.from('streamed'), 'image/png');
    const stream = await storage.read(key);
    expect(typeof stream.pipe).toBe('function');
    expect((await bytesOf(stream)).toString()).toBe('streamed');
  });

  it('Threat: internals leaking through errors — a missing bucket or an unreachable store fails with a StorageError naming only the operation and key', async () => {
    const noBucket = openS3({ STORAGE_BUCKET_NAME: 'no-such-bucket' });
    const key = randomToken(24);
    const refused = await noBucket.put(key, Buffer.from('x'), 'image/png').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageError);
    expect((refused as Error).message).toBe(`file storage failed to put ${key}`);
    expect(((refused as Error).cause as Error).name).toBe('NoSuchBucket');
    // A missing bucket is a broken store, not a missing file.
    expect(await noBucket.read(key).catch((e: unknown) => e)).toBeInstanceOf(StorageError);

    const other = await startTestS3('elsewhere');
    const storage = createS3FileStorage(s3ConfigOf(other));
    try {
      await storage.put(key, Buffer.from('x'), 'image/png');
      await other.stop();
      for (const attempt of [() => storage.put(randomToken(24), Buffer.from('x'), 'image/png'), () => storage.read(key), () => storage.remove(key)]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toMatch(/^file storage failed to (put|read|remove) [\w-]+$/);
        expect(String((error as Error).cause)).toContain('ECONNREFUSED');
      }
    } finally {
      storage.close();
      await other.close();
    }
  });
});
