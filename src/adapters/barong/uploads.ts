/**
 * Where Barong's CarrierWave kept document files: `uploads/document/upload/<document id>/<file>`,
 * under Rails' `public/` directory (storage :file) or at the root of the bucket (storage :fog).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface BarongUploads {
  /** A document's file, or undefined when there is none. */
  read(documentId: number, fileName: string): Promise<Buffer | undefined>;
  close(): void;
}

/** CarrierWave's store_dir for Document#upload, relative to the storage root. */
export function barongUploadPath(documentId: number, fileName: string): string {
  return `uploads/document/upload/${documentId}/${fileName}`;
}

/** A file name as CarrierWave stored it: one path segment, nothing that climbs out of its folder. */
function isPlainFileName(fileName: string): boolean {
  return fileName.length > 0 && !fileName.includes('/') && !fileName.includes('\\') && fileName !== '.' && fileName !== '..';
}

/**
 * `dir` is Barong's `public` directory (holding `uploads/`), or its `public/uploads` directory.
 */
export function directoryUploads(dir: string): BarongUploads {
  return {
    async read(documentId, fileName) {
      if (!isPlainFileName(fileName)) return undefined;
      const relative = barongUploadPath(documentId, fileName);
      for (const candidate of [path.join(dir, relative), path.join(dir, relative.replace(/^uploads\//, ''))]) {
        try {
          return await fs.readFile(candidate);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      return undefined;
    },
    close() {},
  };
}

export interface S3UploadsOptions {
  /** s3://bucket or s3://bucket/prefix (the prefix goes before `uploads/...`). */
  url: string;
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Barong's fog bucket, read with the AWS SDK (credentials from options or the SDK's default chain). */
export function s3Uploads(options: S3UploadsOptions): BarongUploads {
  const url = new URL(options.url);
  if (url.protocol !== 's3:' || !url.hostname) throw new Error('--uploads-s3 must look like s3://BUCKET[/PREFIX]');
  const bucket = url.hostname;
  const prefix = url.pathname.replace(/^\/+|\/+$/g, '');
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    credentials: options.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async read(documentId, fileName) {
      if (!isPlainFileName(fileName)) return undefined;
      const key = (prefix ? `${prefix}/` : '') + barongUploadPath(documentId, fileName);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await object.Body!.transformToByteArray());
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw error;
      }
    },
    close: () => client.destroy(),
  };
}
