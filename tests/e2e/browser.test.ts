/**
 * A new user in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens Swagger UI at /api/docs of a real server process, signs up with "Try it out", confirms the
 * email with the mailed token, signs in, pastes the session JWT into "Authorize" and reads /me.
 * Screenshots go to test-output/. Skips only when Chromium is missing and CI is not set.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSuite, chromiumMissing, openOfflineBrowser, OUTPUT_DIR, requireChromium, type OfflineBrowser } from '../helpers/browser.js';
import { linkToken, startMailSink, type MailSink } from '../helpers/mail-sink.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const APPLICATION_UID = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233';
const { skip, title } = browserSuite('Swagger UI in a browser', 'tests/e2e/browser.test.ts');

describe.skipIf(skip)(title, () => {
  let mail: MailSink;
  let server: ServerProcess;
  let browser: OfflineBrowser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    if (chromiumMissing) return; // under CI: each test fails with the reason
    mail = await startMailSink();
    server = await startServerProcess({
      env: {
        SMTP_ADDRESS: '127.0.0.1',
        SMTP_PORT: String(mail.port),
        DEFAULT_APPLICATION_UID: APPLICATION_UID,
      },
    });
    browser = await openOfflineBrowser(server.url, { width: 1280, height: 900 });
    ({ page, problems } = browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await mail?.close();
  });

  /** Expands an operation, clicks "Try it out", fills the JSON body, executes; returns what the UI shows. */
  async function tryItOut(operationId: string, body?: object) {
    const operation = page.locator(`.opblock[id$="-${operationId}"]`);
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    if (body) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table .response');
    await response.first().waitFor({ timeout: 15_000 });
    const status = (await response.locator('.response-col_status').first().innerText()).trim();
    const text = (await operation.locator('.live-responses-table .response-col_description pre').first().innerText()).trim();
    const requestUrl = (await operation.locator('.request-url pre').first().innerText()).trim();
    return { operation, status, text, requestUrl };
  }

  it('serves Swagger UI from local files, over our own document', async () => {
    requireChromium();
    const res = await page.goto(`${server.url}/api/docs`);
    expect(res?.status()).toBe(200);
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Barong-compatible identity, 2FA and KYC API');
    // Every operation of the document is listed (the JWKS under its own server).
    expect(await page.locator('.opblock[id$="-postV1Accounts"]').count()).toBe(1);
    expect(await page.locator('.opblock[id$="-getWellKnownJwks"]').count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'swagger-ui.png') });
    expect(problems).toEqual([]);
  });

  it('lets a new user sign up, confirm, sign in and authorize from the page', async () => {
    requireChromium();
    const email = uniqueEmail('browser');

    const signUp = await tryItOut('postV1Accounts', { email, password: PASSWORD });
    await signUp.operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'swagger-ui-sign-up.png') });
    await signUp.operation.screenshot({ path: path.join(OUTPUT_DIR, 'swagger-ui-sign-up-operation.png') });
    expect(signUp.status).toBe('201');
    expect(signUp.requestUrl).toBe(`${server.url}/api/v1/accounts`);

    const confirmationToken = linkToken(await mail.next(email, 'Confirmation instructions'), 'confirmation_token');
    const confirm = await tryItOut('postV1AccountsConfirm', { confirmation_token: confirmationToken });
    expect(confirm.status).toBe('201');

    const signIn = await tryItOut('postV1Sessions', { email, password: PASSWORD, application_id: APPLICATION_UID });
    expect(signIn.status).toBe('201');
    const token = JSON.parse(signIn.text) as string;
    expect(token.split('.')).toHaveLength(3);

    // "Authorize" with the session JWT: the UI then sends it as a bearer token.
    await page.locator('.auth-wrapper button.authorize').click();
    const bearer = page.locator('.modal-ux .auth-container').filter({ hasText: 'BearerToken' });
    await bearer.locator('input').fill(token);
    await bearer.locator('button.authorize').click();
    await bearer.locator('button.btn-done').click();

    const me = await tryItOut('getV1AccountsMe');
    await me.operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'swagger-ui-me.png') });
    expect(me.status).toBe('200');
    expect(JSON.parse(me.text)).toMatchObject({ email, state: 'active', level: 1 });
    expect(problems).toEqual([]);
  });
});
