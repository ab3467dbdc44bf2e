/**
 * How one Barong 1.8 row becomes one of ours, or why it cannot: pure functions, no I/O. A row that
 * breaks a rule our API enforces is skipped with the reason (never half-imported); a row that can
 * come over with a change (an API key whose public key no longer parses) comes with a note.
 */
import type {
  BarongAccount,
  BarongApiKey,
  BarongApplication,
  BarongDocument,
  BarongLabel,
  BarongProfile,
} from '../../adapters/barong/mysql-source.js';
import { parseApiPublicKey } from '../../crypto/api-key-jwt.js';
import { isLegacyDigest } from '../../crypto/password.js';
import type { ProfileDetails } from '../../db/schema.js';
import { emailProblems, normalizeEmail } from '../accounts/rules.js';
import { parseCalendarDate } from '../calendar-date.js';
import { acceptedUploadType, DOC_NUMBER_MAX, DOC_TYPES } from '../documents/documents.js';
import { labelKeyProblems, labelValueProblems, normalizeLabelText } from '../labels/rules.js';

export type Mapped<T> = { ok: T; notes: string[] } | { skip: string };

const ROLES = ['admin', 'compliance', 'member'];
/** Barong's document size limit, and ours. */
export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

export interface AccountFields {
  uid: string;
  email: string;
  password_digest: string;
  role: string;
  state: string;
  otp_enabled: boolean;
  failed_attempts: number;
  locked_at: Date | null;
  confirmed_at: Date | null;
  discarded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function mapAccount(row: BarongAccount): Mapped<AccountFields> {
  const uid = (row.uid ?? '').trim();
  if (!uid) return { skip: 'no uid' };
  const email = normalizeEmail(row.email ?? '');
  if (emailProblems(email).length > 0) return { skip: `invalid email "${row.email}"` };
  if (!ROLES.includes(row.role)) return { skip: `unknown role "${row.role}"` };
  const notes: string[] = [];
  const digest = row.encrypted_password ?? '';
  if (!isLegacyDigest(digest)) notes.push('no bcrypt password digest: the user must reset the password');
  // Barong refused discarded accounts at sign-in (active_for_authentication?); a state other than
  // 'active' does the same here, for sign-in and for bearer tokens.
  const state = row.discarded_at ? 'discarded' : row.state;
  return {
    ok: {
      uid,
      email,
      password_digest: digest,
      role: row.role,
      state,
      otp_enabled: Boolean(row.otp_enabled),
      failed_attempts: row.failed_attempts ?? 0,
      locked_at: row.locked_at,
      confirmed_at: row.confirmed_at,
      discarded_at: row.discarded_at,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
    notes,
  };
}

export type ProfileFields = ProfileDetails & { metadata: string | null; created_at: Date; updated_at: Date };

export function mapProfile(row: BarongProfile): Mapped<ProfileFields> {
  const required = ['first_name', 'last_name', 'dob', 'address', 'postcode', 'city', 'country'] as const;
  const missing = required.filter((field) => !row[field] || String(row[field]).trim() === '');
  if (missing.length > 0) return { skip: `missing ${missing.join(', ')}` };
  if (!parseCalendarDate(row.dob!)) return { skip: `invalid dob "${row.dob}"` };
  const notes: string[] = [];
  const metadata = parseJsonObject(row.metadata);
  if (metadata === INVALID) notes.push('metadata is not a JSON object: dropped');
  return {
    ok: {
      first_name: row.first_name!,
      last_name: row.last_name!,
      dob: row.dob!,
      address: row.address!,
      postcode: row.postcode!,
      city: row.city!,
      country: row.country!,
      metadata: metadata === INVALID ? null : metadata,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
    notes,
  };
}

export function mapLabel(row: BarongLabel): Mapped<{ key: string; value: string; scope: 'public' | 'private' }> {
  const key = normalizeLabelText(row.key ?? '');
  const value = normalizeLabelText(row.value ?? '');
  const problems = [...labelKeyProblems(key), ...labelValueProblems(value)];
  if (problems.length > 0) return { skip: problems.join(', ') };
  if (row.scope !== 'public' && row.scope !== 'private') return { skip: `unknown scope "${row.scope}"` };
  return { ok: { key, value, scope: row.scope }, notes: [] };
}

export function mapApiKey(row: BarongApiKey): Mapped<{ state: 'active' | 'inactive' }> {
  const notes: string[] = [];
  let state: 'active' | 'inactive' = row.state === 'active' ? 'active' : 'inactive';
  if (row.state !== 'active' && row.state !== 'inactive') notes.push(`unknown state "${row.state}": imported as inactive`);
  if (!parseApiPublicKey(row.public_key ?? '')) {
    if (state === 'active') notes.push('public key is not an RSA or EC public key: imported as inactive');
    state = 'inactive';
  }
  return { ok: { state }, notes };
}

/**
 * Barong 1.8.0 split its type list with %w[], so its documents say 'Identity' or 'card', 'Driver'
 * or 'license' as often as the intended names.
 */
const DOC_TYPE_ALIASES: Readonly<Record<string, string>> = {
  identity: 'Identity card',
  card: 'Identity card',
  driver: 'Driver license',
  license: 'Driver license',
};

export function mapDocType(docType: string | null): string | undefined {
  const text = (docType ?? '').trim().toLowerCase();
  return DOC_TYPES.find((t) => t.toLowerCase() === text) ?? DOC_TYPE_ALIASES[text];
}

export interface DocumentFields {
  doc_type: string;
  doc_number: string;
  doc_expire: string;
  metadata: string | null;
  content_type: string;
  created_at: Date;
  updated_at: Date;
}

/** `file` is the upload's content, or undefined when Barong's storage has none. */
export async function mapDocument(row: BarongDocument, file: Buffer | undefined): Promise<Mapped<DocumentFields>> {
  const docType = mapDocType(row.doc_type);
  if (!docType) return { skip: `unknown doc_type "${row.doc_type}"` };
  const docNumber = (row.doc_number ?? '').trim();
  if (!docNumber) return { skip: 'no doc_number' };
  if ([...docNumber].length > DOC_NUMBER_MAX || docNumber.includes('\u0000')) return { skip: 'invalid doc_number' };
  if (!row.doc_expire || !parseCalendarDate(row.doc_expire)) return { skip: `invalid doc_expire "${row.doc_expire}"` };
  if (!row.upload) return { skip: 'no upload' };
  if (!file) return { skip: `file ${row.upload} not found in Barong's uploads` };
  if (file.length === 0) return { skip: `file ${row.upload} is empty` };
  if (file.length > DOCUMENT_MAX_BYTES) return { skip: `file ${row.upload} is larger than 10 MB` };
  const contentType = await acceptedUploadType(file);
  if (!contentType) return { skip: `file ${row.upload} is not a JPEG, PNG or PDF` };
  const notes: string[] = [];
  if (docType !== row.doc_type) notes.push(`doc_type "${row.doc_type}" imported as "${docType}"`);
  const metadata = parseJsonObject(row.metadata);
  if (metadata === INVALID) notes.push('metadata is not a JSON object: dropped');
  return {
    ok: {
      doc_type: docType,
      doc_number: docNumber,
      doc_expire: row.doc_expire,
      metadata: metadata === INVALID ? null : metadata,
      content_type: contentType,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
    notes,
  };
}

/**
 * Doorkeeper kept one redirect URI per line (or the out-of-band URN); ours is one absolute URI.
 */
export function mapApplication(row: BarongApplication): Mapped<{ redirect_uri: string | null }> {
  if (!(row.uid ?? '').trim()) return { skip: 'no uid' };
  if (!(row.name ?? '').trim()) return { skip: 'no name' };
  const lines = (row.redirect_uri ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const first = lines[0];
  const notes: string[] = [];
  let redirectUri: string | null = null;
  if (first && isAbsoluteHttpUri(first)) redirectUri = first;
  else if (first) notes.push(`redirect_uri "${first}" is not an absolute http(s) URI: dropped`);
  if (lines.length > 1) notes.push(`only the first of ${lines.length} redirect URIs kept`);
  return { ok: { redirect_uri: redirectUri }, notes };
}

function isAbsoluteHttpUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

/**
 * A Vault export: one JSON object, account uid → the TOTP secret (Base32, as Vault's TOTP engine
 * keeps it) or the otpauth:// URL holding it. Returns the secret, or why it cannot be used.
 */
export function totpSecretFromExport(value: unknown): { secret: string } | { problem: string } {
  if (typeof value !== 'string') return { problem: 'the Vault export entry is not a string' };
  let secret = value.trim();
  if (secret.startsWith('otpauth://')) {
    try {
      secret = new URL(secret).searchParams.get('secret') ?? '';
    } catch {
      return { problem: 'the Vault export entry is not a valid otpauth:// URL' };
    }
  }
  secret = secret.replace(/[\s=]/g, '').toUpperCase();
  if (!/^[A-Z2-7]+$/.test(secret)) return { problem: 'the Vault export secret is not Base32' };
  // otplib needs 16 bytes or more; Vault generated 20.
  if (Math.floor((secret.length * 5) / 8) < 16) return { problem: 'the Vault export secret is shorter than 16 bytes' };
  return { secret };
}

const INVALID = Symbol('invalid');

function parseJsonObject(text: string | null): string | null | typeof INVALID {
  if (text === null || text.trim() === '' || text.trim() === 'null') return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return INVALID;
    return JSON.stringify(value);
  } catch {
    return INVALID;
  }
}
