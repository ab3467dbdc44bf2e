/**
 * The whole user journey through the generated TypeScript client (sdk/typescript) against a real
 * server process: sign up → confirm from the mail → sign in → /me → 2FA → API key → profile →
 * phone → document → labels → KYC approval. There is no hand-written request code: every call is
 * typed by the SDK, so this file stops compiling when the spec and the client disagree.
 *
 * Every response is held against the OpenAPI document (tests/helpers/contract.ts). With PRISM=1
 * the client talks to Stoplight Prism (`prism proxy --errors`) in front of the server, so an
 * independent validator checks every request and response too; any violation fails the test.
 */
import { generateKeyPairSync, randomInt, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { generate as totp } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBarongClient, type BarongClient, type Middleware } from '../../sdk/typescript/src/index.js';
import { PROFILE } from '../helpers/accounts.js';
import { assertMatchesContract } from '../helpers/contract.js';
import { linkToken, startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { startPrismProxy, startServerProcess, type PrismProxy, type ServerProcess } from '../helpers/server-process.js';
import { startSmsSink, type SmsSink } from '../helpers/sms-sink.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const VIA_PRISM = process.env.PRISM === '1';
/**
 * A minimal one-page PDF. It is plain ASCII on purpose: Prism's proxy reads request and response
 * bodies as UTF-8 text, which would mangle the bytes of a binary image on their way through it.
 */
const PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n'),
  'ascii',
);

/** A valid UK mobile number, new on every run (a verified number can never be added again). */
function freshMobileNumber(): string {
  for (;;) {
    const number = `+44 7911 ${String(randomInt(1_000_000)).padStart(6, '0')}`;
    if (parsePhoneNumberFromString(number.replace(/\s/g, ''))?.isValid()) return number;
  }
}

/** Fails the call on any response that breaks the contract, by our validator and (PRISM=1) by Prism's. */
const contract: Middleware = {
  async onResponse({ request, response }) {
    const body = await response.clone().text();
    const contentType = response.headers.get('content-type') ?? '';
    if (VIA_PRISM) {
      if (contentType.startsWith('application/problem+json')) {
        throw new Error(`prism: ${request.method} ${request.url} answered ${response.status}: ${body}`);
      }
      const violations = response.headers.get('sl-violations');
      if (violations) throw new Error(`prism: ${request.method} ${request.url} (${response.status}) violates the document: ${violations}`);
    }
    assertMatchesContract(request.method, new URL(request.url).pathname, response.status, contentType, body);
  },
};

