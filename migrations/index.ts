/**
 * The migrations in order of name. Listed statically (not read from the folder at run time) so the
 * same code runs under tsx, vitest and a bundler; tests/unit/migrations.test.ts checks that every
 * file of this folder is listed here.
 */
import type { Migration } from 'kysely';
import * as createAccounts from './2026-11-25T10-00-00_create_accounts.js';
import * as createLabelsAndLevels from './2026-11-25T10-01-00_create_labels_and_levels.js';
import * as createApplications from './2026-11-25T10-02-00_create_applications.js';
import * as createProfiles from './2026-11-25T14-00-00_create_profiles.js';
import * as createPhones from './2026-11-25T15-00-00_create_phones.js';
import * as createDocuments from './2026-11-25T15-01-00_create_documents.js';
import * as createAccountOtps from './2026-11-25T16-30-00_create_account_otps.js';
import * as createApiKeys from './2026-11-25T16-31-00_create_api_keys.js';
import * as addSessionGeneration from './2026-11-30T08-00-00_add_session_generation.js';
import * as createAuditRecords from './2026-11-30T12-00-00_create_audit_records.js';
import * as createOutboxJobs from './2026-11-30T13-00-00_create_outbox_jobs.js';
import * as createManagementJtis from './2026-11-30T14-00-00_create_management_jtis.js';
import * as barongImport from './2026-11-30T15-00-00_barong_import.js';

export const migrations: Record<string, Migration> = {
  '2026-11-25T10-00-00_create_accounts': createAccounts,
  '2026-11-25T10-01-00_create_labels_and_levels': createLabelsAndLevels,
  '2026-11-25T10-02-00_create_applications': createApplications,
  '2026-11-25T14-00-00_create_profiles': createProfiles,
  '2026-11-25T15-00-00_create_phones': createPhones,
  '2026-11-25T15-01-00_create_documents': createDocuments,
  '2026-11-25T16-30-00_create_account_otps': createAccountOtps,
  '2026-11-25T16-31-00_create_api_keys': createApiKeys,
  '2026-11-30T08-00-00_add_session_generation': addSessionGeneration,
  '2026-11-30T12-00-00_create_audit_records': createAuditRecords,
  '2026-11-30T13-00-00_create_outbox_jobs': createOutboxJobs,
  '2026-11-30T14-00-00_create_management_jtis': createManagementJtis,
  '2026-11-30T15-00-00_barong_import': barongImport,
};
