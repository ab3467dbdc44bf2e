/**
 * Import of a Barong 1.8 database. Accounts go in id order, in batches; an account and every row
 * that hangs off it (profile, phones, labels, API keys, documents, TOTP secret) are written in one
 * transaction together with the account's line in the ledger (barong_imports), so an account is
 * imported whole or not at all, a second run skips it, and a killed run resumes with the first
 * batch it did not commit. A batch is one transaction; if it fails, its accounts are retried one
 * per transaction so only the faulty one is reported. Document files are copied into our storage
 * before the transaction and removed again when it does not commit.
 */
import type {
  BarongAccount,
  BarongAccountRows,
  BarongApiKey,
  BarongApplication,
  BarongLevel,
  BarongPhone,
  BarongSource,
  DependentTable,
} from '../../adapters/barong/mysql-source.js';
import type { BarongUploads } from '../../adapters/barong/uploads.js';
import { randomToken, tokenDigest } from '../../crypto/tokens.js';
import { findAccountByEmail, findAccountByUid } from '../../db/queries/accounts.js';
import { findApiKeyByUid, insertApiKey } from '../../db/queries/api-keys.js';
import { findApplicationByUid } from '../../db/queries/applications.js';
import {
  insertImportedAccount,
  insertImportedApplication,
  insertImportedLabel,
  insertImportedPhone,
  isImported,
  recordImported,
} from '../../db/queries/barong-imports.js';
import { insertDocument } from '../../db/queries/documents.js';
import { listLevels } from '../../db/queries/levels.js';
import { findVerifiedPhoneByNumber } from '../../db/queries/phones.js';
import { insertProfile } from '../../db/queries/profiles.js';
import type { Executor, LevelRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { levelFor } from '../labels/levels.js';
import { parsePhoneNumber, type PhoneNumber } from '../phones/phone-numbers.js';
import { storeImportedTwoFactorSecret } from '../two-factor/two-factor.js';
import {
  mapAccount,
  mapApiKey,
  mapApplication,
  mapDocument,
  mapLabel,
  mapProfile,
  totpSecretFromExport,
  type AccountFields,
  type DocumentFields,
  type ProfileFields,
} from './rules.js';

export const IMPORT_TABLES = ['accounts', 'profiles', 'phones', 'labels', 'api_keys', 'documents', 'oauth_applications'] as const;
export type ImportTable = (typeof IMPORT_TABLES)[number];

export interface TableCounts {
  read: number;
  imported: number;
  already_imported: number;
  skipped: number;
}

export interface ImportReport {
  source: string;
  dry_run: boolean;
  tables: Record<ImportTable, TableCounts>;
  /** Every row that was not imported, and why. `id` is Barong's id (the uid for API keys). */
  skipped: Array<{ table: ImportTable; id: string; reason: string }>;
  /** Rows imported with a change worth knowing. */
  notes: Array<{ table: ImportTable; id: string; note: string }>;
  /** Accounts whose level, recomputed from their labels and our levels, differs from Barong's. */
  level_mismatches: Array<{ uid: string; barong_level: number; level: number }>;
  levels: { barong: string[]; ours: string[] };
  two_factor: {
    /** 2FA accounts whose secret came from the Vault export. */
    restored: number;
    /** 2FA accounts without a usable secret: sign-in refused until an operator resets their 2FA. */
    reenrolment_required: string[];
  };
}

export interface ImportOptions {
  dryRun?: boolean;
  batchSize?: number;
  /** Pause between batches, to spare a live database. */
  throttleMs?: number;
  /** Parsed Vault export: account uid → Base32 secret or otpauth:// URL. */
  vaultSecrets?: Record<string, unknown>;
  /** Barong's document files; without them documents are skipped. */
  uploads?: BarongUploads;
  onProgress?: (progress: { table: ImportTable; done: number; total: number }) => void;
}

/** Everything one account brings, checked and ready to write. */
interface AccountUnit {
  barongId: number;
  uid: string;
  account: AccountFields & { level: number };
  barongLevel: number;
  otpSecret?: string;
  profile?: { id: number; fields: ProfileFields };
  phones: Array<{ row: BarongPhone; parsed: PhoneNumber }>;
  labels: Array<{ id: number; key: string; value: string; scope: 'public' | 'private'; created_at: Date; updated_at: Date }>;
  apiKeys: Array<{ row: BarongApiKey; state: 'active' | 'inactive' }>;
  documents: Array<{ id: number; fields: DocumentFields; file: Buffer; key?: string }>;
  /** Findings before any write: dependents skipped by rule, notes. */
  early: Findings;
}

/** What happened to rows, merged into the report once the transaction that wrote them commits. */
interface Findings {
  counts: Array<[ImportTable, keyof Omit<TableCounts, 'read'>, number]>;
  skipped: ImportReport['skipped'];
  notes: ImportReport['notes'];
}

const emptyFindings = (): Findings => ({ counts: [], skipped: [], notes: [] });

class DryRunRollback extends Error {
  constructor(readonly value: unknown) {
    super('dry run: rolled back');
  }
}

export async function importBarong(deps: Deps, source: BarongSource, options: ImportOptions = {}): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 200;
  const dryRun = options.dryRun ?? false;
  const ourLevels = await listLevels(deps.db);
  const barongLevels = await source.levels();
  const report = newReport(source.name, dryRun, barongLevels, ourLevels);
  for (const table of IMPORT_TABLES) report.tables[table].read = await source.count(table);

  const merge = (findings: Findings) => {
    for (const [table, outcome, n] of findings.counts) report.tables[table][outcome] += n;
    report.skipped.push(...findings.skipped);
    report.notes.push(...findings.notes);
  };

  /** Runs `work` in a transaction that a dry run always rolls back. */
  async function transaction<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        const value = await work(trx);
        if (dryRun) throw new DryRunRollback(value);
        return value;
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return error.value as T;
      throw error;
    }
  }

  // Applications first: few rows, one transaction each.
  const applications = await source.applications();
  for (const row of applications) merge(await importApplication(deps, row, transaction));
  options.onProgress?.({ table: 'oauth_applications', done: applications.length, total: applications.length });

  const caseDuplicates = new Map((await source.caseDuplicateEmails()).map((d) => [d.id, d.keptUid]));
  const total = report.tables.accounts.read;
  let done = 0;
  let afterId = 0;
  for (;;) {
    const accounts = await source.accountsAfter(afterId, batchSize);
    if (accounts.length === 0) break;
    afterId = Number(accounts[accounts.length - 1].id);
    const rows = await source.rowsOfAccounts(accounts.map((a) => Number(a.id)));

    const units: AccountUnit[] = [];
    for (const account of accounts) {
      const dependents = rowsOf(rows, Number(account.id));
      const duplicateOf = caseDuplicates.get(Number(account.id));
      const prepared = duplicateOf
        ? { skip: `email differs only by letter case from account ${duplicateOf}, imported instead` }
        : await prepareUnit(account, dependents, ourLevels, options);
      if ('skip' in prepared) merge(skipAccount(account, dependents, prepared.skip));
      else units.push(prepared);
    }

    if (!dryRun) await copyFiles(deps, units);
    let results: Findings[];
    try {
      results = await transaction(async (trx) => {
        const findings: Findings[] = [];
        for (const unit of units) findings.push(await writeUnit(deps, trx, unit));
        return findings;
      });
    } catch (batchError) {
      deps.log.warn({ err: batchError }, 'a batch of the import failed: retrying its accounts one by one');
      results = [];
      for (const unit of units) {
        try {
          results.push(await transaction((trx) => writeUnit(deps, trx, unit)));
        } catch (error) {
          results.push(failedUnit(unit, error));
        }
      }
    }
    for (const [index, findings] of results.entries()) {
      merge(findings);
      const unit = units[index];
      const imported = findings.counts.some(([table, outcome]) => table === 'accounts' && outcome === 'imported');
      if (!imported || dryRun) await removeFiles(deps, unit);
      if (imported) {
        if (unit.account.level !== unit.barongLevel) {
          report.level_mismatches.push({ uid: unit.uid, barong_level: unit.barongLevel, level: unit.account.level });
        }
        if (unit.account.otp_enabled) {
          if (unit.otpSecret) report.two_factor.restored++;
          else report.two_factor.reenrolment_required.push(unit.uid);
        }
      }
    }

    done += accounts.length;
    options.onProgress?.({ table: 'accounts', done, total });
    if (options.throttleMs) await new Promise((resolve) => setTimeout(resolve, options.throttleMs));
  }

  for (const table of ['profiles', 'phones', 'labels', 'api_keys', 'documents'] as const) {
    for (const id of await source.orphans(table)) {
      report.tables[table].skipped++;
      report.skipped.push({ table, id, reason: 'its account does not exist in Barong' });
    }
  }
  return report;
}