describe(`the user journey through the TypeScript SDK${VIA_PRISM ? ', validated by Prism' : ''}`, () => {
  let mail: MailSink;
  let sms: SmsSink;
  let server: ServerProcess;
  let prism: PrismProxy | undefined;
  let baseUrl: string;

  const client = (token?: string): BarongClient => createBarongClient(baseUrl, { token, middleware: [contract] });
  const admin = (): BarongClient =>
    createBarongClient(baseUrl, { operatorToken: server.operatorToken(), middleware: [contract] });

  // What the journey carries from step to step.
  const email = uniqueEmail('journey');
  const phoneNumber = freshMobileNumber();
  let applicationId: string;
  let token: string;
  let uid: string;
  let totpSecret: string;
  let apiKeyUid: string;
  const botKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  /** A TOTP code of a time step after the last one used (the server accepts each step once, ±1 step of drift). */
  let lastStep = 0;
  async function nextCode(): Promise<string> {
    for (;;) {
      const current = Math.floor(Date.now() / 30_000);
      const step = Math.max(lastStep + 1, current - 1);
      if (step <= current + 1) {
        lastStep = step;
        return totp({ secret: totpSecret, epoch: step * 30 });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  beforeAll(async () => {
    mail = await startMailSink();
    sms = await startSmsSink();
    server = await startServerProcess({
      env: {
        SMTP_ADDRESS: '127.0.0.1',
        SMTP_PORT: String(mail.port),
        FRONTEND_DOMAIN: 'https://exchange.example',
        ...sms.env,
      },
    });
    prism = VIA_PRISM ? await startPrismProxy(server.url) : undefined;
    baseUrl = prism?.url ?? server.url;
  }, 120_000);

  afterAll(async () => {
    await prism?.stop();
    await server?.stop();
    await sms?.close();
    await mail?.close();
  });

  it.runIf(VIA_PRISM)('goes through Prism, which refuses a request that breaks the document', async () => {
    // The one deliberately untyped call: a body without the required password.
    const call = client().POST('/v1/accounts', { body: { email } as never });
    await expect(call).rejects.toThrow(/prism: POST .*\/api\/v1\/accounts answered 422: .*password/);
  });

  it('serves the compliance console from the package (also from the compiled dist/)', async () => {
    const res = await fetch(`${server.url}/admin/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<!doctype html>');
  });

  it('serves the public keys at the root (a path-level server)', async () => {
    const { data, response } = await client().GET('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(data!.keys.length).toBeGreaterThan(0);
  });

  it('signs up and confirms the email from the mailed link', async () => {
    const signUp = await client().POST('/v1/accounts', { body: { email, password: PASSWORD } });
    expect(signUp.response.status, JSON.stringify(signUp.error)).toBe(201);

    const confirmationToken = linkToken(await mail.next(email, 'Confirmation instructions'), 'confirmation_token');
    const confirm = await client().POST('/v1/accounts/confirm', { body: { confirmation_token: confirmationToken } });
    expect(confirm.response.status, JSON.stringify(confirm.error)).toBe(201);
  });

  it('signs in with the application the operator lists', async () => {
    const apps = await admin().GET('/v1/admin/applications');
    expect(apps.response.status, JSON.stringify(apps.error)).toBe(200);
    applicationId = apps.data![0].uid;

    const signIn = await client().POST('/v1/sessions', { body: { email, password: PASSWORD, application_id: applicationId } });
    expect(signIn.response.status, JSON.stringify(signIn.error)).toBe(201);
    token = signIn.data!;

    const me = await client(token).GET('/v1/accounts/me');
    expect(me.data).toMatchObject({ email, role: 'member', level: 1, state: 'active', otp_enabled: false });
    uid = me.data!.uid;
  });

  it('turns on 2FA with a code from the QR secret, then needs a code to sign in', async () => {
    const qr = await client(token).POST('/v1/security/generate_qrcode');
    expect(qr.response.status, JSON.stringify(qr.error)).toBe(201);
    totpSecret = new URL(qr.data!.data.url).searchParams.get('secret')!;
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);

    const enable = await client(token).POST('/v1/security/enable_2fa', { body: { code: await nextCode() } });
    expect(enable.response.status, JSON.stringify(enable.error)).toBe(201);
    expect((await client(token).GET('/v1/accounts/me')).data!.otp_enabled).toBe(true);

    const withoutCode = await client().POST('/v1/sessions', { body: { email, password: PASSWORD, application_id: applicationId } });
    expect(withoutCode.response.status).toBe(403);
    const signIn = await client().POST('/v1/sessions', {
      body: { email, password: PASSWORD, application_id: applicationId, otp_code: await nextCode() },
    });
    expect(signIn.response.status, JSON.stringify(signIn.error)).toBe(201);
    token = signIn.data!;
  });

  it('creates an API key and a bot signs in with it', async () => {
    const publicKey = Buffer.from(botKeys.publicKey.export({ type: 'spki', format: 'pem' })).toString('base64url');
    const created = await client(token).POST('/v1/api_keys', {
      body: { public_key: publicKey, scopes: 'trade', expires_in: 3600, totp_code: await nextCode() },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    expect(created.data).toMatchObject({ scopes: 'trade', expires_in: 3600, state: 'active' });
    apiKeyUid = created.data!.uid;

    const now = Math.floor(Date.now() / 1000);
    const jwtToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('api_key_jwt')
      .setIssuer('external')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti(randomUUID())
      .sign(botKeys.privateKey);
    const session = await client().POST('/v1/sessions/generate_jwt', { body: { kid: apiKeyUid, jwt_token: jwtToken } });
    expect(session.response.status, JSON.stringify(session.error)).toBe(201);
    expect(session.data!.token.split('.')).toHaveLength(3);

    const state = await client().POST('/v1/security/verify_api_key', { body: { uid: apiKeyUid, account_uid: uid } });
    expect(state.response.status, JSON.stringify(state.error)).toBe(201);
    expect(state.data).toEqual({ state: 'active' });
  });

  it('fills in the KYC profile', async () => {
    const profile = PROFILE;
    const created = await client(token).POST('/v1/profiles', { body: profile });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);

    const me = await client(token).GET('/v1/profiles/me');
    expect(me.response.status, JSON.stringify(me.error)).toBe(200);
    expect(me.data).toMatchObject(profile);
  });

  it('verifies a phone with the code received by SMS (level 2)', async () => {
    const added = await client(token).POST('/v1/phones', { body: { phone_number: phoneNumber } });
    expect(added.response.status, JSON.stringify(added.error)).toBe(201);

    const message = await sms.next(phoneNumber);
    const code = message.body.match(/(\d{5})\s*$/)?.[1];
    expect(code, message.body).toBeDefined();
    const verified = await client(token).POST('/v1/phones/verify', { body: { phone_number: phoneNumber, verification_code: code! } });
    expect(verified.response.status, JSON.stringify(verified.error)).toBe(201);
    expect((await client(token).GET('/v1/accounts/me')).data!.level).toBe(2);
  });

  it('uploads an identity document and downloads it back', async () => {
    const upload = await client(token).POST('/v1/documents', {
      body: {
        doc_type: 'Passport',
        doc_number: 'AA1234BB',
        doc_expire: '2030-01-22',
        upload: new File([new Uint8Array(PDF)], 'passport.pdf', { type: 'application/pdf' }),
      },
    });
    expect(upload.response.status, JSON.stringify(upload.error)).toBe(201);
    expect(upload.data).toMatchObject({ doc_type: 'Passport', doc_number: 'AA1234BB', doc_expire: '2030-01-22' });
    const documentId = upload.data!.id;

    const list = await client(token).GET('/v1/documents');
    expect(list.data!.map((d) => d.id)).toEqual([documentId]);

    const file = await client(token).GET('/v1/documents/{id}/file', { params: { path: { id: documentId } }, parseAs: 'arrayBuffer' });
    expect(file.response.status).toBe(200);
    expect(file.response.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(Buffer.from(file.data as ArrayBuffer).equals(PDF)).toBe(true);
  });

  it('reads its KYC labels and manages a public label', async () => {
    const labels = await client(token).GET('/v1/labels');
    expect(labels.response.status, JSON.stringify(labels.error)).toBe(200);
    const byKey = Object.fromEntries(labels.data!.map((l) => [l.key, l]));
    expect(byKey.email).toMatchObject({ value: 'verified', scope: 'private' });
    expect(byKey.phone).toMatchObject({ value: 'verified', scope: 'private' });
    expect(byKey.document).toMatchObject({ value: 'pending', scope: 'private' });

    const created = await client(token).POST('/v1/labels', { body: { key: 'nickname', value: 'trader_joe' } });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const updated = await client(token).PATCH('/v1/labels/{key}', { params: { path: { key: 'nickname' } }, body: { value: 'trader_jane' } });
    expect(updated.data).toMatchObject({ key: 'nickname', value: 'trader_jane', scope: 'public' });
    const read = await client(token).GET('/v1/labels/{key}', { params: { path: { key: 'nickname' } } });
    expect(read.data!.value).toBe('trader_jane');
    const deleted = await client(token).DELETE('/v1/labels/{key}', { params: { path: { key: 'nickname' } } });
    expect(deleted.response.status).toBe(204);
  });

  it('reaches level 3 when the operator approves the document', async () => {
    const approved = await admin().PUT('/v1/admin/accounts/{uid}/labels/{key}', {
      params: { path: { uid, key: 'document' } },
      body: { value: 'verified' },
    });
    expect(approved.response.status, JSON.stringify(approved.error)).toBe(200);
    expect((await client(token).GET('/v1/accounts/me')).data!.level).toBe(3);

    const account = await admin().GET('/v1/admin/accounts/{uid}', { params: { path: { uid } } });
    expect(account.response.status, JSON.stringify(account.error)).toBe(200);
    expect(account.data).toMatchObject({ email, level: 3, otp_enabled: true });
  });
});
