/** Journeys the API tests build on: sign-up through the API, confirmation from the received mail. */
import { expect } from 'vitest';
import { findApplicationByUid, listApplications } from '../../src/db/queries/applications.js';
import { linkToken } from './mail-sink.js';
import { PASSWORD, uniqueEmail, type TestApp } from './test-app.js';

export async function defaultApplicationId(t: TestApp): Promise<string> {
  const [first] = await listApplications(t.services.deps.db);
  expect(first).toBeDefined();
  expect(await findApplicationByUid(t.services.deps.db, first.uid)).toBeDefined();
  return first.uid;
}

export async function signUp(t: TestApp, email = uniqueEmail(), password = PASSWORD) {
  const res = await t.api.post('/api/v1/accounts', { email, password });
  expect(res.status, res.text).toBe(201);
  return { email, password };
}

export async function confirmationTokenFor(t: TestApp, email: string): Promise<string> {
  const mail = await t.mail.next(email, 'Confirmation instructions');
  return linkToken(mail, 'confirmation_token');
}

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<string> {
  const res = await t.api.post('/api/v1/sessions', {
    email,
    password,
    application_id: await defaultApplicationId(t),
  });
  expect(res.status, res.text).toBe(201);
  return res.body as string;
}

/** A confirmed account with a session token. */
export async function activeAccount(t: TestApp, email = uniqueEmail(), password = PASSWORD) {
  await signUp(t, email, password);
  const confirm = await t.api.post('/api/v1/accounts/confirm', { confirmation_token: await confirmationTokenFor(t, email) });
  expect(confirm.status, confirm.text).toBe(201);
  const token = await signIn(t, email, password);
  const me = await t.api.get('/api/v1/accounts/me', { token });
  return { email, password, token, uid: me.body.uid as string };
}

/** A complete KYC profile, as a client sends it to POST /v1/profiles. */
export const PROFILE = {
  first_name: 'Jane',
  last_name: 'Doe',
  dob: '1990-04-21',
  address: '12 Baker Street',
  postcode: 'NW1 6XE',
  city: 'London',
  country: 'GB',
};