function newReport(source: string, dryRun: boolean, barongLevels: BarongLevel[], ourLevels: LevelRow[]): ImportReport {
  const counts = () => ({ read: 0, imported: 0, already_imported: 0, skipped: 0 });
  return {
    source,
    dry_run: dryRun,
    tables: Object.fromEntries(IMPORT_TABLES.map((t) => [t, counts()])) as Record<ImportTable, TableCounts>,
    skipped: [],
    notes: [],
    level_mismatches: [],
    levels: {
      barong: barongLevels.map((l) => `${l.id} ${l.key}:${l.value}`),
      ours: ourLevels.map((l) => `${l.id} ${l.key}:${l.value}`),
    },
    two_factor: { restored: 0, reenrolment_required: [] },
  };
}

function rowsOf(rows: BarongAccountRows, accountId: number): BarongAccountRows {
  const mine = <T extends { account_id: number | null }>(list: T[]) => list.filter((r) => Number(r.account_id) === accountId);
  return {
    profiles: mine(rows.profiles),
    phones: mine(rows.phones),
    labels: mine(rows.labels),
    apiKeys: mine(rows.apiKeys),
    documents: mine(rows.documents),
  };
}

const DEPENDENTS: Array<[DependentTable, keyof BarongAccountRows]> = [
  ['profiles', 'profiles'],
  ['phones', 'phones'],
  ['labels', 'labels'],
  ['api_keys', 'apiKeys'],
  ['documents', 'documents'],
];

