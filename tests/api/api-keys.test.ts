import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByEmail, updateAccount } from '../../src/db/queries/accounts.js';
import { activeAccount } from '../helpers/accounts.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { nextStep, restoreClock, useTestClock } from '../helpers/totp.js';
import { twoFactorAccount } from '../helpers/two-factor.js';

let t: TestApp;
beforeAll(async () => {
  // Every injected request comes from 127.0.0.1, and each test signs in a new account.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  useTestClock();
});
afterAll(async () => {
  restoreClock();
  await t?.close();
});

type Account = Awaited<ReturnType<typeof twoFactorAccount>>;

function rsaKeyPair(modulusLength = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), alg: 'RS256' };
}

function ecKeyPair(namedCurve = 'P-256', alg = 'ES256') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), alg };
}

/** Barong's clients send the PEM as URL-safe Base64. */
const urlSafeBase64 = (pem: string) => Buffer.from(pem).toString('base64url');

async function createKey(a: Account, body: Record<string, unknown>) {
  const res = await t.api.post('/api/v1/api_keys', { totp_code: a.code(), ...body }, { token: a.token });
  expect(res.status, res.text).toBe(201);
  return res.body as { uid: string; public_key: string; scopes: string | null; expires_in: number; state: string };
}

/** The JWT a bot signs with its private key to get a session. */
function clientJwt(
  privateKey: KeyObject,
  alg: string,
  kid: string,
  options: { claims?: JWTPayload; sub?: string; iss?: string; exp?: number | null; jti?: string | null } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...options.claims }).setProtectedHeader({ alg, kid }).setIssuedAt(now);
  jwt.setSubject(options.sub ?? 'api_key_jwt').setIssuer(options.iss ?? 'external');
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 60);
  if (options.jti !== null) jwt.setJti(options.jti ?? randomUUID());
  return jwt.sign(privateKey);
}

const generateJwt = (kid: string, jwt_token: string) => t.api.post('/api/v1/sessions/generate_jwt', { kid, jwt_token });

describe('API keys need 2FA and a fresh TOTP code on every call', () => {
  it('answers 400 "Only accounts with enabled 2FA alowed" to accounts without 2FA', async () => {
    const { token } = await activeAccount(t);
    const pem = rsaKeyPair().pem;
    const calls = [
      t.api.get('/api/v1/api_keys?totp_code=123456', { token }),
      t.api.post('/api/v1/api_keys', { public_key: pem, totp_code: '123456' }, { token }),
      t.api.post('/api/v1/api_keys', { public_key: pem, expires_in: 5, totp_code: '123456' }, { token }),
      t.api.get(`/api/v1/api_keys/${randomUUID()}?totp_code=123456`, { token }),
      t.api.patch(`/api/v1/api_keys/${randomUUID()}`, { state: 'inactive', totp_code: '123456' }, { token }),
      t.api.delete(`/api/v1/api_keys/${randomUUID()}?totp_code=123456`, { token }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Only accounts with enabled 2FA alowed' });
    }
  });

  it('answers 401 without a bearer token', async () => {
    const res = await t.api.get('/api/v1/api_keys?totp_code=123456');
    expect(res.status).toBe(401);
  });

  it('answers 422 "Your code is invalid" for a wrong or empty code, before checking the parameters', async () => {
    const a = await twoFactorAccount(t);
    nextStep();
    const pem = rsaKeyPair().pem;
    for (const res of [
      await t.api.get('/api/v1/api_keys?totp_code=000000', { token: a.token }),
      await t.api.get('/api/v1/api_keys?totp_code=', { token: a.token }),
      await t.api.post('/api/v1/api_keys', { public_key: pem, expires_in: 5, totp_code: 'abc' }, { token: a.token }),
      await t.api.delete(`/api/v1/api_keys/${randomUUID()}?totp_code=1`, { token: a.token }),
    ]) {
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: 'Your code is invalid' });
    }
  });

  it('answers 400 "totp_code is missing" when the code is absent (request validation comes first)', async () => {
    const a = await twoFactorAccount(t);
    const res = await t.api.get('/api/v1/api_keys', { token: a.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'totp_code is missing' });
  });

  it('rejects a reused code: a stolen session and a shoulder-surfed code buy one call', async () => {
    const a = await twoFactorAccount(t);
    const code = a.code();
    expect((await t.api.get(`/api/v1/api_keys?totp_code=${code}`, { token: a.token })).status).toBe(200);
    const again = await t.api.get(`/api/v1/api_keys?totp_code=${code}`, { token: a.token });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ error: 'Your code is invalid' });
  });

  it('accepts a code once when it is sent in parallel (replay race)', async () => {
    const a = await twoFactorAccount(t);
    const code = a.code();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.api.get(`/api/v1/api_keys?totp_code=${code}`, { token: a.token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 422, 422, 422, 422]);
  });

  it('does not accept a code already used by verify_code', async () => {
    const a = await twoFactorAccount(t);
    const code = a.code();
    expect((await t.api.post('/api/v1/security/verify_code', { code }, { token: a.token })).status).toBe(201);
    expect((await t.api.get(`/api/v1/api_keys?totp_code=${code}`, { token: a.token })).status).toBe(422);
  });
});

