import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems as problemsOf } from '../helpers/config.js';

describe('document storage configuration', () => {
  it('is the local directory by default', () => {
    expect(loadConfig({}).storage).toEqual({ provider: 'local' });
    expect(loadConfig({ STORAGE_PROVIDER: 'LOCAL' }).storage).toEqual({ provider: 'local' });
  });

  it("reads Barong's names for AWS: default region, SDK default credentials, encryption on", () => {
    const config = loadConfig({ STORAGE_PROVIDER: 's3', STORAGE_BUCKET_NAME: 'kyc-docs' });
    expect(config.storage).toEqual({
      provider: 's3',
      bucket: 'kyc-docs',
      region: 'us-east-1',
      credentials: undefined,
      endpoint: undefined,
      prefix: '',
      serverSideEncryption: true,
    });
    expect(Object.isFrozen(config.storage)).toBe(true);
    // Barong's fog provider name is taken as s3.
    expect(loadConfig({ STORAGE_PROVIDER: 'AWS', STORAGE_BUCKET_NAME: 'kyc-docs' }).storage.provider).toBe('s3');
  });

  it('takes keys, an endpoint (encryption then off unless asked) and a prefix ending in "/"', () => {
    const config = loadConfig({
      STORAGE_PROVIDER: 's3',
      STORAGE_BUCKET_NAME: 'kyc',
      STORAGE_REGION: 'eu-central-1',
      STORAGE_ACCESS_KEY: 'AKIAEXAMPLE',
      STORAGE_SECRET_KEY: 'secret',
      STORAGE_ENDPOINT: 'http://minio.internal:9000/',
      STORAGE_PREFIX: 'barong/documents',
    });
    expect(config.storage).toEqual({
      provider: 's3',
      bucket: 'kyc',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      endpoint: 'http://minio.internal:9000',
      prefix: 'barong/documents/',
      serverSideEncryption: false,
    });
    const sse = loadConfig({ STORAGE_PROVIDER: 's3', STORAGE_BUCKET_NAME: 'kyc', STORAGE_ENDPOINT: 'https://s3.example', STORAGE_SSE: 'true', STORAGE_PREFIX: 'p/' });
    expect(sse.storage).toMatchObject({ serverSideEncryption: true, prefix: 'p/' });
    expect(loadConfig({ STORAGE_PROVIDER: 's3', STORAGE_BUCKET_NAME: 'kyc', STORAGE_SSE: 'false' }).storage).toMatchObject({ serverSideEncryption: false });
  });

  it('reports every bad storage key at once', () => {
    expect(
      problemsOf({
        STORAGE_PROVIDER: 's3',
        STORAGE_REGION: 'eu west',
        STORAGE_ACCESS_KEY: 'AKIAEXAMPLE',
        STORAGE_ENDPOINT: 'ftp://files.example',
        STORAGE_PREFIX: '/abs/../x',
        STORAGE_SSE: 'yes',
      }),
    ).toEqual([
      'STORAGE_BUCKET_NAME is required when STORAGE_PROVIDER=s3',
      'STORAGE_REGION must be a region name such as eu-west-1 (got "eu west")',
      "set both STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY, or neither (the SDK's default credentials)",
      'STORAGE_ENDPOINT must be an http(s) URL (got "ftp://files.example")',
      'STORAGE_PREFIX must be a relative key prefix of letters, digits, "/", "-", "_", "." (got "/abs/../x")',
      'STORAGE_SSE must be true or false (got "yes")',
    ]);
    expect(problemsOf({ STORAGE_PROVIDER: 's3', STORAGE_BUCKET_NAME: 'a/b' })).toEqual([
      'STORAGE_BUCKET_NAME must be a bucket name (3-63 letters, digits, ".", "-", "_"; got "a/b")',
    ]);
    expect(problemsOf({ STORAGE_PROVIDER: 'Google' })).toEqual(['STORAGE_PROVIDER must be local or s3 (got "Google")']);
  });

  it('refuses S3 settings without STORAGE_PROVIDER=s3 (uploads would silently stay on one node)', () => {
    expect(problemsOf({ STORAGE_BUCKET_NAME: 'kyc', STORAGE_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([
      'STORAGE_BUCKET_NAME, STORAGE_ENDPOINT need STORAGE_PROVIDER=s3',
    ]);
  });
});