function rowId(row: { id?: number; uid?: string }): string {
  return String(row.id ?? row.uid);
}

/** The account and every row of it, skipped for one reason. */
function skipAccount(account: BarongAccount, rows: BarongAccountRows, reason: string): Findings {
  const findings = emptyFindings();
  findings.counts.push(['accounts', 'skipped', 1]);
  findings.skipped.push({ table: 'accounts', id: String(account.id), reason: `${account.uid}: ${reason}` });
  for (const [table, key] of DEPENDENTS) {
    for (const row of rows[key]) {
      findings.counts.push([table, 'skipped', 1]);
      findings.skipped.push({ table, id: rowId(row as { id?: number; uid?: string }), reason: `its account ${account.uid} was skipped` });
    }
  }
  return findings;
}

async function prepareUnit(
  account: BarongAccount,
  rows: BarongAccountRows,
  ourLevels: LevelRow[],
  options: ImportOptions,
): Promise<AccountUnit | { skip: string }> {
  const mapped = mapAccount(account);
  if ('skip' in mapped) return mapped;
  const early = emptyFindings();
  const skip = (table: ImportTable, id: string, reason: string) => {
    early.counts.push([table, 'skipped', 1]);
    early.skipped.push({ table, id, reason });
  };
  const note = (table: ImportTable, id: string, notes: string[]) => {
    for (const n of notes) early.notes.push({ table, id, note: n });
  };
  note('accounts', String(account.id), mapped.notes.map((n) => `${mapped.ok.uid}: ${n}`));

  let profile: AccountUnit['profile'];
  for (const row of rows.profiles) {
    if (profile) {
      skip('profiles', String(row.id), `account ${mapped.ok.uid} already has profile ${profile.id}`);
      continue;
    }
    const result = mapProfile(row);
    if ('skip' in result) skip('profiles', String(row.id), result.skip);
    else {
      profile = { id: row.id, fields: result.ok };
      note('profiles', String(row.id), result.notes);
    }
  }

  const phones: AccountUnit['phones'] = [];
  for (const row of rows.phones) {
    let parsed: PhoneNumber;
    try {
      parsed = await parsePhoneNumber(row.number ?? '');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      skip('phones', String(row.id), `invalid phone number "${row.number}"`);
      continue;
    }
    const twin = phones.find((p) => p.parsed.number === parsed.number);
    if (twin) {
      // Keep the verified one of two rows for one number.
      if (!twin.row.validated_at && row.validated_at) {
        skip('phones', String(twin.row.id), `same number as phone ${row.id} of the account, which is verified`);
        phones.splice(phones.indexOf(twin), 1, { row, parsed });
      } else skip('phones', String(row.id), `same number as phone ${twin.row.id} of the account`);
      continue;
    }
    phones.push({ row, parsed });
  }

  const labels: AccountUnit['labels'] = [];
  for (const row of rows.labels) {
    const result = mapLabel(row);
    if ('skip' in result) {
      skip('labels', String(row.id), `${row.key}=${row.value}: ${result.skip}`);
      continue;
    }
    const twin = labels.find((l) => l.key === result.ok.key && l.scope === result.ok.scope);
    if (twin) {
      skip('labels', String(row.id), `same key as label ${twin.id} once lower-cased`);
      continue;
    }
    labels.push({ id: row.id, ...result.ok, created_at: row.created_at, updated_at: row.updated_at });
  }

  const apiKeys: AccountUnit['apiKeys'] = [];
  for (const row of rows.apiKeys) {
    const result = mapApiKey(row);
    if ('skip' in result) skip('api_keys', row.uid, result.skip);
    else {
      apiKeys.push({ row, state: result.ok.state });
      note('api_keys', row.uid, result.notes);
    }
  }

  const documents: AccountUnit['documents'] = [];
  for (const row of rows.documents) {
    if (!options.uploads) {
      skip('documents', String(row.id), "no Barong uploads given (--uploads or --uploads-s3)");
      continue;
    }
    const file = row.upload ? await options.uploads.read(Number(row.id), row.upload) : undefined;
    const result = await mapDocument(row, file);
    if ('skip' in result) skip('documents', String(row.id), result.skip);
    else {
      documents.push({ id: row.id, fields: result.ok, file: file! });
      note('documents', String(row.id), result.notes);
    }
  }

  let otpSecret: string | undefined;
  const exported = options.vaultSecrets?.[mapped.ok.uid];
  if (mapped.ok.otp_enabled) {
    if (exported !== undefined) {
      const result = totpSecretFromExport(exported);
      if ('secret' in result) otpSecret = result.secret;
      else note('accounts', String(account.id), [`${mapped.ok.uid}: ${result.problem}: 2FA re-enrolment required`]);
    } else {
      note('accounts', String(account.id), [`${mapped.ok.uid}: 2FA on but no secret in the Vault export: 2FA re-enrolment required`]);
    }
  }

  return {
    barongId: Number(account.id),
    uid: mapped.ok.uid,
    account: { ...mapped.ok, level: levelFor(ourLevels, labels) },
    barongLevel: Number(account.level ?? 0),
    otpSecret,
    profile,
    phones,
    labels,
    apiKeys,
    documents,
    early,
  };
}

