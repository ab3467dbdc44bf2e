/**
 * The KYC console at /admin in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) against a real server process and a real SMTP server. A compliance officer
 * signs in with a TOTP code, opens the queue, sees the uploaded passport image, rejects it with a
 * reason (the user's mail carries it, the level stays 2); the user uploads again and the officer
 * approves (level 3); the audit trail shows both. Screenshots go to test-output/console-*.png.
 * Skips only when Chromium is missing and CI is not set.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG as PngImage } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuite, chromiumMissing, openOfflineBrowser, OUTPUT_DIR, requireChromium, type OfflineBrowser } from '../helpers/browser.js';
import { linkToken, startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';
import { codeFor, currentStep, secretOf } from '../helpers/totp.js';

const APPLICATION_UID = 'c0a5c0e1d2c3b4a5968778695a4b3c2d1e0f0011';
const { skip, title } = browserSuite('KYC console in a browser', 'tests/e2e/console.test.ts');

/** A passport-like picture (a real PNG the browser must decode), so the screenshot shows something. */
function passportPng(tint: number): Buffer {
  const png = new PngImage({ width: 480, height: 320 });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (png.width * y + x) << 2;
      const photo = x > 30 && x < 170 && y > 70 && y < 260;
      const line = x > 200 && x < 440 && y % 36 > 26 && y > 80 && y < 270;
      const band = y < 50;
      const [r, g, b] = band ? [20, 60, 140] : photo ? [150 + tint, 120, 110] : line ? [60, 60, 70] : [232, 226 - tint, 205];
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  return PngImage.sync.write(png);
}

