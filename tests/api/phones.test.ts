import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import { listLabelsByAccountId } from '../../src/db/queries/labels.js';
import { findPhone } from '../../src/db/queries/phones.js';
import { activeAccount } from '../helpers/accounts.js';
import { startSmsSink, TWILIO_TEST_CREDENTIALS, type SmsSink } from '../helpers/sms-sink.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const SENT = { message: 'Code was sent successfully' };
const VERIFIED = { message: 'Phone was verified successfully' };
const INVALID = { error: 'Phone number is invalid' };
const TAKEN = { error: 'Phone number is already exists' };
const WRONG_CODE = { error: 'Phone is not found or verification code is invalid' };
const CODE_IN_SMS = /^Your verification code for Barong: (\d{5})$/;

let t: TestApp;
let sms: SmsSink;
beforeAll(async () => {
  sms = await startSmsSink();
  t = await createTestApp({ ...sms.env, RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
});
afterAll(async () => {
  await t?.close();
  await sms?.close();
});

let counter = 0;
/**
 * A valid UK mobile number nobody has used yet. Numbers must be fresh on every run: on PostgreSQL
 * the database outlives the run, and a verified number can never be added again.
 */
function uniqueNumber(): { e164: string; digits: string } {
  for (;;) {
    counter += 1;
    const tail = String((Date.now() * 7 + process.pid * 131 + counter * 7919 + Math.floor(Math.random() * 1e6)) % 1e6).padStart(6, '0');
    const parsed = parsePhoneNumberFromString(`+447911${tail}`);
    if (parsed?.isValid()) return { e164: parsed.number, digits: parsed.number.slice(1) };
  }
}

async function accountRow(uid: string) {
  const row = await findAccountByUid(t.services.deps.db, uid);
  expect(row).toBeDefined();
  return row!;
}

async function phoneRow(uid: string, digits: string) {
  return findPhone(t.services.deps.db, (await accountRow(uid)).id, digits);
}

/** Adds the number and returns the code read from the SMS that arrived. */
async function addAndReceive(token: string, e164: string, endpoint = '/api/v1/phones'): Promise<string> {
  const res = await t.api.post(endpoint, { phone_number: e164 }, { token });
  expect(res.status, res.text).toBe(201);
  expect(res.body).toEqual(SENT);
  const message = await sms.next(e164);
  const match = message.body.match(CODE_IN_SMS);
  expect(match, message.body).not.toBeNull();
  return match![1];
}

describe('POST /api/v1/phones', () => {
  it('registers the number and sends a 5-digit code through Twilio', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const res = await t.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(SENT);

    const message = await sms.next(e164);
    expect(message.to).toBe(e164);
    expect(message.from).toBe(TWILIO_TEST_CREDENTIALS.TWILIO_PHONE_NUMBER);
    expect(message.body).toMatch(CODE_IN_SMS);

    const row = await phoneRow(account.uid, digits);
    expect(row).toMatchObject({ number: digits, validated_at: null, code_attempts: 0 });
    expect(['GB', 'GG', 'JE', 'IM']).toContain(row!.country);
    expect(row!.code_expires_at!.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(row!.code_expires_at!.getTime()).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
  });

  it('stores only a keyed digest of the code, never the code', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const row = await phoneRow(account.uid, digits);
    expect(row!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);
  });

  it('strips punctuation and stores E.164 digits without "+" (one row per account and number)', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const spaced = `+44 (7911) ${digits.slice(6, 9)}-${digits.slice(9)}`;
    expect((await t.api.post('/api/v1/phones', { phone_number: spaced }, { token: account.token })).status).toBe(201);
    await sms.next(e164);
    // Barong read digits without '+' as an international number too.
    const res = await t.api.post('/api/v1/phones', { phone_number: digits }, { token: account.token });
    expect(res.status).toBe(201);
    await sms.next(e164);
    const rows = await t.services.deps.db.selectFrom('phones').selectAll().where('number', '=', digits).execute();
    expect(rows).toHaveLength(1);
  });

  it('accepts a form-urlencoded body', async () => {
    const account = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const res = await t.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token, form: true });
    expect(res.status).toBe(201);
    await sms.next(e164);
  });

  it('answers 400 "Phone number is invalid" for numbers that do not parse or are not valid', async () => {
    const account = await activeAccount(t);
    for (const phone_number of ['123', 'not a number', '+44 7911', '+999 123456789', '+4479111234567', '0'.repeat(40)]) {
      const res = await t.api.post('/api/v1/phones', { phone_number }, { token: account.token });
      expect(res.status, phone_number).toBe(400);
      expect(res.body).toEqual(INVALID);
    }
  });

  it('answers 400 Grape-style when phone_number is missing or empty', async () => {
    const account = await activeAccount(t);
    expect((await t.api.post('/api/v1/phones', {}, { token: account.token })).body).toEqual({ error: 'phone_number is missing, phone_number is empty' });
    expect((await t.api.post('/api/v1/phones', { phone_number: '' }, { token: account.token })).body).toEqual({
      error: 'phone_number is empty',
    });
  });

  it('does not tell an anonymous caller whether a number is verified (authentication comes first)', async () => {
    const owner = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(owner.token, e164);
    expect((await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: owner.token })).status).toBe(201);

    for (const [url, body] of [
      ['/api/v1/phones', { phone_number: e164 }],
      ['/api/v1/phones/send_code', { phone_number: e164 }],
      ['/api/v1/phones/verify', { phone_number: e164, verification_code: code }],
    ] as const) {
      const res = await t.api.post(url, body);
      expect(res.status, url).toBe(401);
      expect(res.body).toEqual({ error: 'The access token is invalid' });
    }
  });
});

