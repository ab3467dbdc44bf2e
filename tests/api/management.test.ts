/**
 * Barong's Management API v1: multi-signature JWT bodies verified against a configured keychain
 * and per-action scopes; private labels and account reads for back-end services.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { activeAccount } from '../helpers/accounts.js';
import {
  claimsFor,
  ecSigner,
  keychainOf,
  rsaSigner,
  signedBody,
  urlSafeBase64,
  writeManagementConfig,
  type TestSigner,
} from '../helpers/management.js';
import { operatorToken } from '../helpers/operators.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const alex = rsaSigner('alex'); // RS256, given as Barong's URL-safe Base64 PEM
const jeff = ecSigner('jeff'); // ES256
const james = rsaSigner('james', 'RS512'); // in the keychain, permitted for no action
const mallory = rsaSigner('alex'); // claims to be alex with another key

const ISS = 'applogic';
const AUD = 'barong';
const configFile = writeManagementConfig({
  keychain: {
    ...keychainOf([alex], (s) => urlSafeBase64(s.publicKeyPem)),
    ...keychainOf([jeff, james]),
  },
  jwt: { iss: ISS, aud: AUD, verify_iss: true, verify_aud: true },
  scopes: {
    write_labels: { permitted_signers: ['alex', 'jeff'], mandatory_signers: ['alex'] },
    tools: { permitted_signers: ['alex', 'jeff'], mandatory_signers: ['alex'] },
    read_users: { permitted_signers: ['alex', 'jeff'], mandatory_signers: ['alex', 'jeff'] },
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ MANAGEMENT_API_CONFIG_PATH: configFile, RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
});

const API = '/management_api/v1';

function body(data: unknown, signers: TestSigner[], claims: Record<string, unknown> = {}) {
  return signedBody(claimsFor(data, { iss: ISS, aud: AUD, ...claims }), ...signers);
}

async function call(method: 'POST' | 'PUT', url: string, data: unknown, signers: TestSigner[] = [alex, jeff], claims = {}) {
  return t.api.request(method, `${API}${url}`, await body(data, signers, claims));
}

/** A raw call, for answers the document cannot declare (405) or bodies the api helper cannot send. */
async function raw(method: string, url: string, payload?: string, contentType?: string) {
  const response = await t.app.inject({
    method: method as 'POST',
    url: `${API}${url}`,
    payload,
    headers: contentType ? { 'content-type': contentType } : {},
  });
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}

async function accountRow(uid: string) {
  return (await findAccountByUid(t.services.deps.db, uid))!;
}

async function privateLabels(uid: string) {
  const rows = await listLabelsByAccountId(t.services.deps.db, (await accountRow(uid)).id);
  return Object.fromEntries(rows.filter((l) => l.scope === 'private').map((l) => [l.key, l.value]));
}