/** Writes one prepared account and its rows; call inside a transaction. */
async function writeUnit(deps: Deps, trx: Executor, unit: AccountUnit): Promise<Findings> {
  const findings = emptyFindings();
  const add = (table: ImportTable, outcome: keyof Omit<TableCounts, 'read'>, n = 1) => {
    if (n > 0) findings.counts.push([table, outcome, n]);
  };
  const rowCounts: Array<[ImportTable, number]> = [
    ['profiles', unit.profile ? 1 : 0],
    ['phones', unit.phones.length],
    ['labels', unit.labels.length],
    ['api_keys', unit.apiKeys.length],
    ['documents', unit.documents.length],
  ];

  if (await isImported(trx, 'account', unit.uid)) {
    // Rows skipped by a rule were skipped the first time too, and are reported again.
    add('accounts', 'already_imported');
    for (const [table, n] of rowCounts) add(table, 'already_imported', n);
    findings.counts.push(...unit.early.counts);
    findings.skipped.push(...unit.early.skipped);
    return findings;
  }

  const inserted = await insertImportedAccount(trx, unit.account);
  if (!inserted) {
    const sameUid = await findAccountByUid(trx, unit.uid);
    const reason = sameUid
      ? 'uid already used by an account of this server'
      : `email already registered on this server (account ${(await findAccountByEmail(trx, unit.account.email))?.uid})`;
    findings.counts.push(['accounts', 'skipped', 1]);
    findings.skipped.push({ table: 'accounts', id: String(unit.barongId), reason: `${unit.uid}: ${reason}` });
    for (const [table, n] of rowCounts) {
      add(table, 'skipped', n);
    }
    for (const [table, , n] of unit.early.counts) add(table, 'skipped', n);
    for (const [table, id] of unitRowIds(unit)) {
      findings.skipped.push({ table, id, reason: `its account ${unit.uid} was skipped` });
    }
    return findings;
  }
  const accountId = inserted.id;
  await recordImported(trx, 'account', unit.uid, accountId);
  add('accounts', 'imported');
  findings.counts.push(...unit.early.counts);
  findings.skipped.push(...unit.early.skipped);
  findings.notes.push(...unit.early.notes);

  if (unit.profile) {
    await insertProfile(trx, { account_id: accountId, ...unit.profile.fields });
    add('profiles', 'imported');
  }
  for (const { row, parsed } of unit.phones) {
    let validatedAt = row.validated_at;
    if (validatedAt && (await findVerifiedPhoneByNumber(trx, parsed.number))) {
      findings.counts.push(['phones', 'skipped', 1]);
      findings.skipped.push({ table: 'phones', id: String(row.id), reason: `number ${parsed.number} is verified on another account` });
      continue;
    }
    await insertImportedPhone(trx, {
      account_id: accountId,
      number: parsed.number,
      country: parsed.country,
      validated_at: validatedAt,
      created_at: row.created_at,
      updated_at: row.updated_at,
    });
    add('phones', 'imported');
  }
  for (const label of unit.labels) {
    const { id: _id, ...fields } = label;
    await insertImportedLabel(trx, { account_id: accountId, ...fields });
  }
  add('labels', 'imported', unit.labels.length);
  for (const { row, state } of unit.apiKeys) {
    if (await findApiKeyByUid(trx, row.uid)) {
      findings.counts.push(['api_keys', 'skipped', 1]);
      findings.skipped.push({ table: 'api_keys', id: row.uid, reason: 'uid already used by an API key of this server' });
      continue;
    }
    await insertApiKey(trx, {
      uid: row.uid,
      account_id: accountId,
      public_key: row.public_key,
      scopes: row.scopes,
      expires_in: row.expires_in,
      state,
      created_at: row.created_at,
      updated_at: row.updated_at,
    });
    add('api_keys', 'imported');
  }
  for (const document of unit.documents) {
    await insertDocument(trx, {
      account_id: accountId,
      upload: document.key ?? randomToken(24),
      byte_size: document.file.length,
      ...document.fields,
    });
    add('documents', 'imported');
  }
  if (unit.otpSecret) await storeImportedTwoFactorSecret(deps, trx, accountId, unit.otpSecret);
  return findings;
}