describe('POST /api/v1/phones/verify', () => {
  it('verifies with the code from the SMS: validated_at, private label phone:verified, level 1 -> 2', async () => {
    const account = await activeAccount(t);
    expect((await t.api.get('/api/v1/accounts/me', { token: account.token })).body.level).toBe(1);
    const { e164, digits } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);

    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(VERIFIED);

    const row = await phoneRow(account.uid, digits);
    expect(row!.validated_at).toBeInstanceOf(Date);
    expect(row!.code_hash).toBeNull();
    const labels = await listLabelsByAccountId(t.services.deps.db, (await accountRow(account.uid)).id);
    expect(labels.filter((l) => l.key === 'phone').map((l) => [l.value, l.scope])).toEqual([['verified', 'private']]);
    expect((await t.api.get('/api/v1/accounts/me', { token: account.token })).body.level).toBe(2);
  });

  it('answers 404 for a wrong code and for a number not on the account', async () => {
    const account = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const wrong = code === '00000' ? '00001' : '00000';
    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: wrong }, { token: account.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(WRONG_CODE);

    const other = uniqueNumber();
    const missing = await t.api.post('/api/v1/phones/verify', { phone_number: other.e164, verification_code: code }, { token: account.token });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(WRONG_CODE);
  });

  it("refuses another account's code: a code only verifies the account it was sent for", async () => {
    const owner = await activeAccount(t);
    const intruder = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(owner.token, e164);
    let own = await addAndReceive(intruder.token, e164);
    // The intruder's own code must differ for the test to mean anything (a 1-in-100000 draw).
    while (own === code) own = await addAndReceive(intruder.token, e164, '/api/v1/phones/send_code');
    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: intruder.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(WRONG_CODE);
  });

  it('kills the code after 5 wrong attempts (brute force): even the right code then fails', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const wrong = (n: number) => String((Number(code) + n) % 100000).padStart(5, '0');
    for (let i = 1; i <= 5; i++) {
      const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: wrong(i) }, { token: account.token });
      expect(res.status).toBe(404);
    }
    const right = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(right.status).toBe(404);
    expect(right.body).toEqual(WRONG_CODE);
    expect((await phoneRow(account.uid, digits))!.validated_at).toBeNull();

    // A new code (send_code) works again.
    const fresh = await addAndReceive(account.token, e164, '/api/v1/phones/send_code');
    const ok = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: fresh }, { token: account.token });
    expect(ok.status).toBe(201);
  });

  it('holds the 5-attempt limit under 50 parallel guesses (race): 5 are checked, then the code is dead', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const guesses = Array.from({ length: 50 }, (_, i) => String((Number(code) + i + 1) % 100000).padStart(5, '0'));
    const results = await Promise.all(
      guesses.map((g) => t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: g }, { token: account.token })),
    );
    // 404 for the guesses that got to the code (the 5 checked and the ones after it died), 429 past
    // RATE_LIMIT_PHONE_VERIFY_PER_ACCOUNT.
    expect(results.every((r) => r.status === 404 || r.status === 429)).toBe(true);
    expect((await phoneRow(account.uid, digits))!.code_attempts).toBe(5);
    const right = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect([404, 429]).toContain(right.status);
    expect((await phoneRow(account.uid, digits))!.validated_at).toBeNull();
  });

  it('answers 404 once the code expired (10 minutes)', async () => {
    const account = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const row = await phoneRow(account.uid, digits);
    await t.services.deps.db
      .updateTable('phones')
      .set({ code_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', row!.id)
      .execute();
    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(WRONG_CODE);
  });

  it('verifies exactly once when the same code is sent twice in parallel (replay race)', async () => {
    const account = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([400, 404]).toContain(r.status);
    }
    expect((await t.api.get('/api/v1/accounts/me', { token: account.token })).body.level).toBe(2);
  });

  it('lets only one of two accounts verify the same number at the same moment (race)', async () => {
    const first = await activeAccount(t);
    const second = await activeAccount(t);
    const { e164, digits } = uniqueNumber();
    const code1 = await addAndReceive(first.token, e164);
    const code2 = await addAndReceive(second.token, e164);
    const results = await Promise.all([
      t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code1 }, { token: first.token }),
      t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code2 }, { token: second.token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(results.find((r) => r.status === 400)!.body).toEqual(TAKEN);
    const verified = await t.services.deps.db
      .selectFrom('phones')
      .select('id')
      .where('number', '=', digits)
      .where('validated_at', 'is not', null)
      .execute();
    expect(verified).toHaveLength(1);
  });

  it('answers 400 "Phone number is already exists" for a number verified on any account, on every endpoint', async () => {
    const owner = await activeAccount(t);
    const other = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(owner.token, e164);
    expect((await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: owner.token })).status).toBe(201);

    for (const token of [owner.token, other.token]) {
      for (const [url, body] of [
        ['/api/v1/phones', { phone_number: e164 }],
        ['/api/v1/phones/send_code', { phone_number: e164 }],
        ['/api/v1/phones/verify', { phone_number: e164, verification_code: code }],
      ] as const) {
        const res = await t.api.post(url, body, { token });
        expect(res.status, url).toBe(400);
        expect(res.body).toEqual(TAKEN);
      }
    }
  });
});