describe('request checks, in Barong order', () => {
  it('answers 405 to any verb but POST and PUT, before anything else', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await raw(method, '/timestamp?foo=bar', 'foo=bar', 'application/x-www-form-urlencoded');
      expect(res, method).toEqual({ status: 405, body: { error: 'Only POST and PUT verbs are allowed.' } });
    }
    expect((await raw('GET', '/no/such/action')).status).toBe(405);
  });

  it('refuses query parameters (400) before looking at the body', async () => {
    const res = await raw('POST', '/timestamp?foo=baz&baz=qux', 'foo=baz', 'application/x-www-form-urlencoded');
    expect(res).toEqual({ status: 400, body: { error: 'Query parameters are not allowed.' } });
    const signed = await body({}, [alex]);
    const withQuery = await t.api.request('POST', `${API}/timestamp?x=1`, signed);
    expect(withQuery.status).toBe(400);
  });

  it('accepts only a JSON body (400), also for multipart and no body', async () => {
    const only = { status: 400, body: { error: 'Only JSON body is accepted.' } };
    expect(await raw('POST', '/timestamp', 'foo=baz&baz=qux', 'application/x-www-form-urlencoded')).toEqual(only);
    expect(await raw('POST', '/labels', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n', 'multipart/form-data; boundary=x')).toEqual(only);
    expect(await raw('POST', '/timestamp')).toEqual(only);
  });

  it("answers 400 Couldn't parse JWT. to a body that is not JSON", async () => {
    const parse = { status: 400, body: { error: "Couldn't parse JWT." } };
    expect(await raw('POST', '/timestamp', '{"payload": ', 'application/json')).toEqual(parse);
    expect(await raw('PUT', '/labels', '', 'application/json')).toEqual(parse);
  });

  it('answers 401 Failed to verify JWT. to JSON that is not a signed JWT', async () => {
    for (const payload of ['{}', '[]', '"x"', 'null', '{"payload":"e30","signatures":[]}', '{"payload":"%%%","signatures":[{"protected":"e30","header":{"kid":"alex"},"signature":"AA"}]}']) {
      const res = await t.api.request('POST', `${API}/labels`, JSON.parse(payload));
      expect(res.status, payload).toBe(401);
      expect(res.body).toEqual({ error: 'Failed to verify JWT.' });
    }
  });

  it('answers 401 Failed to verify JWT. to a bad signature, a wrong algorithm or bad claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<unknown>]> = [
      ['a permitted signer id signed with another key', body({}, [mallory])],
      ['the keychain algorithm is not the header one', body({}, [{ ...alex, algorithm: 'RS512' }])],
      ['expired', body({}, [alex], { exp: now - 120 })],
      ['exp beyond the horizon', body({}, [alex], { exp: now + 7200 })],
      ['no exp', body({}, [alex], { exp: undefined })],
      ['no jti', body({}, [alex], { jti: undefined })],
      ['iat in the future', body({}, [alex], { iat: now + 200 })],
      ['wrong issuer', body({}, [alex], { iss: 'hacker' })],
      ['wrong audience', body({}, [alex], { aud: 'hacker' })],
    ];
    for (const [name, signed] of cases) {
      const res = await t.api.request('POST', `${API}/timestamp`, await signed);
      expect(res.status, name).toBe(401);
      expect(res.body, name).toEqual({ error: 'Failed to verify JWT.' });
    }
  });

  it('answers 401 Not enough signatures for the action. without a mandatory signer', async () => {
    const notEnough = { error: 'Not enough signatures for the action.' };
    for (const signers of [[jeff], [james, jeff], [james]]) {
      const res = await call('POST', '/timestamp', {}, signers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(notEnough);
    }
    // read_users needs both alex (RS256) and jeff (ES256).
    const uid = (await activeAccount(t)).uid;
    expect((await call('POST', '/users/get', { uid }, [alex])).body).toEqual(notEnough);
    expect((await call('POST', '/users/get', { uid }, [jeff])).body).toEqual(notEnough);
    expect((await call('POST', '/users/get', { uid }, [alex, jeff])).status).toBe(201);
  });

  it('ignores signatures by signers outside the scope, and signers in any order', async () => {
    const mallet = rsaSigner('mallet');
    expect((await call('POST', '/timestamp', {}, [mallet, alex])).status).toBe(200);
    expect((await call('POST', '/timestamp', {}, [james, alex])).status).toBe(200);
    expect((await call('POST', '/timestamp', {}, [jeff, alex])).status).toBe(200);
  });

  it('checks signatures before the data: 401 wins over 422 and 404, and 422 over 404', async () => {
    expect((await call('POST', '/labels', {}, [jeff])).status).toBe(401);
    const res = await call('POST', '/labels', { account_uid: 'IDNOSUCH0000' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'key is missing, key is empty, value is missing, value is empty' });
  });

  it('answers 404 for an unknown action', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/nothing`, payload: await body({}, [alex]), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(404);
  });
});

describe('replayed JWTs', () => {
  it('accepts a jti once', async () => {
    const signed = await body({}, [alex]);
    expect((await t.api.request('POST', `${API}/timestamp`, signed)).status).toBe(200);
    const replay = await t.api.request('POST', `${API}/timestamp`, signed);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'Failed to verify JWT.' });
  });

  it('accepts a jti once among parallel copies (one label change gets through)', async () => {
    const { uid } = await activeAccount(t);
    const signed = await body({ account_uid: uid, key: 'tier', value: 'gold' }, [alex]);
    const results = await Promise.all(Array.from({ length: 8 }, () => t.api.request('POST', `${API}/labels`, signed)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
  });
});

describe('labels (scope write_labels)', () => {
  it('creates, updates and deletes a private label, recomputing the level each time', async () => {
    const { uid } = await activeAccount(t);
    expect((await accountRow(uid)).level).toBe(1);

    const created = await call('POST', '/labels', { account_uid: uid, key: 'phone', value: 'verified', scope: 'private' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'phone', value: 'verified', scope: 'private' });
    expect(await privateLabels(uid)).toMatchObject({ email: 'verified', phone: 'verified' });
    expect((await accountRow(uid)).level).toBe(2);

    const updated = await call('PUT', '/labels', { account_uid: uid, key: 'phone', value: 'rejected' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ key: 'phone', value: 'rejected', scope: 'private' });
    expect((await accountRow(uid)).level).toBe(1);

    await call('PUT', '/labels', { account_uid: uid, key: 'phone', value: 'verified' });
    expect((await accountRow(uid)).level).toBe(2);
    const deleted = await call('POST', '/labels/delete', { account_uid: uid, key: 'phone' });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await privateLabels(uid)).not.toHaveProperty('phone');
    expect((await accountRow(uid)).level).toBe(1);
  });

  it('records each label change in the audit trail with the ids of the signers that verified', async () => {
    const { uid } = await activeAccount(t);
    expect((await call('POST', '/labels', { account_uid: uid, key: 'tier', value: 'gold' })).status).toBe(201);
    expect((await call('POST', '/labels/delete', { account_uid: uid, key: 'tier' }, [alex])).status).toBe(204);
    const audit = await t.api.get(`/api/v1/admin/audit?account_uid=${uid}`, operatorToken(t));
    expect(audit.status, audit.text).toBe(200);
    const records = audit.body as Array<{ actor: string; action: string; before: unknown; after: unknown }>;
    expect(records.map((r) => [r.action, r.actor])).toEqual([
      ['label.delete', 'management API: alex'],
      ['label.set', 'management API: alex, jeff'],
    ]);
    expect(records[1]).toMatchObject({ before: { key: 'tier', value: null }, after: { key: 'tier', value: 'gold' } });
  });

  it('refuses a second create of the same key (422), an update or delete of a missing one (404)', async () => {
    const { uid } = await activeAccount(t);
    expect((await call('POST', '/labels', { account_uid: uid, key: 'tier', value: 'gold' })).status).toBe(201);
    const again = await call('POST', '/labels', { account_uid: uid, key: 'tier', value: 'silver' });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ error: 'Key has already been taken' });
    expect(await privateLabels(uid)).toMatchObject({ tier: 'gold' });

    const update = await call('PUT', '/labels', { account_uid: uid, key: 'blocked', value: 'yes' });
    expect(update).toMatchObject({ status: 404, body: { error: 'Record is not found' } });
    const remove = await call('POST', '/labels/delete', { account_uid: uid, key: 'blocked' });
    expect(remove).toMatchObject({ status: 404, body: { error: 'Record is not found' } });
  });

  it('answers 404 for an unknown account and 422 with Grape text for missing or bad data', async () => {
    const missing = await call('POST', '/labels', { account_uid: 'IDNOSUCH0000', key: 'tier', value: 'gold' });
    expect(missing).toMatchObject({ status: 404, body: { error: 'Record is not found' } });
    const updateMissing = await call('PUT', '/labels', { account_uid: 'IDNOSUCH0000', key: 'tier', value: 'gold' });
    expect(updateMissing.status).toBe(404);

    for (const method of ['POST', 'PUT'] as const) {
      const blank = await call(method, '/labels', {});
      expect(blank.status).toBe(422);
      expect(blank.body).toEqual({
        error: 'account_uid is missing, account_uid is empty, key is missing, key is empty, value is missing, value is empty',
      });
    }
    const { uid } = await activeAccount(t);
    const empty = await call('POST', '/labels/delete', { account_uid: uid, key: '' });
    expect(empty).toMatchObject({ status: 422, body: { error: 'key is empty' } });
    const badKey = await call('POST', '/labels', { account_uid: uid, key: 'Bad Key!', value: 'gold' });
    expect(badKey.status).toBe(422);
    expect(await privateLabels(uid)).not.toHaveProperty('Bad Key!');
  });
});

describe('timestamp (scope tools)', () => {
  it('answers the server time in seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await call('POST', '/timestamp', { ignored: true }, [alex]);
    expect(res.status).toBe(200);
    expect(res.body.timestamp).toBeGreaterThanOrEqual(before);
    expect(res.body.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe('users (scope read_users, beyond 1.8)', () => {
  it('reads an account by uid or by email, with its labels, profile and phones', async () => {
    const { uid, email } = await activeAccount(t);
    const byUid = await call('POST', '/users/get', { uid });
    expect(byUid.status).toBe(201);
    expect(byUid.body).toMatchObject({ uid, email, level: 1, labels: [{ key: 'email', value: 'verified', scope: 'private' }], profile: null, phones: [] });
    const byEmail = await call('POST', '/users/get', { email: email.toUpperCase() });
    expect(byEmail.body).toEqual(byUid.body);
  });

  it('needs exactly one of uid and email (422), and answers 404 for no such account', async () => {
    expect((await call('POST', '/users/get', {})).body).toEqual({ error: 'uid, email are missing, exactly one parameter must be provided' });
    expect((await call('POST', '/users/get', { uid: 'IDX', email: 'x@example.com' })).body).toEqual({ error: 'uid, email are mutually exclusive' });
    expect(await call('POST', '/users/get', { email: 'nobody@example.com' })).toMatchObject({ status: 404, body: { error: 'Record is not found' } });
  });

  it('lists accounts page by page', async () => {
    const a = await activeAccount(t);
    const b = await activeAccount(t);
    // Oldest first, 100 a page; other test files add accounts to a shared PostgreSQL, so read to the end.
    const uids: string[] = [];
    for (let page = 1; page <= 1000; page += 1) {
      const res = await call('POST', '/users/list', { page });
      expect(res.status).toBe(200);
      uids.push(...res.body.map((u: { uid: string }) => u.uid));
      if (uids.includes(b.uid) || res.body.length < 100) break;
    }
    expect(uids).toEqual(expect.arrayContaining([a.uid, b.uid]));
    const index = uids.indexOf(a.uid);
    const page = await call('POST', '/users/list', { page: index + 1, limit: 1 });
    expect(page.body.map((u: { uid: string }) => u.uid)).toEqual([a.uid]);
    expect((await call('POST', '/users/list', { limit: 101 })).status).toBe(422);
    expect((await call('POST', '/users/list', { page: 0 })).status).toBe(422);
    expect((await call('POST', '/users/list', { page: 1e300 })).status).toBe(422);
  });
});

describe('the signing helper (scripts/management-sign.ts)', () => {
  it('produces a body the server accepts, from PEM and URL-safe Base64 private keys', async () => {
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'keys-'));
    const alexFile = path.join(dir, 'alex.pem');
    const jeffFile = path.join(dir, 'jeff.b64');
    fs.writeFileSync(alexFile, alex.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(jeffFile, urlSafeBase64(jeff.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()));
    const { uid } = await activeAccount(t);
    const { stdout } = await promisify(execFile)(
      path.resolve('node_modules/.bin/tsx'),
      ['scripts/management-sign.ts', '--signer', `alex=${alexFile}`, '--signer', `jeff=${jeffFile}:ES256`, '--iss', ISS, '--aud', AUD, '--data', JSON.stringify({ uid })],
    );
    const res = await t.api.request('POST', `${API}/users/get`, JSON.parse(stdout));
    expect(res.status, res.text).toBe(201);
    expect(res.body.uid).toBe(uid);
  });
});

describe('without a keychain', () => {
  it('is off: every Management API path answers 404', async () => {
    const off = await createTestApp();
    try {
      const signed = await body({}, [alex]);
      for (const url of ['/timestamp', '/labels', '/labels/delete', '/users/get', '/users/list']) {
        const res = await off.api.request('POST', `${API}${url}`, signed); // held against the document: 404 is declared
        expect(res.status, url).toBe(404);
        expect(res.body).toEqual({ error: 'Not found' });
      }
      expect((await off.app.inject({ method: 'GET', url: `${API}/timestamp` })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  }, 120_000); // a second app on its own database: slow to open on a loaded machine
});
