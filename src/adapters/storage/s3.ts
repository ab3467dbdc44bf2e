/**
 * FileStorage in an S3-compatible bucket (AWS S3, or MinIO, Ceph, R2, ... via STORAGE_ENDPOINT,
 * addressed path-style), so that every API node sees every upload. One object per key, under
 * STORAGE_PREFIX, written with the content type judged from the bytes and, if configured,
 * server-side encryption. Failures of the store become StorageError: its message names the
 * operation and the key only; the SDK's error is kept as `cause` for the log, never shown to clients.
 */
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, paginateListObjectsV2, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../../config.js';
import { assertStorageKey, STORAGE_KEY_PATTERN, StorageError, StoredFileMissingError, type FileStorage } from './file-storage.js';

export interface S3FileStorage extends FileStorage {
  /** Closes the client's kept-alive connections. */
  close(): void;
}

export function createS3FileStorage(config: S3StorageConfig): S3FileStorage {
  const client = new S3Client({
    region: config.region,
    // A copy: the SDK marks the object it is given, and the config is frozen.
    credentials: config.credentials && { ...config.credentials },
    endpoint: config.endpoint,
    forcePathStyle: config.endpoint !== undefined,
    // Checksums only where S3 requires them: S3-compatible servers do not all accept the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    // A store that does not answer fails the request instead of hanging it (the timeout is per socket idle time).
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  const objectKey = (key: string) => {
    assertStorageKey(key);
    return config.prefix + key;
  };
  const fail = (operation: string, key: string, cause: unknown) => new StorageError(operation, key, { cause });

  return {
    async put(key, data, contentType) {
      const Key = objectKey(key);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: config.bucket,
            Key,
            Body: data,
            ContentLength: data.length,
            ContentType: contentType ?? 'application/octet-stream',
            ServerSideEncryption: config.serverSideEncryption ? 'AES256' : undefined,
            // Refuse to overwrite (AWS, MinIO, Ceph and R2 honour it; keys are random anyway).
            IfNoneMatch: '*',
          }),
        );
      } catch (error) {
        throw fail('put', key, error);
      }
    },
    async read(key) {
      const Key = objectKey(key);
      let body: unknown;
      try {
        body = (await client.send(new GetObjectCommand({ Bucket: config.bucket, Key }))).Body;
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') throw new StoredFileMissingError(key);
        throw fail('read', key, error);
      }
      if (!(body instanceof Readable)) throw fail('read', key, new Error('the response body is not a stream'));
      return body;
    },
    async remove(key) {
      const Key = objectKey(key);
      try {
        // S3 answers 204 whether or not the object existed.
        await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key }));
      } catch (error) {
        throw fail('remove', key, error);
      }
    },
    async *listWrittenBefore(cutoff) {
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: config.bucket, Prefix: config.prefix || undefined })) {
          for (const object of page.Contents ?? []) {
            const key = object.Key?.slice(config.prefix.length);
            if (key && STORAGE_KEY_PATTERN.test(key) && object.LastModified && object.LastModified < cutoff) yield key;
          }
        }
      } catch (error) {
        throw fail('list', config.prefix || '(bucket)', error);
      }
    },
    close() {
      client.destroy();
    },
  };
}