function unitRowIds(unit: AccountUnit): Array<[ImportTable, string]> {
  return [
    ...(unit.profile ? [['profiles', String(unit.profile.id)] as [ImportTable, string]] : []),
    ...unit.phones.map((p) => ['phones', String(p.row.id)] as [ImportTable, string]),
    ...unit.labels.map((l) => ['labels', String(l.id)] as [ImportTable, string]),
    ...unit.apiKeys.map((k) => ['api_keys', k.row.uid] as [ImportTable, string]),
    ...unit.documents.map((d) => ['documents', String(d.id)] as [ImportTable, string]),
  ];
}

/** A unit whose own transaction failed: reported with the database's reason, nothing of it kept. */
function failedUnit(unit: AccountUnit, error: unknown): Findings {
  const reason = `could not be written: ${error instanceof Error ? error.message : String(error)}`;
  const findings = emptyFindings();
  findings.counts.push(['accounts', 'skipped', 1]);
  findings.skipped.push({ table: 'accounts', id: String(unit.barongId), reason: `${unit.uid}: ${reason}` });
  for (const [table, id] of unitRowIds(unit)) {
    findings.counts.push([table, 'skipped', 1]);
    findings.skipped.push({ table, id, reason: `its account ${unit.uid} was skipped` });
  }
  for (const [table, , n] of unit.early.counts) findings.counts.push([table, 'skipped', n]);
  findings.skipped.push(...unit.early.skipped);
  return findings;
}

