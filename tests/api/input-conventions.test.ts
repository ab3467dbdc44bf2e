/**
 * Barong's form conventions and the bounds every input meets: bodies of the wrong media type or
 * none at all, NUL characters, nesting, ranges, Rack-style form fields, country names, the
 * per-account document cap. Each answer is one a Barong client can act on, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeAccount, PROFILE } from '../helpers/accounts.js';
import { assertMatchesContract } from '../helpers/contract.js';
import { postMultipart } from '../helpers/multipart.js';
import { createTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60', DOCUMENTS_LIMIT: '2', DOCUMENTS_MAX_TOTAL_MB: '1' });
});
afterAll(() => t?.close());

/** A raw request through app.inject, held against the contract like every API response. */
async function raw(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: { headers?: Record<string, string>; payload?: string } = {}) {
  const res = await t.app.inject({ method, url, headers: options.headers, payload: options.payload });
  assertMatchesContract(method, url, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

describe('bodies of the wrong media type, or none', () => {
  it('answers 415 for text/plain on every operation that takes a body', async () => {
    const res = await raw('POST', '/api/v1/accounts', { headers: { 'content-type': 'text/plain' }, payload: 'email=a@b.c' });
    expect(res).toEqual({ status: 415, body: { error: 'Unsupported content type' } });
    const put = await raw('PUT', '/api/v1/security/reset_password', { headers: { 'content-type': 'text/xml' }, payload: '<a/>' });
    expect(put.status).toBe(415);
  });

  it('answers a missing body with Grape\'s full text: missing and empty', async () => {
    expect(await raw('POST', '/api/v1/accounts')).toEqual({
      status: 400,
      body: { error: 'email is missing, email is empty, password is missing, password is empty' },
    });
    expect(await raw('POST', '/api/v1/accounts/confirm')).toEqual({
      status: 400,
      body: { error: 'confirmation_token is missing, confirmation_token is empty' },
    });
  });

  it('answers an empty JSON body the same way (sign-up and generate_jwt)', async () => {
    const signUp = await t.api.post('/api/v1/accounts', {});
    expect(signUp.body).toEqual({ error: 'email is missing, email is empty, password is missing, password is empty' });
    const jwt = await t.api.post('/api/v1/sessions/generate_jwt', {});
    expect(jwt.status).toBe(400);
    expect(jwt.body).toEqual({ error: 'kid is missing, kid is empty, jwt_token is missing, jwt_token is empty' });
  });

  it('answers POST /documents with a JSON or form body 400 "upload is missing", as Barong', async () => {
    const { token } = await activeAccount(t);
    const doc = { doc_type: 'Passport', doc_number: 'AA1', doc_expire: '2030-01-01' };
    const json = await t.api.post('/api/v1/documents', doc, { token });
    expect(json).toMatchObject({ status: 400, body: { error: 'upload is missing' } });
    const form = await t.api.post('/api/v1/documents', doc, { token, form: true });
    expect(form).toMatchObject({ status: 400, body: { error: 'upload is missing' } });
    const none = await raw('POST', '/api/v1/documents', { headers: { authorization: `Bearer ${token}` } });
    expect(none.status).toBe(400);
    expect(none.body.error).toContain('upload is missing');
  });
});

describe('NUL characters never reach the database', () => {
  it('refuses them in sign-in fields, key ids and api key uids with 400', async () => {
    const signIn = await t.api.post('/api/v1/sessions', { email: 'a\u0000@example.com', password: 'Secret123', application_id: 'x' });
    expect(signIn).toMatchObject({ status: 400, body: { error: 'email is invalid' } });
    const app = await t.api.post('/api/v1/sessions', { email: 'a@example.com', password: 'Secret123', application_id: 'a\u0000b' });
    expect(app).toMatchObject({ status: 400, body: { error: 'application_id is invalid' } });
    const kid = await t.api.post('/api/v1/sessions/generate_jwt', { kid: 'k\u0000', jwt_token: 'x.y.z' });
    expect(kid).toMatchObject({ status: 400, body: { error: 'kid is invalid' } });
    const verify = await t.api.post('/api/v1/security/verify_api_key', { uid: 'u\u0000id' });
    expect(verify).toMatchObject({ status: 400, body: { error: 'uid is invalid' } });
  });

  it('refuses them in paths, form fields and nested metadata', async () => {
    const { token } = await activeAccount(t);
    for (const method of ['GET', 'DELETE'] as const) {
      expect(await raw(method, '/api/v1/labels/a%00b', { headers: { authorization: `Bearer ${token}` } })).toEqual({
        status: 400,
        body: { error: 'key is invalid' },
      });
    }
    const patch = await t.api.patch('/api/v1/labels/a%00b', { value: 'abc' }, { token });
    expect(patch).toMatchObject({ status: 400, body: { error: 'key is invalid' } });
    const form = await t.api.post('/api/v1/profiles', { ...PROFILE, city: 'Lon\u0000don' }, { token, form: true });
    expect(form).toMatchObject({ status: 400, body: { error: 'city is invalid' } });
    const nested = await t.api.post('/api/v1/profiles', { ...PROFILE, metadata: { a: { b: 'x\u0000' } } }, { token });
    expect(nested).toMatchObject({ status: 400, body: { error: 'metadata.a.b is invalid' } });
    expect((await t.api.get('/api/v1/profiles/me', { token })).status).toBe(404);
  });
});

describe('bounds', () => {
  it('answers profile metadata nested 5,000 levels deep with 422, and stores nothing', async () => {
    const { token } = await activeAccount(t);
    const deep = '{"a":'.repeat(5000) + '{}' + '}'.repeat(5000);
    const payload = JSON.stringify(PROFILE).replace(/}$/, `,"metadata":${deep}}`);
    const res = await raw('POST', '/api/v1/profiles', { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
    expect(res).toEqual({ status: 422, body: { error: 'Metadata is invalid' } });
    const big = await t.api.post('/api/v1/profiles', { ...PROFILE, metadata: { note: 'x'.repeat(17 * 1024) } }, { token });
    expect(big).toMatchObject({ status: 422, body: { error: 'Metadata is invalid' } });
    expect((await t.api.get('/api/v1/profiles/me', { token })).status).toBe(404);
    const tenLevels = JSON.parse('{"a":'.repeat(9) + '{}' + '}'.repeat(9));
    expect((await t.api.post('/api/v1/profiles', { ...PROFILE, metadata: tenLevels }, { token })).status).toBe(201);
  });

  it('answers an offset beyond any integer the database takes with 400', async () => {
    const res = await raw('GET', '/api/v1/admin/accounts?offset=1e20', { headers: { 'x-operator-token': t.operatorToken } });
    expect(res).toEqual({ status: 400, body: { error: 'offset is out of range' } });
    const id = await raw('GET', '/api/v1/admin/accounts?limit=99999999999999999999', { headers: { 'x-operator-token': t.operatorToken } });
    expect(id.status).toBe(400);
  });

  it('answers a number too large for a double (coerced to Infinity) with 400, never the database', async () => {
    const headers = { 'x-operator-token': t.operatorToken };
    for (const url of ['/api/v1/admin/reviews?limit=1e309', '/api/v1/admin/audit?offset=1e309', '/api/v1/admin/accounts?offset=-1e309']) {
      const res = await raw('GET', url, { headers });
      expect(res.status, url).toBe(400);
      expect(res.body.error, url).toMatch(/^(limit|offset) is out of range$/);
    }
  });

  it('answers a string beyond its declared maxLength with 400 "is too long"', async () => {
    const res = await t.api.post('/api/v1/accounts', { email: `${'a'.repeat(1100)}@example.com`, password: 'Secret123' });
    expect(res).toMatchObject({ status: 400, body: { error: 'email is too long' } });
    // Below the bound, Barong's rule checks still answer 422.
    const { token } = await activeAccount(t);
    const label = await t.api.post('/api/v1/labels', { key: 'k'.repeat(300), value: 'abc' }, { token });
    expect(label.status).toBe(422);
  });
});

describe('Rack-style form bodies', () => {
  it('parses metadata[gender]=male into the metadata object', async () => {
    const { token } = await activeAccount(t);
    const body = new URLSearchParams({ ...PROFILE, 'metadata[gender]': 'male', 'metadata[address][line2]': 'Flat 3' }).toString();
    const res = await raw('POST', '/api/v1/profiles', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    expect(res.status).toBe(201);
    const me = await t.api.get('/api/v1/profiles/me', { token });
    expect(me.body.metadata).toEqual({ gender: 'male', address: { line2: 'Flat 3' } });
  });

  it('refuses a field it cannot take instead of dropping it', async () => {
    const { token } = await activeAccount(t);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' };
    const base = new URLSearchParams(PROFILE).toString();
    const scalar = await raw('POST', '/api/v1/profiles', { headers, payload: `${base}&metadata=male` });
    expect(scalar).toEqual({ status: 400, body: { error: 'metadata is invalid' } });
    const tooDeep = await raw('POST', '/api/v1/profiles', { headers, payload: `${base}&metadata${'[a]'.repeat(12)}=x` });
    expect(tooDeep).toEqual({ status: 400, body: { error: 'Request body is malformed' } });
    expect((await t.api.get('/api/v1/profiles/me', { token })).status).toBe(404);
  });
});

describe('countries', () => {
  it.each([
    ['KOR', 'KOR'],
    ['kn', 'KN'],
    ['Saint Kitts and Nevis', 'Saint Kitts and Nevis'],
    ['South Korea', 'South Korea'],
  ])('accepts %s and shows it as %s', async (given, shown) => {
    const { token } = await activeAccount(t);
    expect((await t.api.post('/api/v1/profiles', { ...PROFILE, country: given }, { token })).status).toBe(201);
    expect((await t.api.get('/api/v1/profiles/me', { token })).body.country).toBe(shown);
  });

  it('refuses what names no country with 422', async () => {
    const { token } = await activeAccount(t);
    for (const country of ['Atlantis', 'XX', '840']) {
      const res = await t.api.post('/api/v1/profiles', { ...PROFILE, country }, { token });
      expect(res).toMatchObject({ status: 422, body: { error: 'Country is invalid' } });
    }
  });
});

describe('documents per account', () => {
  it('answers 422 once the account has DOCUMENTS_LIMIT documents, and stores no more', async () => {
    const { token } = await activeAccount(t);
    const fields = { doc_type: 'Passport', doc_number: 'AA1', doc_expire: '2030-01-01', upload: { filename: 'p.png', contentType: 'image/png', data: PNG } };
    expect((await postMultipart(t, '/api/v1/documents', fields, { token })).status).toBe(201);
    expect((await postMultipart(t, '/api/v1/documents', fields, { token })).status).toBe(201);
    const third = await postMultipart(t, '/api/v1/documents', fields, { token });
    expect(third).toMatchObject({ status: 422, body: { error: 'Maximum number of documents was reached' } });
    expect((await t.api.get('/api/v1/documents', { token })).body).toHaveLength(2);
    // Another account has its own allowance.
    const other = await activeAccount(t, uniqueEmail('other'));
    expect((await postMultipart(t, '/api/v1/documents', fields, { token: other.token })).status).toBe(201);
  });

  it('answers 422 once the account\'s files would pass DOCUMENTS_MAX_TOTAL_MB', async () => {
    const { token } = await activeAccount(t);
    const big = Buffer.concat([PNG, Buffer.alloc(600 * 1024)]); // still a PNG by its signature
    const fields = { doc_type: 'Passport', doc_number: 'AA1', doc_expire: '2030-01-01', upload: { filename: 'p.png', contentType: 'image/png', data: big } };
    expect((await postMultipart(t, '/api/v1/documents', fields, { token })).status).toBe(201);
    const second = await postMultipart(t, '/api/v1/documents', fields, { token });
    expect(second).toMatchObject({ status: 422, body: { error: 'Maximum total size of documents was reached' } });
    expect((await t.api.get('/api/v1/documents', { token })).body).toHaveLength(1);
  });
});
