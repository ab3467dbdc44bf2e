import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { activeAccount } from '../helpers/accounts.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // Every injected request comes from 127.0.0.1: the per-IP sign-in limit would stop the setup.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
});
afterAll(() => t?.close());

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Sets a private label the way an operator does. */
async function setPrivate(uid: string, key: string, value: string) {
  const res = await t.api.put(`/api/v1/admin/accounts/${uid}/labels/${key}`, { value }, { headers: { 'x-operator-token': t.operatorToken } });
  expect(res.status, res.text).toBe(200);
}

async function storedLabels(uid: string) {
  const account = await findAccountByUid(t.services.deps.db, uid);
  return (await listLabelsByAccountId(t.services.deps.db, account!.id)).map(({ key, value, scope }) => ({ key, value, scope }));
}

async function level(uid: string) {
  return (await findAccountByUid(t.services.deps.db, uid))!.level;
}

describe('POST /api/v1/labels', () => {
  it('creates a public label, downcasing key and value', async () => {
    const { token, uid } = await activeAccount(t);
    const res = await t.api.post('/api/v1/labels', { key: 'NickName', value: 'Trader_Joe-1' }, { token });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ key: 'nickname', value: 'trader_joe-1', scope: 'public' });
    expect(res.body.created_at).toMatch(ISO_TIME);
    expect(res.body.updated_at).toMatch(ISO_TIME);
    expect(await storedLabels(uid)).toContainEqual({ key: 'nickname', value: 'trader_joe-1', scope: 'public' });
  });

  it('accepts a form-urlencoded body', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token, form: true });
    expect(res.status).toBe(201);
  });

  it("answers 422 with Barong's messages for keys and values that break the rules, and saves nothing", async () => {
    const { token, uid } = await activeAccount(t);
    const cases: Array<[Record<string, string>, string]> = [
      [{ key: 'ab', value: 'fine' }, 'Key is too short (minimum is 3 characters)'],
      [{ key: 'bad key', value: 'fine' }, 'Key is invalid'],
      [{ key: 'a!', value: 'fine' }, 'Key is too short (minimum is 3 characters), Key is invalid'],
      [{ key: 'k'.repeat(256), value: 'fine' }, 'Key is too long (maximum is 255 characters)'],
      [{ key: 'fine', value: 'no' }, 'Value is too short (minimum is 3 characters)'],
      [{ key: 'fine', value: 'not/ok' }, 'Value is invalid'],
      [{ key: 'fine', value: 'ünïcode' }, 'Value is invalid'],
      [{ key: 'x.y', value: 'a b' }, 'Key is invalid, Value is invalid'],
    ];
    for (const [body, error] of cases) {
      const res = await t.api.post('/api/v1/labels', body, { token });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body).toEqual({ error });
    }
    expect((await storedLabels(uid)).filter((l) => l.scope === 'public')).toEqual([]);
  });

  it('accepts keys and values of exactly 3 and 255 characters', async () => {
    const { token } = await activeAccount(t);
    expect((await t.api.post('/api/v1/labels', { key: 'abc', value: 'v'.repeat(255) }, { token })).status).toBe(201);
    expect((await t.api.post('/api/v1/labels', { key: 'k'.repeat(255), value: 'xyz' }, { token })).status).toBe(201);
  });

  it('answers 422 "Key has already been taken" for a duplicate public key, whatever its case', async () => {
    const { token } = await activeAccount(t);
    expect((await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token })).status).toBe(201);
    const res = await t.api.post('/api/v1/labels', { key: 'TIER', value: 'silver' }, { token });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'Key has already been taken' });
  });

  it('creates one label when the same key is created in parallel', async () => {
    const { token, uid } = await activeAccount(t);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.api.post('/api/v1/labels', { key: 'race', value: `value${i}` }, { token })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422).map((r) => r.body.error)).toEqual(Array(4).fill('Key has already been taken'));
    expect((await storedLabels(uid)).filter((l) => l.key === 'race')).toHaveLength(1);
  });

  it('lets a public label share the key of a private one, without changing the level', async () => {
    const { token, uid } = await activeAccount(t);
    expect(await level(uid)).toBe(1);
    for (const key of ['phone', 'document']) {
      expect((await t.api.post('/api/v1/labels', { key, value: 'verified' }, { token })).status).toBe(201);
    }
    expect(await level(uid)).toBe(1);
    expect((await t.api.get('/api/v1/accounts/me', { token })).body.level).toBe(1);
  });

  it('answers 400 for missing or empty parameters and 401 without a token', async () => {
    const { token } = await activeAccount(t);
    const missing = await t.api.post('/api/v1/labels', {}, { token });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'key is missing, key is empty, value is missing, value is empty' });
    const empty = await t.api.post('/api/v1/labels', { key: '', value: 'abc' }, { token });
    expect(empty.body).toEqual({ error: 'key is empty' });
    expect((await t.api.post('/api/v1/labels', { key: 'abc', value: 'abc' })).status).toBe(401);
  });
});