async function copyFiles(deps: Deps, units: AccountUnit[]): Promise<void> {
  for (const unit of units) {
    if (unit.documents.length === 0 || (await isImported(deps.db, 'account', unit.uid))) continue;
    for (const document of unit.documents) {
      const key = randomToken(24);
      await deps.storage.put(key, document.file, document.fields.content_type);
      document.key = key;
    }
  }
}

async function removeFiles(deps: Deps, unit: AccountUnit): Promise<void> {
  for (const document of unit.documents) {
    if (!document.key) continue;
    await deps.storage.remove(document.key).catch((error: unknown) => {
      deps.log.error({ err: error, upload: document.key }, 'could not remove the copy of a document that was not imported');
    });
    document.key = undefined;
  }
}

async function importApplication(
  deps: Deps,
  row: BarongApplication,
  transaction: <T>(work: (trx: Executor) => Promise<T>) => Promise<T>,
): Promise<Findings> {
  const findings = emptyFindings();
  const id = String(row.id);
  const mapped = mapApplication(row);
  if ('skip' in mapped) {
    findings.counts.push(['oauth_applications', 'skipped', 1]);
    findings.skipped.push({ table: 'oauth_applications', id, reason: mapped.skip });
    return findings;
  }
  return transaction(async (trx) => {
    if (await isImported(trx, 'application', row.uid)) {
      findings.counts.push(['oauth_applications', 'already_imported', 1]);
      return findings;
    }
    if (await findApplicationByUid(trx, row.uid)) {
      findings.counts.push(['oauth_applications', 'skipped', 1]);
      findings.skipped.push({ table: 'oauth_applications', id, reason: `uid ${row.uid} already used by an application of this server` });
      return findings;
    }
    const targetId = await insertImportedApplication(trx, {
      uid: row.uid,
      name: row.name,
      redirect_uri: mapped.ok.redirect_uri,
      // Keyed like our mailed tokens: a leaked table does not give the secret away.
      secret_hash: row.secret ? tokenDigest(deps.tokenKey, row.secret) : null,
      created_at: row.created_at,
      updated_at: row.updated_at,
    });
    await recordImported(trx, 'application', row.uid, targetId);
    findings.counts.push(['oauth_applications', 'imported', 1]);
    for (const note of mapped.notes) findings.notes.push({ table: 'oauth_applications', id, note });
    return findings;
  });
}
