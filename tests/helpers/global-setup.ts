/**
 * Runs once: migrates the database the suite runs on. PGlite: a template data directory that each
 * test file copies (a fresh PGlite takes seconds to create, a copy well under one). PostgreSQL
 * (TEST_DATABASE_URL): the real migrations, once; test files isolate by their own data.
 * Unless the tests run the compiled server (TEST_SERVER=compiled, which has its own), it also
 * bundles the operator CLI from the sources, as the build bundles it from tsc's output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { bundle } from '../../scripts/bundle-options.js';
import { PROJECT_ROOT, SOURCE_CLI_DIR } from './server-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_SERVER !== 'compiled') {
    const entryPoints = ['scripts/cli.ts', 'src/db/pglite-init.ts'].map((file) => path.join(PROJECT_ROOT, file));
    await bundle({ entryPoints, outdir: path.join(PROJECT_ROOT, SOURCE_CLI_DIR) });
  }
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const database = await openDatabase({ databaseUrl: url, pgliteDir: '' });
    await migrateToLatest(database.db);
    await database.close();
    project.provide('pgliteTemplate', '');
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-template-'));
  const dir = path.join(root, 'pglite');
  const database = await openDatabase({ pgliteDir: dir });
  await migrateToLatest(database.db);
  await database.close();
  project.provide('pgliteTemplate', dir);
  return () => fs.rmSync(root, { recursive: true, force: true });
}
