/**
 * The migrations in order of name. Listed statically (not read from the folder at run time) so the
 * same code runs under tsx, vitest and a bundler; tests/unit/migrations.test.ts checks that every
 * file of this folder is listed here.
 */
import type { Migration } from 'kysely';
import * as createAccounts from './2026-11-25T10-00-00_create_accounts.js';
import * as createLabelsAndLevels from './2026-11-25T10-01-00_create_labels_and_levels.js';
import * as createApplications from './2026-11-25T10-02-00_create_applications.js';

export const migrations: Record<string, Migration> = {
  '2026-11-25T10-00-00_create_accounts': createAccounts,
  '2026-11-25T10-01-00_create_labels_and_levels': createLabelsAndLevels,
  '2026-11-25T10-02-00_create_applications': createApplications,
};
