/**
 * The operator CLI as a real process: bundled from the sources by the global setup
 * (`node .test-cli/cli.js ...`), or with TEST_SERVER=compiled as `make cli` runs it
 * (`node dist/server/cli.js`, the build's bundle). In-process mode (no server runs on the data
 * directory, so the CLI opens the database itself), then as a client of a real server process (found
 * through PORT and DATA_DIR/operator-token). Asserts its JSON output, exit codes and error text. On
 * PostgreSQL (TEST_DATABASE_URL) the children get DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startServices } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { pgliteDirOf } from '../../src/db/database.js';
import { registerAccount } from '../../src/domain/accounts/registration.js';
import { CLI_ARGUMENTS, freePort, PROJECT_ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the CLI with only the environment an operator's shell would give it. */
function runCli(args: string[], env: { DATA_DIR: string; PORT: number }): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: env.DATA_DIR,
    PORT: String(env.PORT),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_ARGUMENTS, ...args], { cwd: PROJECT_ROOT, env: childEnv, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

function expectOk(result: CliResult) {
  expect(result.code, `exit code; stderr: ${result.stderr}`).toBe(0);
  expect(result.json, `JSON on stdout: ${result.stdout}`).toBeDefined();
  return result.json;
}

describe('operator CLI without a running server (in-process)', () => {
  let dataDir: string;
  let port: number;
  let uid: string;
  const email = uniqueEmail('cli');

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-cli-'));
    if (!databaseUrl) fs.cpSync(inject('pgliteTemplate'), pgliteDirOf(dataDir), { recursive: true });
    port = await freePort();
    // An account to work on, made through our own sign-up, then the database is closed again.
    const services = await startServices(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
    try {
      await registerAccount(services.deps, { email, password: PASSWORD }, '127.0.0.1');
    } finally {
      await services.close();
    }
  });
  afterAll(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli(args, { DATA_DIR: dataDir, PORT: port });

  it('prints the help with every command, exit code 0', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const usage of [
      'accounts list [--email E] [--limit N]',
      'accounts show UID',
      'accounts role UID ROLE',
      'accounts disable-2fa UID',
      'labels set UID KEY VALUE',
      'labels delete UID KEY',
      'applications create NAME',
      'applications list',
      'reviews list [--limit N] [--offset N]',
      'reviews approve UID [--re-review]',
      'reviews reject UID --reason TEXT [--re-review]',
      'documents download UID ID --out FILE',
      'audit list [--account UID] [--actor A] [--action A]',
    ]) {
      expect(result.stdout).toContain(usage);
    }
  });

  it('rejects a bad command, option or argument count with a clear error and exit code 1', async () => {
    const unknown = await cli('accounts', 'frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('error: unknown command: accounts frobnicate');
    expect(unknown.stderr).toContain('Usage:');

    const option = await cli('accounts', 'list', '--colour', 'red');
    expect(option.code).toBe(1);
    expect(option.stderr).toContain('error: unknown option for accounts list: --colour');

    const missing = await cli('labels', 'set', 'ID0000000000', 'document');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: missing arguments (usage: labels set UID KEY VALUE)');
  }, 60_000);

  it('lists the account by email, as JSON', async () => {
    const accounts = expectOk(await cli('accounts', 'list', '--email', email.toUpperCase(), '--limit', '5'));
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ email, role: 'member', level: 0, state: 'pending', otp_enabled: false });
    uid = accounts[0].uid;
    expect(uid).toMatch(/^ID[0-9A-F]{10}$/);
  }, 60_000);

  it('sets a private label (the level follows), shows the account, deletes the label, changes the role', async () => {
    const label = expectOk(await cli('labels', 'set', uid, 'email', 'verified'));
    expect(label).toMatchObject({ key: 'email', value: 'verified', scope: 'private' });

    const shown = expectOk(await cli('accounts', 'show', uid));
    expect(shown).toMatchObject({ uid, email, level: 1, profile: null, phones: [], documents: [] });
    expect(shown.labels.map((l: any) => `${l.key}:${l.value}:${l.scope}`)).toEqual(['email:verified:private']);

    expect(expectOk(await cli('labels', 'delete', uid, 'email'))).toEqual({ uid, key: 'email', deleted: true });
    // The role answer shows the account: the level dropped back to 0 with the label.
    expect(expectOk(await cli('accounts', 'role', uid, 'compliance'))).toMatchObject({ uid, role: 'compliance', level: 0 });
  }, 120_000);

  it('disables 2FA', async () => {
    expect(expectOk(await cli('accounts', 'disable-2fa', uid))).toMatchObject({ uid, otp_enabled: false });
  }, 60_000);

  it("prints the server's error and exits 1 when the API refuses", async () => {
    const missing = await cli('accounts', 'show', 'ID0000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('error: Record is not found');

    const badKey = await cli('labels', 'set', uid, 'ab', 'verified');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.trim()).toBe('error: Key is too short (minimum is 3 characters)');
  }, 60_000);
});