describe('POST /api/v1/phones/send_code', () => {
  it('sends a new code; the previous one stops working', async () => {
    const account = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const first = await addAndReceive(account.token, e164);
    let second = await addAndReceive(account.token, e164, '/api/v1/phones/send_code');
    while (second === first) second = await addAndReceive(account.token, e164, '/api/v1/phones/send_code');
    const old = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: first }, { token: account.token });
    expect(old.status).toBe(404);
    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: second }, { token: account.token });
    expect(res.status).toBe(201);
  });

  it('answers 404 "Record is not found" for a number not registered on the account', async () => {
    const owner = await activeAccount(t);
    const other = await activeAccount(t);
    const { e164 } = uniqueNumber();
    await addAndReceive(owner.token, e164);
    const res = await t.api.post('/api/v1/phones/send_code', { phone_number: e164 }, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Record is not found' });
  });

  it('answers 400 for an invalid number', async () => {
    const account = await activeAccount(t);
    const res = await t.api.post('/api/v1/phones/send_code', { phone_number: '12' }, { token: account.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID);
  });
});

describe('rate limits (SMS bombing, code guessing)', () => {
  it('allows 5 codes per account per hour, then 429 with Retry-After', async () => {
    const account = await activeAccount(t);
    for (let i = 0; i < 5; i++) await addAndReceive(account.token, uniqueNumber().e164);
    const before = sms.received.length;
    const res = await t.api.post('/api/v1/phones', { phone_number: uniqueNumber().e164 }, { token: account.token });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: 'Too many requests, please try again later' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(sms.received.length).toBe(before);
  });

  it('allows 30 verification requests per account per hour, then 429 with Retry-After', async () => {
    const account = await activeAccount(t);
    const { e164 } = uniqueNumber();
    const code = await addAndReceive(account.token, e164);
    const wrong = code === '00000' ? '00001' : '00000';
    for (let i = 0; i < 30; i++) {
      const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: wrong }, { token: account.token });
      expect(res.status).toBe(404);
    }
    const res = await t.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('allows 5 codes per number per hour, whichever accounts ask', async () => {
    const first = await activeAccount(t);
    const second = await activeAccount(t);
    const { e164 } = uniqueNumber();
    for (let i = 0; i < 3; i++) await addAndReceive(first.token, e164);
    await addAndReceive(second.token, e164);
    await addAndReceive(second.token, e164, '/api/v1/phones/send_code');
    const res = await t.api.post('/api/v1/phones/send_code', { phone_number: e164 }, { token: second.token });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

/** A Twilio stand-in that records each request (path, auth, form) and then fails it. */
async function startBrokenTwilio() {
  const requests: { path: string; authorization: string; form: URLSearchParams }[] = [];
  let mode: 'error-500' | 'hang-up' = 'error-500';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization ?? '',
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      if (mode === 'hang-up') return req.socket.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    setMode: (m: typeof mode) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('when Twilio fails', () => {
  let broken: Awaited<ReturnType<typeof startBrokenTwilio>>;
  let b: TestApp;
  beforeAll(async () => {
    broken = await startBrokenTwilio();
    b = await createTestApp({ ...TWILIO_TEST_CREDENTIALS, TWILIO_API_URL: broken.url, APP_NAME: 'Acme', RATE_LIMIT_SIGN_IN_PER_IP: '1000/60' });
  });
  afterAll(async () => {
    await b?.close();
    await broken?.close();
  });

  it("speaks Twilio's Messages API: path, HTTP Basic auth and the form fields To, From, Body", async () => {
    const account = await activeAccount(b);
    const { e164 } = uniqueNumber();
    await b.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token });
    const request = broken.requests.at(-1)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${TWILIO_TEST_CREDENTIALS.TWILIO_ACCOUNT_SID}/Messages.json`);
    const [scheme, encoded] = request.authorization.split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(encoded, 'base64').toString()).toBe(
      `${TWILIO_TEST_CREDENTIALS.TWILIO_ACCOUNT_SID}:${TWILIO_TEST_CREDENTIALS.TWILIO_AUTH_TOKEN}`,
    );
    expect(request.form.get('To')).toBe(e164);
    expect(request.form.get('From')).toBe(TWILIO_TEST_CREDENTIALS.TWILIO_PHONE_NUMBER);
    expect(request.form.get('Body')).toMatch(/^Your verification code for Acme: \d{5}$/);
  });

  it('answers 502 "Something wrong with Twilio Client" on a 500, and the code it tried to send is withdrawn', async () => {
    broken.setMode('error-500');
    const account = await activeAccount(b);
    const { e164, digits } = uniqueNumber();
    const res = await b.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'Something wrong with Twilio Client' });

    const code = broken.requests.at(-1)!.form.get('Body')!.match(/(\d{5})$/)![1];
    const row = await findPhone(b.services.deps.db, (await findAccountByUid(b.services.deps.db, account.uid))!.id, digits);
    expect(row).toMatchObject({ code_hash: null, code_expires_at: null, validated_at: null });
    const verify = await b.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(verify.status).toBe(404);
    expect(verify.body).toEqual(WRONG_CODE);
  });

  it('answers 502 when the connection fails, also on send_code', async () => {
    broken.setMode('hang-up');
    const account = await activeAccount(b);
    const { e164 } = uniqueNumber();
    expect((await b.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token })).status).toBe(502);
    const res = await b.api.post('/api/v1/phones/send_code', { phone_number: e164 }, { token: account.token });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'Something wrong with Twilio Client' });
  });
});

describe('without Twilio (outbox)', () => {
  let o: TestApp;
  beforeAll(async () => {
    o = await createTestApp();
  });
  afterAll(() => o?.close());

  it('writes each SMS as a text file under DATA_DIR/outbox/, and its code verifies', async () => {
    const account = await activeAccount(o);
    const { e164 } = uniqueNumber();
    const res = await o.api.post('/api/v1/phones', { phone_number: e164 }, { token: account.token });
    expect(res.status).toBe(201);

    const outbox = path.join(o.dataDir, 'outbox');
    const files = fs.readdirSync(outbox).filter((f) => f.endsWith('.sms.txt'));
    expect(files).toHaveLength(1);
    const text = fs.readFileSync(path.join(outbox, files[0]), 'utf8');
    expect(text).toContain(`To: ${e164}`);
    const code = text.match(/Your verification code for Barong: (\d{5})/)![1];
    expect(fs.statSync(path.join(outbox, files[0])).mode & 0o777).toBe(0o600);

    const verify = await o.api.post('/api/v1/phones/verify', { phone_number: e164, verification_code: code }, { token: account.token });
    expect(verify.status).toBe(201);
  });
});
