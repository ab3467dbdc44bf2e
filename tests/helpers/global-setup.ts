/**
 * Runs once: migrates the database the suite runs on. PGlite: a template data directory that each
 * test file copies (a fresh PGlite takes seconds to create, a copy well under one). PostgreSQL
 * (TEST_DATABASE_URL): the real migrations, once; test files isolate by their own data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
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
