/**
 * The importer as an operator runs it (`make cli ARGS="import barong ..."`, a process of its own):
 * killed with SIGKILL in the middle, it leaves only whole accounts behind, and the next run
 * imports the rest. Skipped with a message when no MariaDB answers, except under CI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openDatabase, pgliteDirOf, type DatabaseHandle } from '../../src/db/database.js';
import { countLegacyDigests } from '../../src/domain/accounts/legacy-digests.js';
import {
  barongUid,
  createBarongDatabase,
  deviseDigest,
  insertAccount,
  insertRow,
  mariadbForSuite,
  type BarongDatabase,
} from '../helpers/barong-mysql.js';
import { CLI_ARGUMENTS, freePort, PROJECT_ROOT } from '../helpers/server-process.js';

const problem = await mariadbForSuite('tests/import/barong-import-resume.test.ts');

const ACCOUNTS = 10;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(problem)(`import from Barong 1.8, killed and resumed${problem ? ` — SKIPPED: ${problem}` : ''}`, () => {
  let barong: BarongDatabase;
  let dataDir: string;
  const uids = Array.from({ length: ACCOUNTS }, () => barongUid());
  const databaseUrl = process.env.TEST_DATABASE_URL;

  beforeAll(async () => {
    barong = await createBarongDatabase();
    const digest = deviseDigest('Secret123', 4); // cheap: the digests are not what this test is about
    for (const [i, uid] of uids.entries()) {
      const id = await insertAccount(barong, { uid, email: `resume.${uid.toLowerCase()}@barong.example`, encrypted_password: digest, confirmed_at: new Date(), level: 1 });
      await insertRow(barong, 'labels', { account_id: id, key: 'email', value: 'verified', scope: 'private' });
      await insertRow(barong, 'profiles', {
        account_id: id, first_name: `User${i}`, last_name: 'Resume', dob: '1985-01-01', address: 'Main St 1', postcode: '1000', city: 'Brussels', country: 'BE',
      });
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-import-'));
    if (!databaseUrl) fs.cpSync(inject('pgliteTemplate'), pgliteDirOf(dataDir), { recursive: true });
  });

  afterAll(async () => {
    await barong?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function cli(args: string[], options: { killAfter?: RegExp } = {}): Promise<Run> {
    const child = spawn(process.execPath, [...CLI_ARGUMENTS, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PORT: String(await freePort()), LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (options.killAfter?.test(stderr)) child.kill('SIGKILL');
    });
    return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  async function withDatabase<T>(work: (database: DatabaseHandle) => Promise<T>): Promise<T> {
    const database = await openDatabase({ databaseUrl, pgliteDir: pgliteDirOf(dataDir) });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  }

  /** Per seeded uid: whether the account is there, and whether whole (its profile and label too). */
  const imported = () =>
    withDatabase(async ({ db }) => {
      const rows = await db
        .selectFrom('accounts')
        .leftJoin('profiles', 'profiles.account_id', 'accounts.id')
        .leftJoin('labels', 'labels.account_id', 'accounts.id')
        .select(['accounts.uid', 'accounts.level', 'profiles.first_name', 'labels.key'])
        .where('accounts.uid', 'in', uids)
        .execute();
      return rows;
    });

  it('a run killed mid-way leaves whole accounts only, and the next run imports the rest', async () => {
    const killed = await cli(['import', 'barong', '--from', barong.url, '--batch-size', '2', '--throttle-ms', '1500'], {
      killAfter: /import: accounts 2\/10/,
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');

    const partial = await imported();
    expect(partial.length, 'some accounts were imported before the kill').toBeGreaterThan(0);
    expect(partial.length, 'the run was killed before the end').toBeLessThan(ACCOUNTS);
    for (const row of partial) expect(row).toMatchObject({ level: 1, key: 'email', first_name: expect.stringMatching(/^User\d$/) });

    const resumed = await cli(['import', 'barong', '--from', barong.url, '--batch-size', '4']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report.tables.accounts).toEqual({ read: ACCOUNTS, imported: ACCOUNTS - partial.length, already_imported: partial.length, skipped: 0 });
    expect(report.skipped).toEqual([]);

    const all = await imported();
    expect(all.map((r) => r.uid).sort()).toEqual([...uids].sort()); // each once: no duplicate rows
    for (const row of all) expect(row).toMatchObject({ level: 1, key: 'email', first_name: expect.stringMatching(/^User\d$/) });

    const { bcrypt } = await withDatabase(({ db }) => countLegacyDigests(db));
    if (databaseUrl) expect(bcrypt).toBeGreaterThanOrEqual(ACCOUNTS);
    else expect(bcrypt).toBe(ACCOUNTS);
  }, 240_000); // two processes that each open the database
});