describe.skipIf(skip)(title, () => {
  let mail: MailSink;
  let server: ServerProcess;
  let browser: OfflineBrowser;
  let page: Page;
  let problems: string[] = [];

  async function call(method: string, url: string, options: { token?: string; operator?: boolean; body?: unknown; form?: FormData } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.operator) headers['x-operator-token'] = server.operatorToken();
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers,
      body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  }

  async function activeUser(prefix: string) {
    const email = uniqueEmail(prefix);
    expect((await call('POST', '/api/v1/accounts', { body: { email, password: PASSWORD } })).status).toBe(201);
    const token = linkToken(await mail.next(email, 'Confirmation instructions'), 'confirmation_token');
    expect((await call('POST', '/api/v1/accounts/confirm', { body: { confirmation_token: token } })).status).toBe(201);
    const session = await call('POST', '/api/v1/sessions', { body: { email, password: PASSWORD, application_id: APPLICATION_UID } });
    expect(session.status).toBe(201);
    const me = await call('GET', '/api/v1/accounts/me', { token: session.body });
    return { email, token: session.body as string, uid: me.body.uid as string };
  }

  async function uploadPassport(token: string, tint: number) {
    const form = new FormData();
    form.set('doc_type', 'Passport');
    form.set('doc_number', `P${tint}4471923`);
    form.set('doc_expire', '2031-05-30');
    form.set('upload', new Blob([passportPng(tint)], { type: 'image/png' }), 'passport.png');
    const res = await call('POST', '/api/v1/documents', { token, form });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  async function level(uid: string): Promise<number> {
    return (await call('GET', `/api/v1/admin/accounts/${uid}`, { operator: true })).body.level;
  }

  let officer: { email: string; uid: string; secret: string };
  let applicant: { email: string; uid: string; token: string };

  beforeAll(async () => {
    if (chromiumMissing) return;
    mail = await startMailSink();
    server = await startServerProcess({
      env: { SMTP_ADDRESS: '127.0.0.1', SMTP_PORT: String(mail.port), DEFAULT_APPLICATION_UID: APPLICATION_UID, APP_NAME: 'Acme Exchange' },
    });

    // The compliance officer: 2FA on, then given the role by the operator.
    const account = await activeUser('officer');
    const qr = await call('POST', '/api/v1/security/generate_qrcode', { token: account.token });
    const secret = secretOf(qr.body.data.url);
    const enable = await call('POST', '/api/v1/security/enable_2fa', { token: account.token, body: { code: codeFor(secret, currentStep()) } });
    expect(enable.status, JSON.stringify(enable.body)).toBe(201);
    expect((await call('PUT', `/api/v1/admin/accounts/${account.uid}/role`, { operator: true, body: { role: 'compliance' } })).status).toBe(200);
    officer = { email: account.email, uid: account.uid, secret };

    // The applicant: email and phone verified (level 2), a profile, and a passport upload.
    applicant = await activeUser('applicant');
    expect((await call('PUT', `/api/v1/admin/accounts/${applicant.uid}/labels/phone`, { operator: true, body: { value: 'verified' } })).status).toBe(200);
    const profile = await call('POST', '/api/v1/profiles', {
      token: applicant.token,
      body: { first_name: 'Amelia', last_name: 'Hartley', dob: '1988-02-14', address: '14 Canal Street', postcode: 'M1 3HE', city: 'Manchester', country: 'GB' },
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    await uploadPassport(applicant.token, 0);
    expect(await level(applicant.uid)).toBe(2);

    browser = await openOfflineBrowser(server.url, { width: 1360, height: 940 });
    ({ page, problems } = browser);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await mail?.close();
  });

  /**
   * The applicant's row of the queue, paging on with "Next" as an officer would (on a shared
   * PostgreSQL test database other files' applicants wait in the queue too, oldest first).
   */
  async function queueRow() {
    for (let page_ = 0; page_ < 50; page_++) {
      await page.getByRole('heading', { name: 'Review queue' }).waitFor();
      await page.locator('table[aria-label="Accounts waiting for review"]').waitFor();
      const row = page.getByRole('row').filter({ hasText: applicant.email });
      if ((await row.count()) > 0) return row;
      const next = page.getByRole('button', { name: 'Next' });
      expect(await next.isEnabled(), 'the applicant is in the queue').toBe(true);
      const first = await page.locator('tbody tr').first().innerText();
      await next.click();
      await expect.poll(() => page.locator('tbody tr').first().innerText()).not.toBe(first);
    }
    throw new Error('the applicant is not in the queue');
  }

  const shot = (name: string) => page.screenshot({ path: path.join(OUTPUT_DIR, `console-${name}.png`), fullPage: true });

  it('serves the console from local files with a strict CSP', async () => {
    requireChromium();
    const response = await page.goto(`${server.url}/admin`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${server.url}/admin/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByRole('heading', { name: 'Acme Exchange KYC Console' }).waitFor();
    await shot('sign-in');
  });

  it('refuses a wrong code, then signs the compliance officer in with email, password and TOTP code', async () => {
    requireChromium();
    await page.getByLabel('Email').fill(officer.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Authenticator code').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#signin-error').innerText()).toBe('OTP code is invalid');
    // The browser logs the refused sign-in (403) as a failed resource load: expected here, once.
    expect(problems.splice(0)).toEqual([expect.stringContaining('403 (Forbidden)')]);

    // A code of the next time step: the enabling code used up the current one.
    await page.getByLabel('Authenticator code').fill(codeFor(officer.secret, currentStep() + 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    expect(await page.locator('#who-role').textContent()).toBe('compliance');
    // The session JWT is kept in memory only.
    expect(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);
  });

  it('shows the queue and the passport image; a rejection needs a reason, which the user gets by mail', async () => {
    requireChromium();
    const row = await queueRow();
    expect(await row.innerText()).toContain('Amelia Hartley');
    await shot('queue');

    await row.getByRole('link', { name: `Review ${applicant.email}` }).click();
    await page.getByRole('heading', { name: 'Amelia Hartley' }).waitFor();
    const image = page.locator('img.document-image').first();
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth)).toBe(480);
    await shot('account');

    await page.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => page.locator('.decision [role=alert]').innerText()).toContain('Give the reason');
    const reason = 'The passport photo is blurred; please upload a sharper scan.';
    await page.getByLabel('Reason for a rejection').fill(reason);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('.decision .pill.bad').waitFor();
    // A decided review is decided again only after ticking "Re-review".
    expect(await page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await shot('rejected');

    const rejected = await mail.next(applicant.email, 'Your identity was rejected');
    expect(rejected.text).toContain(`Reason: ${reason}`);
    expect(await level(applicant.uid)).toBe(2);
  });

  it('approves a new upload: level 3 and the approval mail', async () => {
    requireChromium();
    await uploadPassport(applicant.token, 40);
    await page.getByRole('link', { name: /Review queue/ }).first().click();
    const row = await queueRow();
    await row.getByRole('link', { name: `Review ${applicant.email}` }).click();
    await page.getByRole('heading', { name: 'Amelia Hartley' }).waitFor();
    await expect.poll(() => page.locator('img.document-image').count()).toBe(2);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.decision .pill.ok').waitFor();
    expect(await page.locator('#account-level').innerText()).toBe('Level 3');
    await shot('approved');

    await mail.next(applicant.email, 'Your identity was approved');
    expect(await level(applicant.uid)).toBe(3);
    expect((await call('GET', '/api/v1/accounts/me', { token: applicant.token })).body.level).toBe(3);
  });

  it('shows both decisions in the audit trail, by the officer', async () => {
    requireChromium();
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    await page.getByLabel('Account', { exact: true }).fill(applicant.uid);
    await page.getByRole('button', { name: 'Filter' }).click();
    // The operator's phone label, then the officer's two decisions.
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    const rows = page.getByRole('row').filter({ hasText: applicant.uid });
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const texts = await rows.allInnerTexts();
    expect(texts[0]).toContain('review.approve');
    expect(texts[0]).toContain(officer.uid);
    expect(texts[1]).toContain('review.reject');
    expect(texts[1]).toContain('The passport photo is blurred');
    await shot('audit');
    expect(problems).toEqual([]);
  });

  it("refuses a member's JWT with 403 on every review operation", async () => {
    requireChromium();
    const member = applicant.token;
    const answers = await Promise.all([
      call('GET', '/api/v1/admin/reviews', { token: member }),
      call('POST', `/api/v1/admin/reviews/${applicant.uid}`, { token: member, body: { decision: 'approve', re_review: true } }),
      call('GET', `/api/v1/admin/accounts/${applicant.uid}/documents/1/file`, { token: member }),
      call('GET', '/api/v1/admin/audit', { token: member }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
  });
});
