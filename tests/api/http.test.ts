import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMatchesContract } from '../helpers/contract.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('health', () => {
  it('reports alive and ready (database reachable)', async () => {
    expect((await t.api.get('/api/v1/health/alive')).body).toEqual({ status: 'ok' });
    const ready = await t.api.get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });
});

describe('malformed requests get client errors, never a 500', () => {
  it('answers 400 for a broken JSON body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Request body is malformed' });
  });

  it('answers 415 for an unsupported content type', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { 'content-type': 'text/csv' },
      payload: 'email,password',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'Unsupported content type' });
    assertMatchesContract('POST', '/api/v1/accounts', res.statusCode, String(res.headers['content-type']), res.body);
  });

  it('answers 404 for a wrong method on a known path', async () => {
    const res = await t.api.request('DELETE', '/api/v1/accounts/me');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found' });
  });

  it('answers 400 "x is invalid" for a mistyped value', async () => {
    const res = await t.api.post('/api/v1/accounts', { email: { nested: true }, password: 'Secret123' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'email is invalid' });
  });
});

describe('operations built by later work', () => {
  it('are declared in the contract (no route is missing)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/labels' });
    expect(res.statusCode).not.toBe(404);
  });
});
