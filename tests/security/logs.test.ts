/** Threat: secrets leaking into logs (passwords, tokens, codes) where operators and log pipelines read them. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeAccount, confirmationTokenFor, signUp } from '../helpers/accounts.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
const lines: string[] = [];
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  t = await createTestApp({}, { logStream: stream });
});
afterAll(() => t?.close());

describe('logs', () => {
  it('carry request ids but never passwords, tokens or codes', async () => {
    const { email } = await signUp(t, undefined, 'Leaky123secret');
    const confirmation = await confirmationTokenFor(t, email);
    await t.api.post('/api/v1/accounts/confirm', { confirmation_token: confirmation });
    const account = await activeAccount(t);
    await t.api.get('/api/v1/accounts/me', { token: account.token });
    await t.api.get('/api/v1/api_keys?totp_code=654321', { token: account.token });
    await t.api.post('/api/v1/sessions', { email, password: 'Wrong-Secret-77', application_id: 'x' });

    const log = lines.join('');
    expect(log).toContain('"reqId"');
    for (const secret of ['Leaky123secret', PASSWORD, 'Wrong-Secret-77', confirmation, account.token, '654321']) {
      expect(log).not.toContain(secret);
    }
  });

  it('answer with the request id in a header, and keep a sane id given by the client', async () => {
    const res = await t.api.get('/api/v1/health/alive', { headers: { 'x-request-id': 'trace-42' } });
    expect(res.headers['x-request-id']).toBe('trace-42');
    const generated = await t.api.get('/api/v1/health/alive', { headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
