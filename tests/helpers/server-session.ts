/** A confirmed account and its session on a server process (over HTTP, the mail over real SMTP). */
import { expect } from 'vitest';
import { linkToken, type MailSink } from './mail-sink.js';
import { PASSWORD, uniqueEmail } from './test-app.js';

export const E2E_APPLICATION_ID = 'e2e-application-0001';

export async function postJson(url: string, body: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** What a server process needs for activeSession: its mail goes to `mail`, and the e2e application. */
export function sessionServerEnv(mail: MailSink): Record<string, string> {
  return { SMTP_ADDRESS: '127.0.0.1', SMTP_PORT: String(mail.port), DEFAULT_APPLICATION_UID: E2E_APPLICATION_ID };
}

/** Needs a server started with sessionServerEnv(mail). */
export async function activeSession(serverUrl: string, mail: MailSink, email = uniqueEmail('e2e')): Promise<string> {
  expect((await postJson(`${serverUrl}/api/v1/accounts`, { email, password: PASSWORD })).status).toBe(201);
  const token = linkToken(await mail.next(email, 'Confirmation instructions', 15_000), 'confirmation_token');
  expect((await postJson(`${serverUrl}/api/v1/accounts/confirm`, { confirmation_token: token })).status).toBe(201);
  const session = await postJson(`${serverUrl}/api/v1/sessions`, { email, password: PASSWORD, application_id: E2E_APPLICATION_ID });
  expect(session.status).toBe(201);
  return session.body as string;
}
