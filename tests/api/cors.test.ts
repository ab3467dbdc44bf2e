import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const preflight = (t: TestApp, origin: string, method: string) =>
  t.app.inject({
    method: 'OPTIONS',
    url: '/api/v1/labels/kyc-tier',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
  });

describe('CORS with the default (any origin, as Barong 1.8)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('answers a preflight for PATCH with the bearer header allowed', async () => {
    const res = await preflight(t, 'https://app.exchange.example', 'PATCH');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-methods'])).toContain('PATCH');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
  });

  it('lets a page read Retry-After and the request id of an answer', async () => {
    const res = await t.api.get('/api/v1/health/alive', { headers: { origin: 'https://app.exchange.example' } });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-expose-headers'])).toContain('retry-after');
  });
});

describe('CORS with API_CORS_ORIGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ API_CORS_ORIGINS: 'https://app.exchange.example, https://admin.exchange.example' });
  });
  afterAll(() => t?.close());

  it('allows a listed origin', async () => {
    const res = await preflight(t, 'https://admin.exchange.example', 'POST');
    expect(res.headers['access-control-allow-origin']).toBe('https://admin.exchange.example');
  });

  it('gives no CORS grant to another origin', async () => {
    const res = await preflight(t, 'https://evil.example', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
