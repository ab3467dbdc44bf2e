import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { findProfileByAccountId } from '../../src/db/queries/profiles.js';
import { activeAccount, PROFILE } from '../helpers/accounts.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // Every injected request comes from 127.0.0.1: the per-IP sign-in limit would stop the setup.
  t = await createTestApp({ RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
});
afterAll(() => t?.close());

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function accountRow(uid: string) {
  const row = await findAccountByUid(t.services.deps.db, uid);
  expect(row).toBeDefined();
  return row!;
}

describe('POST /api/v1/profiles', () => {
  it('creates the profile (body null) and GET /profiles/me shows it with the date as YYYY-MM-DD', async () => {
    const { token, uid } = await activeAccount(t);
    const res = await t.api.post('/api/v1/profiles', { ...PROFILE, metadata: { state: 'Greater London', floor: 3 } }, { token });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toBeNull();

    const me = await t.api.get('/api/v1/profiles/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ ...PROFILE, metadata: { state: 'Greater London', floor: 3 } });

    const row = await findProfileByAccountId(t.services.deps.db, (await accountRow(uid)).id);
    expect(row).toMatchObject({ ...PROFILE, dob: '1990-04-21' });
  });

  it('accepts a form-urlencoded body; metadata is optional and then null', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.post('/api/v1/profiles', PROFILE, { token, form: true });
    expect(res.status, res.text).toBe(201);
    const me = await t.api.get('/api/v1/profiles/me', { token });
    expect(me.body).toEqual({ ...PROFILE, metadata: null });
  });

  it('stores an alpha-2 or alpha-3 country code upper-cased as given, and trims the fields', async () => {
    const a = await activeAccount(t);
    expect((await t.api.post('/api/v1/profiles', { ...PROFILE, country: 'gbr', city: '  London ' }, { token: a.token })).status).toBe(201);
    expect((await t.api.get('/api/v1/profiles/me', { token: a.token })).body).toMatchObject({ country: 'GBR', city: 'London' });

    const b = await activeAccount(t);
    expect((await t.api.post('/api/v1/profiles', { ...PROFILE, country: 'de' }, { token: b.token })).status).toBe(201);
    expect((await t.api.get('/api/v1/profiles/me', { token: b.token })).body).toMatchObject({ country: 'DE' });
  });

  it('does not change the level or any label', async () => {
    const { token, uid } = await activeAccount(t);
    const before = await accountRow(uid);
    const labelsBefore = await listLabelsByAccountId(t.services.deps.db, before.id);
    expect((await t.api.post('/api/v1/profiles', PROFILE, { token })).status).toBe(201);
    expect((await accountRow(uid)).level).toBe(before.level);
    expect(await listLabelsByAccountId(t.services.deps.db, before.id)).toEqual(labelsBefore);
  });

  it('answers 400 listing every missing parameter, Grape-style', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.post('/api/v1/profiles', {}, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error:
        'first_name is missing, last_name is missing, dob is missing, address is missing, postcode is missing, city is missing, country is missing',
    });
  });

  it('answers 400 "<field> is empty" for empty and for blank (whitespace-only) values', async () => {
    const { token } = await activeAccount(t);
    const empty = await t.api.post('/api/v1/profiles', { ...PROFILE, first_name: '' }, { token });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ error: 'first_name is empty' });

    const blank = await t.api.post('/api/v1/profiles', { ...PROFILE, city: '   ', postcode: '\t' }, { token });
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ error: 'postcode is empty, city is empty' });
    expect((await t.api.get('/api/v1/profiles/me', { token })).status).toBe(404);
  });

  it('answers 400 "dob is invalid" for a date that is not a real YYYY-MM-DD date', async () => {
    const { token } = await activeAccount(t);
    for (const dob of ['21.04.1990', '1990-4-21', '1990-02-30', '1990-13-01', 'yesterday', '0000-01-01']) {
      const res = await t.api.post('/api/v1/profiles', { ...PROFILE, dob }, { token });
      expect(res.status, dob).toBe(400);
      expect(res.body).toEqual({ error: 'dob is invalid' });
    }
  });

  it('answers 422 for a date of birth today or in the future, and for an unknown country', async () => {
    const { token } = await activeAccount(t);
    for (const dob of [isoDay(0), isoDay(1), '2999-01-01']) {
      const res = await t.api.post('/api/v1/profiles', { ...PROFILE, dob }, { token });
      expect(res.status, dob).toBe(422);
      expect(res.body).toEqual({ error: 'Dob must be in the past' });
    }
    for (const country of ['XX', 'UK', 'GBRR', 'G', 'Atlantis']) {
      const res = await t.api.post('/api/v1/profiles', { ...PROFILE, country }, { token });
      expect(res.status, country).toBe(422);
      expect(res.body).toEqual({ error: 'Country is invalid' });
    }
    const both = await t.api.post('/api/v1/profiles', { ...PROFILE, dob: '2999-01-01', country: 'XX' }, { token });
    expect(both.body).toEqual({ error: 'Dob must be in the past, Country is invalid' });
    expect((await t.api.get('/api/v1/profiles/me', { token })).status).toBe(404);
  });

  it('accepts yesterday as a date of birth', async () => {
    const { token } = await activeAccount(t);
    expect((await t.api.post('/api/v1/profiles', { ...PROFILE, dob: isoDay(-1) }, { token })).status).toBe(201);
  });

  it('answers 400 when metadata is not an object', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.post('/api/v1/profiles', { ...PROFILE, metadata: 'plain text' }, { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'metadata is invalid' });
  });

  it('answers 409 "Profile already exists" for a second profile and keeps the first', async () => {
    const { token } = await activeAccount(t);
    expect((await t.api.post('/api/v1/profiles', PROFILE, { token })).status).toBe(201);
    const again = await t.api.post('/api/v1/profiles', { ...PROFILE, first_name: 'Other', country: 'XX' }, { token });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'Profile already exists' });
    expect((await t.api.get('/api/v1/profiles/me', { token })).body.first_name).toBe('Jane');
  });

  it('creates exactly one profile when the same account creates in parallel (unique index)', async () => {
    const { token, uid } = await activeAccount(t);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.api.post('/api/v1/profiles', { ...PROFILE, first_name: `Jane${i}` }, { token })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toEqual({ error: 'Profile already exists' });
    const count = await t.services.deps.db
      .selectFrom('profiles')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', (await accountRow(uid)).id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('answers 401 without a bearer token', async () => {
    const res = await t.api.post('/api/v1/profiles', PROFILE);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'The access token is invalid' });
  });
});

describe('GET /api/v1/profiles/me', () => {
  it('answers 404 "Account has no profile" when none was created', async () => {
    const { token } = await activeAccount(t);
    const res = await t.api.get('/api/v1/profiles/me', { token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Account has no profile' });
  });

  it("shows only the caller's own profile", async () => {
    const a = await activeAccount(t);
    const b = await activeAccount(t);
    await t.api.post('/api/v1/profiles', PROFILE, { token: a.token });
    await t.api.post('/api/v1/profiles', { ...PROFILE, first_name: 'Bob' }, { token: b.token });
    expect((await t.api.get('/api/v1/profiles/me', { token: a.token })).body.first_name).toBe('Jane');
    expect((await t.api.get('/api/v1/profiles/me', { token: b.token })).body.first_name).toBe('Bob');
  });

  it('answers 401 without a bearer token', async () => {
    expect((await t.api.get('/api/v1/profiles/me')).status).toBe(401);
  });
});