describe('GET /api/v1/labels', () => {
  it('lists the labels of both scopes, in creation order', async () => {
    const { token, uid } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    await setPrivate(uid, 'document', 'pending');
    const res = await t.api.get('/api/v1/labels', { token });
    expect(res.status).toBe(200);
    expect(res.body.map(({ key, value, scope }: any) => ({ key, value, scope }))).toEqual([
      { key: 'email', value: 'verified', scope: 'private' },
      { key: 'tier', value: 'gold', scope: 'public' },
      { key: 'document', value: 'pending', scope: 'private' },
    ]);
  });

  it("shows only the caller's labels", async () => {
    const a = await activeAccount(t);
    const b = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'secret', value: 'of_a' }, { token: a.token });
    const res = await t.api.get('/api/v1/labels', { token: b.token });
    expect(res.body.map((l: any) => l.key)).toEqual(['email']);
    expect((await t.api.get('/api/v1/labels/secret', { token: b.token })).status).toBe(404);
  });

  it('answers 401 without a token', async () => {
    expect((await t.api.get('/api/v1/labels')).status).toBe(401);
  });
});

describe('GET /api/v1/labels/{key}', () => {
  it('returns a public or a private label by key (case-insensitive)', async () => {
    const { token } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    expect((await t.api.get('/api/v1/labels/TIER', { token })).body).toMatchObject({ key: 'tier', value: 'gold', scope: 'public' });
    expect((await t.api.get('/api/v1/labels/email', { token })).body).toMatchObject({ key: 'email', value: 'verified', scope: 'private' });
  });

  it('answers 404 "Record is not found" for an unknown key', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.get('/api/v1/labels/nothing', { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Record is not found' });
  });

  it('prefers the public label when a public and a private one share the key, else the private one', async () => {
    const { token, uid } = await activeAccount(t);
    await setPrivate(uid, 'document', 'pending');
    expect((await t.api.get('/api/v1/labels/document', { token })).body).toMatchObject({ scope: 'private', value: 'pending' });
    await t.api.post('/api/v1/labels', { key: 'document', value: 'mine' }, { token });
    for (let i = 0; i < 3; i++) {
      expect((await t.api.get('/api/v1/labels/document', { token })).body).toMatchObject({ scope: 'public', value: 'mine' });
    }
  });
});

describe('PATCH /api/v1/labels/{key}', () => {
  it('changes the value of a public label (downcased) and its updated_at', async () => {
    const { token, uid } = await activeAccount(t);
    const created = await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    await new Promise((r) => setTimeout(r, 1100));
    const res = await t.api.patch('/api/v1/labels/tier', { value: 'Platinum' }, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ key: 'tier', value: 'platinum', scope: 'public', created_at: created.body.created_at });
    expect(res.body.updated_at > created.body.updated_at).toBe(true);
    expect(await storedLabels(uid)).toContainEqual({ key: 'tier', value: 'platinum', scope: 'public' });
  });

  it('answers 422 for an invalid value and keeps the stored one (Barong said 200 and saved nothing)', async () => {
    const { token, uid } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    for (const [value, error] of [
      ['no', 'Value is too short (minimum is 3 characters)'],
      ['bad value', 'Value is invalid'],
    ]) {
      const res = await t.api.patch('/api/v1/labels/tier', { value }, { token });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error });
    }
    expect(await storedLabels(uid)).toContainEqual({ key: 'tier', value: 'gold', scope: 'public' });
  });

  it('refuses a private label with 400 "Can\'t update Label." and leaves it and the level alone', async () => {
    const { token, uid } = await activeAccount(t);
    const res = await t.api.patch('/api/v1/labels/email', { value: 'rejected' }, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Can't update Label." });
    expect(await storedLabels(uid)).toContainEqual({ key: 'email', value: 'verified', scope: 'private' });
    expect(await level(uid)).toBe(1);
  });

  it('changes the public label when a private one shares the key, never the private one', async () => {
    const { token, uid } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'email', value: 'mine' }, { token });
    const res = await t.api.patch('/api/v1/labels/email', { value: 'changed' }, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: 'public', value: 'changed' });
    expect(await storedLabels(uid)).toEqual(
      expect.arrayContaining([
        { key: 'email', value: 'verified', scope: 'private' },
        { key: 'email', value: 'changed', scope: 'public' },
      ]),
    );
    expect(await level(uid)).toBe(1);
  });

  it('answers 404 for an unknown key and 400 for a missing value', async () => {
    const { token } = await activeAccount(t);
    const unknown = await t.api.patch('/api/v1/labels/nothing', { value: 'abc' }, { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'Record is not found' });
    const missing = await t.api.patch('/api/v1/labels/tier', {}, { token });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'value is missing, value is empty' });
  });
});

