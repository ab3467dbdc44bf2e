/**
 * Threat: forged or stale bearer tokens. Barong 1.8 looked tokens up in its database and never
 * checked a signature; we verify signature, algorithm, issuer, audience and expiry.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT, importSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { activeAccount } from '../helpers/accounts.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let account: Awaited<ReturnType<typeof activeAccount>>;
beforeAll(async () => {
  t = await createTestApp();
  account = await activeAccount(t);
});
afterAll(() => t?.close());

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const me = (token: string) => t.api.get('/api/v1/accounts/me', { token });

describe('bearer token verification', () => {
  it('accepts the genuine token', async () => {
    expect((await me(account.token)).status).toBe(200);
  });

  it('rejects a token with alg "none"', async () => {
    const forged = new UnsecuredJWT(claimsOf(account.token)).encode();
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'The access token is invalid' });
  });

  it('rejects an HS256 token keyed with our public key (algorithm confusion)', async () => {
    const jwks = (await t.api.get('/.well-known/jwks.json')).body;
    const { createPublicKey } = await import('node:crypto');
    const publicPem = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const forged = await new SignJWT(claimsOf(account.token))
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid })
      .sign(new TextEncoder().encode(String(publicPem)));
    expect((await me(forged)).status).toBe(401);
  });

  it('rejects a token signed by another RSA key with our kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = (await t.api.get('/.well-known/jwks.json')).body;
    const forged = await new SignJWT(claimsOf(account.token))
      .setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0].kid })
      .sign(privateKey);
    expect((await me(forged)).status).toBe(401);
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const [header, , signature] = account.token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claimsOf(account.token), role: 'admin' })).toString('base64url');
    expect((await me(`${header}.${payload}.${signature}`)).status).toBe(401);
  });

  it('rejects an expired token with "The access token expired"', async () => {
    const expired = await t.services.deps.jwt.sign(
      { uid: account.uid, email: account.email, role: 'member', level: 1, state: 'active' },
      { expiresIn: -10 },
    );
    const res = await me(expired);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'The access token expired' });
  });

  it('rejects a token for another audience (an API-key session for peatio only)', async () => {
    const token = await t.services.deps.jwt.sign(
      { uid: account.uid, email: account.email, role: 'member', level: 1, state: 'active' },
      { expiresIn: 60, audience: 'trade' },
    );
    expect((await me(token)).status).toBe(401);
  });

  it('rejects a valid token once its account is gone', async () => {
    const other = await activeAccount(t);
    const row = await findAccountByUid(t.services.deps.db, other.uid);
    await t.services.deps.db.deleteFrom('accounts').where('id', '=', row!.id).execute();
    const res = await me(other.token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Account does not exist' });
  });

  it('publishes only public key material in the JWKS', async () => {
    const { keys } = (await t.api.get('/.well-known/jwks.json')).body;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privateMember);
    await expect(importSPKI('not a key', 'RS256')).rejects.toThrow();
  });
});