describe('POST /api/v1/api_keys', () => {
  it('creates an active key with the default lifetime from a PEM public key', async () => {
    const a = await twoFactorAccount(t);
    const { pem } = rsaKeyPair();
    const key = await createKey(a, { public_key: pem });
    expect(key).toEqual({
      uid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      public_key: pem.trim(),
      scopes: null,
      expires_in: 86400,
      state: 'active',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it('accepts the URL-safe Base64 of the PEM (Barong clients) and keeps it as sent', async () => {
    const a = await twoFactorAccount(t);
    const encoded = urlSafeBase64(ecKeyPair().pem);
    const key = await createKey(a, { public_key: encoded, scopes: 'trade', expires_in: 600 });
    expect(key).toMatchObject({ public_key: encoded, scopes: 'trade', expires_in: 600 });
  });

  it('accepts a form-urlencoded body', async () => {
    const a = await twoFactorAccount(t);
    const res = await t.api.post(
      '/api/v1/api_keys',
      { public_key: rsaKeyPair().pem, expires_in: '3600', totp_code: a.code() },
      { token: a.token, form: true },
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.expires_in).toBe(3600);
  });

  it('rejects what is not an RSA or EC public key with 422 (Barong stored anything)', async () => {
    const a = await twoFactorAccount(t);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const candidates = {
      'random hex (as in Barong specs)': 'a'.repeat(64),
      'a private key': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'an Ed25519 key': generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'a 1024-bit RSA key': rsaKeyPair(1024).pem,
      'a broken PEM': '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
    };
    for (const [name, public_key] of Object.entries(candidates)) {
      const res = await t.api.post('/api/v1/api_keys', { public_key, totp_code: a.code() }, { token: a.token });
      expect(res.status, name).toBe(422);
      expect(res.body.error, name).toMatch(/^Public key is invalid/);
    }
  });

  it("checks expires_in with Barong's messages", async () => {
    const a = await twoFactorAccount(t);
    const { pem } = rsaKeyPair();
    const post = (expires_in: unknown) =>
      t.api.post('/api/v1/api_keys', { public_key: pem, expires_in, totp_code: a.code() }, { token: a.token });
    expect((await post(29)).body).toEqual({ error: 'Expires in must be greater than or equal to 30' });
    expect((await post(86401)).body).toEqual({ error: 'Expires in must be less than or equal to 86400' });
    expect((await post(86401)).status).toBe(422);
    const notNumber = await post('soon');
    expect(notNumber.status).toBe(400);
    expect(notNumber.body).toEqual({ error: 'expires_in is invalid' });
    expect((await post(30)).status).toBe(201);
  });

  it('answers 400 for a missing or empty public_key', async () => {
    const a = await twoFactorAccount(t);
    const res = await t.api.post('/api/v1/api_keys', { public_key: '', totp_code: a.code() }, { token: a.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'public_key is empty' });
  });
});

describe('GET, PATCH and DELETE /api/v1/api_keys/{uid}', () => {
  it('lists, reads, updates and deletes the account keys', async () => {
    const a = await twoFactorAccount(t);
    const first = await createKey(a, { public_key: rsaKeyPair().pem, scopes: 'trade' });
    const second = await createKey(a, { public_key: ecKeyPair().pem });

    const list = await t.api.get(`/api/v1/api_keys?totp_code=${a.code()}`, { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.map((k: { uid: string }) => k.uid)).toEqual([first.uid, second.uid]);

    const one = await t.api.get(`/api/v1/api_keys/${first.uid}?totp_code=${a.code()}`, { token: a.token });
    expect(one.body).toEqual(first);

    const patched = await t.api.patch(
      `/api/v1/api_keys/${first.uid}`,
      { state: 'inactive', scopes: 'trade,withdraw', expires_in: 120, totp_code: a.code() },
      { token: a.token },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ uid: first.uid, state: 'inactive', scopes: 'trade,withdraw', expires_in: 120 });

    const deleted = await t.api.delete(`/api/v1/api_keys/${first.uid}?totp_code=${a.code()}`, { token: a.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const gone = await t.api.get(`/api/v1/api_keys/${first.uid}?totp_code=${a.code()}`, { token: a.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'Record is not found' });
  });

  it('answers 422 for a state other than active or inactive, and for a bad expires_in', async () => {
    const a = await twoFactorAccount(t);
    const key = await createKey(a, { public_key: rsaKeyPair().pem });
    const bad = await t.api.patch(`/api/v1/api_keys/${key.uid}`, { state: 'paused', totp_code: a.code() }, { token: a.token });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ error: 'State is not included in the list' });
    const long = await t.api.patch(`/api/v1/api_keys/${key.uid}`, { expires_in: 86401, totp_code: a.code() }, { token: a.token });
    expect(long.body).toEqual({ error: 'Expires in must be less than or equal to 86400' });
  });

  it("answers 404 for another account's key (no access across accounts)", async () => {
    const owner = await twoFactorAccount(t);
    const key = await createKey(owner, { public_key: rsaKeyPair().pem });
    const other = await twoFactorAccount(t);
    const token = other.token;
    for (const res of [
      await t.api.get(`/api/v1/api_keys/${key.uid}?totp_code=${other.code()}`, { token }),
      await t.api.patch(`/api/v1/api_keys/${key.uid}`, { state: 'inactive', totp_code: other.code() }, { token }),
      await t.api.delete(`/api/v1/api_keys/${key.uid}?totp_code=${other.code()}`, { token }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Record is not found' });
    }
    const list = await t.api.get(`/api/v1/api_keys?totp_code=${other.code()}`, { token });
    expect(list.body).toEqual([]);
    const still = await t.api.get(`/api/v1/api_keys/${key.uid}?totp_code=${owner.code()}`, { token: owner.token });
    expect(still.body.state).toBe('active');
  });
});

describe.each([
  ['RSA', () => rsaKeyPair()],
  ['EC P-256', () => ecKeyPair()],
])('a trading bot with an %s key', (_name, makeKeyPair) => {
  it('gets a session JWT for a signed client JWT; replays, deactivation and deletion are refused', async () => {
    const a = await twoFactorAccount(t);
    const pair = makeKeyPair();
    const key = await createKey(a, { public_key: urlSafeBase64(pair.pem), scopes: 'trade,withdraw', expires_in: 600 });

    const jwt = await clientJwt(pair.privateKey, pair.alg, key.uid);
    const res = await generateJwt(key.uid, jwt);
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body)).toEqual(['token']);

    const jwks = createLocalJWKSet((await t.api.get('/.well-known/jwks.json')).body);
    const { payload, protectedHeader } = await jwtVerify(res.body.token, jwks, { issuer: 'barong', audience: 'trade' });
    expect(protectedHeader.alg).toBe('RS256');
    const me = await t.api.get('/api/v1/accounts/me', { token: a.token });
    expect(payload).toMatchObject({
      sub: 'session',
      iss: 'barong',
      aud: ['trade', 'withdraw'],
      api_kid: key.uid,
      uid: me.body.uid,
      email: a.email,
      role: 'member',
      level: me.body.level,
      state: 'active',
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.jti).toMatch(/^[0-9A-F]{24}$/);

    // The same client JWT again: a replay.
    const replay = await generateJwt(key.uid, jwt);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'Failed to decode and verify JWT: "jti" claim was already used' });

    // A new client JWT works again.
    expect((await generateJwt(key.uid, await clientJwt(pair.privateKey, pair.alg, key.uid))).status).toBe(201);

    // Deactivated: unknown to generate_jwt.
    const off = await t.api.patch(`/api/v1/api_keys/${key.uid}`, { state: 'inactive', totp_code: a.code() }, { token: a.token });
    expect(off.body.state).toBe('inactive');
    const inactive = await generateJwt(key.uid, await clientJwt(pair.privateKey, pair.alg, key.uid));
    expect(inactive.status).toBe(404);
    expect(inactive.body).toEqual({ error: 'Record is not found' });

    const deleted = await t.api.delete(`/api/v1/api_keys/${key.uid}?totp_code=${a.code()}`, { token: a.token });
    expect(deleted.status).toBe(204);
    expect((await generateJwt(key.uid, await clientJwt(pair.privateKey, pair.alg, key.uid))).status).toBe(404);
  });
});

describe('POST /api/v1/sessions/generate_jwt', () => {
  let pair: ReturnType<typeof rsaKeyPair>;
  let key: { uid: string };
  let a: Account;
  beforeAll(async () => {
    a = await twoFactorAccount(t);
    pair = rsaKeyPair();
    key = await createKey(a, { public_key: pair.pem });
  });

  const refused = async (jwt: string | Promise<string>, reason: RegExp) => {
    const res = await generateJwt(key.uid, await jwt);
    expect(res.status, res.text).toBe(401);
    expect(res.body.error).toMatch(/^Failed to decode and verify JWT: /);
    expect(res.body.error.replace('Failed to decode and verify JWT: ', '')).toMatch(reason);
  };

  it('names the default lifetime and no scopes as an empty aud', async () => {
    const res = await generateJwt(key.uid, await clientJwt(pair.privateKey, 'RS256', key.uid));
    const claims = decodeJwt(res.body.token);
    expect(claims.exp! - claims.iat!).toBe(86400);
    expect(claims.aud).toEqual([]);
  });

  it('refuses a client JWT signed by another key (forgery)', async () => {
    await refused(clientJwt(rsaKeyPair().privateKey, 'RS256', key.uid), /signature verification failed/);
  });

  it('refuses a client JWT with alg none or an HMAC algorithm (algorithm confusion)', async () => {
    const body = Buffer.from(JSON.stringify({ sub: 'api_key_jwt', iss: 'external', jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    await refused(none, /alg|Algorithm/);
    const hs = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('api_key_jwt').setIssuer('external').setJti(randomUUID()).setExpirationTime('1m');
    await refused(hs.sign(Buffer.from(pair.pem)), /alg|Algorithm/);
  });

  it('refuses wrong sub or iss, a missing exp or jti, an exp more than 1 h ahead, an expired JWT', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { sub: 'session' }), /"sub"/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { iss: 'barong' }), /"iss"/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { exp: null }), /"exp"/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { jti: null }), /"jti"/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { jti: '' }), /"jti"/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { exp: now + 7200 }), /"exp" claim must be at most 3600 seconds ahead/);
    await refused(clientJwt(pair.privateKey, 'RS256', key.uid, { exp: now - 120 }), /"exp"/);
    await refused('not-a-jwt', /JWS|JWT/);
  });

  it('refuses a session for an account that is no longer active', async () => {
    const owner = await twoFactorAccount(t);
    const ownerPair = rsaKeyPair();
    const ownerKey = await createKey(owner, { public_key: ownerPair.pem });
    const row = await findAccountByEmail(t.services.deps.db, owner.email);
    await updateAccount(t.services.deps.db, row!.id, { state: 'banned' });
    const res = await generateJwt(ownerKey.uid, await clientJwt(ownerPair.privateKey, 'RS256', ownerKey.uid));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Account is not active' });
  });

  it('answers 404 for an unknown kid', async () => {
    const res = await generateJwt(randomUUID(), await clientJwt(pair.privateKey, 'RS256', key.uid));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Record is not found' });
  });

  it('gives exactly one session for a client JWT replayed in parallel', async () => {
    const jwt = await clientJwt(pair.privateKey, 'RS256', key.uid);
    const results = await Promise.all(Array.from({ length: 6 }, () => generateJwt(key.uid, jwt)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401, 401, 401]);
  });

  it('is not a bearer token for this API (a bot key cannot act as, or renew into, a full session)', async () => {
    const scoped = await createKey(a, { public_key: pair.pem, scopes: 'barong,peatio' });
    const res = await generateJwt(scoped.uid, await clientJwt(pair.privateKey, 'RS256', scoped.uid));
    expect(decodeJwt(res.body.token).aud).toEqual(['barong', 'peatio']);
    const me = await t.api.get('/api/v1/accounts/me', { token: res.body.token });
    expect(me.status).toBe(401);
    const renew = await t.api.post('/api/v1/security/renew', {}, { token: res.body.token });
    expect(renew.status).toBe(401);
  });
});