describe('DELETE /api/v1/labels/{key}', () => {
  it('deletes a public label (204, no body)', async () => {
    const { token, uid } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token });
    const res = await t.api.delete('/api/v1/labels/tier', { token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await storedLabels(uid)).map((l) => l.key)).toEqual(['email']);
    expect((await t.api.delete('/api/v1/labels/tier', { token })).status).toBe(404);
  });

  it('refuses a private label with 400 "Can\'t update Label." (the level stays)', async () => {
    const { token, uid } = await activeAccount(t);
    const res = await t.api.delete('/api/v1/labels/email', { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "Can't update Label." });
    expect(await storedLabels(uid)).toEqual([{ key: 'email', value: 'verified', scope: 'private' }]);
    expect(await level(uid)).toBe(1);
  });

  it('deletes the public label when a private one shares the key; then the key names the private one', async () => {
    const { token, uid } = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'email', value: 'mine' }, { token });
    expect((await t.api.delete('/api/v1/labels/email', { token })).status).toBe(204);
    expect(await storedLabels(uid)).toEqual([{ key: 'email', value: 'verified', scope: 'private' }]);
    expect((await t.api.get('/api/v1/labels/email', { token })).body).toMatchObject({ scope: 'private' });
    expect((await t.api.delete('/api/v1/labels/email', { token })).status).toBe(400);
  });

  it("cannot delete another account's label", async () => {
    const a = await activeAccount(t);
    const b = await activeAccount(t);
    await t.api.post('/api/v1/labels', { key: 'tier', value: 'gold' }, { token: a.token });
    expect((await t.api.delete('/api/v1/labels/tier', { token: b.token })).status).toBe(404);
    expect(await storedLabels(a.uid)).toContainEqual({ key: 'tier', value: 'gold', scope: 'public' });
  });

  it('answers 401 without a token', async () => {
    expect((await t.api.delete('/api/v1/labels/tier')).status).toBe(401);
  });
});