describe('operator CLI against a running server', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess();
  }, 90_000);
  afterAll(() => server?.stop());

  const cli = (...args: string[]) => runCli(args, { DATA_DIR: server.dataDir, PORT: server.port });

  it('uses the admin API of the server (operator token from DATA_DIR) and the review mail goes out', async () => {
    const email = uniqueEmail('cli-server');
    const signUp = await fetch(`${server.url}/api/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(signUp.status).toBe(201);

    const [account] = expectOk(await cli('accounts', 'list', '--email', email));
    expect(account).toMatchObject({ email, level: 0 });
    // It went to the server (the log drops query strings), not to a second database opener.
    expect(server.output()).toContain('"method":"GET","url":"/api/v1/admin/accounts"');

    const label = expectOk(await cli('labels', 'set', account.uid, 'document', 'verified'));
    expect(label).toMatchObject({ key: 'document', value: 'verified', scope: 'private' });
    // No SMTP configured: the server writes the mail to DATA_DIR/outbox.
    const outbox = path.join(server.dataDir, 'outbox');
    const deadline = Date.now() + 10_000;
    let approved: string | undefined;
    while (!approved && Date.now() < deadline) {
      const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')) : [];
      approved = files.find((m) => m.includes('Subject: Your identity was approved') && m.includes(email));
      if (!approved) await new Promise((r) => setTimeout(r, 200));
    }
    expect(approved, 'approval mail in the outbox').toBeDefined();

    expect(expectOk(await cli('labels', 'delete', account.uid, 'document'))).toEqual({ uid: account.uid, key: 'document', deleted: true });

    const badRole = await cli('accounts', 'role', account.uid, 'superuser');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr.trim()).toBe('error: role does not have a valid value');
  }, 120_000);

  it('reviews from the queue: reject with a reason, 409 on a second decision, re-review, download, audit', async () => {
    const email = uniqueEmail('cli-review');
    const post = (url: string, body: unknown, token?: string) =>
      fetch(`${server.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post('/api/v1/accounts', { email, password: PASSWORD })).status).toBe(201);
    // No SMTP: the server logs the confirmation link.
    let confirmation: string | undefined;
    for (const deadline = Date.now() + 10_000; !confirmation && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const line = server.output().split('\n').find((l) => l.includes(email) && l.includes('confirmation_token='));
      confirmation = line?.match(/confirmation_token=([^"&\s]+)/)?.[1];
    }
    expect(confirmation).toBeDefined();
    expect((await post('/api/v1/accounts/confirm', { confirmation_token: decodeURIComponent(confirmation!) })).status).toBe(201);
    const applications = (await (await fetch(`${server.url}/api/v1/admin/applications`, { headers: { 'x-operator-token': server.operatorToken() } })).json()) as Array<{ uid: string }>;
    const token = await (await post('/api/v1/sessions', { email, password: PASSWORD, application_id: applications[0].uid })).json();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const form = new FormData();
    form.set('doc_type', 'Passport');
    form.set('doc_number', 'CLI12345');
    form.set('doc_expire', '2030-01-22');
    form.set('upload', new Blob([png], { type: 'image/png' }), 'passport.png');
    const uploaded = await fetch(`${server.url}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(uploaded.status).toBe(201);
    const document = (await uploaded.json()) as { id: number };

    const queue = expectOk(await cli('reviews', 'list', '--limit', '100'));
    const entry = queue.find((r: any) => r.account.email === email);
    expect(entry.documents).toEqual([expect.objectContaining({ id: document.id, content_type: 'image/png' })]);
    const uid = entry.account.uid;

    const noReason = await cli('reviews', 'reject', uid);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('error: reviews reject needs --reason TEXT');
    const rejected = expectOk(await cli('reviews', 'reject', uid, '--reason', 'The photo is blurred'));
    expect(rejected.labels).toContainEqual(expect.objectContaining({ key: 'document', value: 'rejected' }));
    const again = await cli('reviews', 'approve', uid);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('error: Review is already decided');
    expect(expectOk(await cli('reviews', 'approve', uid, '--re-review')).labels).toContainEqual(
      expect.objectContaining({ key: 'document', value: 'verified' }),
    );

    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'barong-cli-doc-')), 'passport.png');
    expect(expectOk(await cli('documents', 'download', uid, String(document.id), '--out', out))).toEqual({
      file: out,
      content_type: 'image/png',
      bytes: png.length,
    });
    expect(fs.readFileSync(out).equals(png)).toBe(true);

    const audit = expectOk(await cli('audit', 'list', '--account', uid));
    expect(audit.map((r: any) => r.action)).toEqual(['review.approve', 'review.reject']);
    expect(audit[1]).toMatchObject({ actor: 'operator token', after: { document: 'rejected', reason: 'The photo is blurred' } });
  }, 180_000);
});