describe('POST /api/v1/security/verify_api_key', () => {
  it("answers the key's state, checks the owner when asked, 404 for an unknown key", async () => {
    const a = await twoFactorAccount(t);
    const key = await createKey(a, { public_key: rsaKeyPair().pem });
    const other = await activeAccount(t);

    const state = await t.api.post('/api/v1/security/verify_api_key', { uid: key.uid });
    expect(state.status).toBe(201);
    expect(state.body).toEqual({ state: 'active' });

    const owner = await t.api.get('/api/v1/accounts/me', { token: a.token });
    expect((await t.api.post('/api/v1/security/verify_api_key', { uid: key.uid, account_uid: owner.body.uid })).body).toEqual({ state: 'active' });

    const wrongOwner = await t.api.post('/api/v1/security/verify_api_key', { uid: key.uid, account_uid: other.uid });
    expect(wrongOwner.status).toBe(422);
    expect(wrongOwner.body).toEqual({ error: 'Account has no api key with provided uid' });

    const unknown = await t.api.post('/api/v1/security/verify_api_key', { uid: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'Record is not found' });

    await t.api.patch(`/api/v1/api_keys/${key.uid}`, { state: 'inactive', totp_code: a.code() }, { token: a.token });
    expect((await t.api.post('/api/v1/security/verify_api_key', { uid: key.uid })).body).toEqual({ state: 'inactive' });
  });

  it('answers 400 for a missing uid', async () => {
    const res = await t.api.post('/api/v1/security/verify_api_key', {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'uid is missing, uid is empty' });
  });
});
