/**
 * A real S3-speaking server on loopback for the storage tests: s3rver (an S3 emulator in Node),
 * in this process, on 127.0.0.1 and a free port, storing into a temp directory, with one bucket.
 * It records each request's method, path and headers, and can be stopped to play an S3 outage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, HeadObjectCommand, S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's built-in account. */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Every request the server received, oldest first. */
  requests: RecordedRequest[];
  /** A client of the test's own, to look at the bucket. */
  client: S3Client;
  /** STORAGE_* for createTestApp / loadConfig. */
  env(extra?: Record<string, string>): Record<string, string>;
  keys(prefix?: string): Promise<string[]>;
  object(key: string): Promise<{ bytes: Buffer; contentType?: string }>;
  exists(key: string): Promise<boolean>;
  /** Stops answering (connections are refused from now on). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'documents'): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const requests: RecordedRequest[] = [];
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, path: ctx.path, headers: { ...ctx.headers } });
    await next();
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY },
  });
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    await server.close();
  };
  return {
    endpoint,
    bucket,
    requests,
    client,
    env: (extra = {}) => ({
      STORAGE_PROVIDER: 's3',
      STORAGE_BUCKET_NAME: bucket,
      STORAGE_ENDPOINT: endpoint,
      STORAGE_ACCESS_KEY: S3RVER_ACCESS_KEY,
      STORAGE_SECRET_KEY: S3RVER_SECRET_KEY,
      ...extra,
    }),
    async keys(prefix) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    async object(key) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { bytes: Buffer.from(await got.Body!.transformToByteArray()), contentType: got.ContentType };
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'NotFound') return false;
        throw error;
      }
    },
    stop,
    async close() {
      await stop();
      client.destroy();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
