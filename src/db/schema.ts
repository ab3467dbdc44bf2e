/** Row types, one interface per table. Rows stay snake_case, like SQL and the wire format. */
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/** bigserial ids: pg returns int8 as a string. */
type Id = string;

export interface AccountTable {
  id: Generated<Id>;
  uid: string;
  email: string;
  password_digest: string;
  role: Generated<string>;
  level: Generated<number>;
  state: Generated<string>;
  otp_enabled: Generated<boolean>;
  failed_attempts: Generated<number>;
  locked_at: Date | null;
  confirmed_at: Date | null;
  /** Bumped to revoke every session issued before (claim `sgen`). */
  session_generation: Generated<number>;
  /** Set only on accounts imported from Barong that it had discarded (soft-deleted). */
  discarded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type TokenPurpose = 'confirmation' | 'reset_password';

/** One-time tokens sent by mail; only an HMAC of the token is stored. */
export interface AccountTokenTable {
  id: Generated<Id>;
  account_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Generated<Date>;
}

export interface LabelTable {
  id: Generated<Id>;
  account_id: string;
  key: string;
  value: string;
  scope: 'public' | 'private';
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LevelTable {
  id: number;
  key: string;
  value: string;
  description: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ApplicationTable {
  id: Generated<Id>;
  uid: string;
  name: string;
  redirect_uri: string | null;
  /** HMAC of an imported Barong (Doorkeeper) client secret; null for our own applications. */
  secret_hash: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Ledger of Barong records already imported (scripts/import-barong.ts), keyed by Barong's uid. */
export interface BarongImportTable {
  kind: 'account' | 'application';
  barong_uid: string;
  target_id: string;
  imported_at: Generated<Date>;
}

/** KYC profile, one per account. */
export interface ProfileTable {
  id: Generated<Id>;
  account_id: string;
  first_name: string;
  last_name: string;
  /** date: 'YYYY-MM-DD' (database.ts makes pg return DATE as text). */
  dob: string;
  address: string;
  postcode: string;
  city: string;
  country: string;
  /** jsonb: written as a JSON string, read as the parsed object. */
  metadata: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A phone of an account; only an HMAC of the current SMS code is stored. */
export interface PhoneTable {
  id: Generated<Id>;
  account_id: string;
  /** E.164 digits without '+'. */
  number: string;
  /** ISO country of the number ('001' for non-geographic numbers). */
  country: string;
  validated_at: Date | null;
  code_hash: string | null;
  code_expires_at: Date | null;
  /** Wrong codes entered against the current code. */
  code_attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A KYC document; the file itself is in storage under `upload`. */
export interface DocumentTable {
  id: Generated<Id>;
  account_id: string;
  /** Storage key: a random name. */
  upload: string;
  content_type: string;
  byte_size: number;
  doc_type: string;
  doc_number: string;
  /** date: 'YYYY-MM-DD' (database.ts makes pg return DATE as text). */
  doc_expire: string;
  /** jsonb: written as a JSON string, read as the parsed object. */
  metadata: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The account's TOTP secret, sealed (crypto/secret-box.ts); 2FA is on when accounts.otp_enabled. */
export interface AccountOtpTable {
  account_id: string;
  secret_sealed: string;
  /** bigint: the last time step whose code was accepted (codes of later steps only). */
  last_used_step: ColumnType<string, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** An API key: the public key a bot signs its JWTs with. */
export interface ApiKeyTable {
  id: Generated<Id>;
  /** UUID, the client's `kid`. */
  uid: string;
  account_id: string;
  /** As the client sent it: PEM, or URL-safe Base64 of the PEM. */
  public_key: string;
  scopes: string | null;
  expires_in: number;
  state: 'active' | 'inactive';
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Client-JWT ids already used with a key, kept until the JWT's exp. */
export interface ApiKeyJtiTable {
  api_key_id: string;
  jti: string;
  expires_at: Date;
}

/** One operator action (append-only: a trigger refuses UPDATE and DELETE). */
export interface AuditRecordTable {
  id: Generated<Id>;
  /** An account uid, "operator token", or another named actor (e.g. a Management API signer). */
  actor: string;
  /** Dotted name, e.g. `review.reject`, `label.set`, `role.change`. */
  action: string;
  /** The uid of the account acted on, if any. */
  target_uid: string | null;
  /** jsonb: written as a JSON string, read as the parsed object. */
  before: ColumnType<Record<string, unknown> | null, string | null, never>;
  after: ColumnType<Record<string, unknown> | null, string | null, never>;
  request_id: string | null;
  source_ip: string | null;
  created_at: Generated<Date>;
}

export type OutboxJobKind = 'mail' | 'event';

/** A mail or event waiting for delivery (migrations/…_create_outbox_jobs.ts). */
export interface OutboxJobTable {
  id: Generated<Id>;
  uid: string;
  queue: string;
  kind: OutboxJobKind;
  ordering_key: string | null;
  /** jsonb: written as a JSON string, read as the parsed object. */
  payload: ColumnType<Record<string, unknown>, string, string>;
  state: Generated<'pending' | 'dead'>;
  attempts: Generated<number>;
  run_after: Generated<Date>;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Management API JWT ids already used, kept until the JWT's exp. */
export interface ManagementJtiTable {
  jti: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

export interface Database {
  account_otps: AccountOtpTable;
  api_keys: ApiKeyTable;
  api_key_jtis: ApiKeyJtiTable;
  management_jtis: ManagementJtiTable;
  accounts: AccountTable;
  account_tokens: AccountTokenTable;
  labels: LabelTable;
  levels: LevelTable;
  applications: ApplicationTable;
  profiles: ProfileTable;
  phones: PhoneTable;
  documents: DocumentTable;
  audit_records: AuditRecordTable;
  outbox_jobs: OutboxJobTable;
  barong_imports: BarongImportTable;
}

export type Db = Kysely<Database>;
/** Query functions take either the database or an open transaction first. */
export type Executor = Kysely<Database> | Transaction<Database>;

export type AccountRow = Selectable<AccountTable>;
export type NewAccountRow = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
export type AccountTokenRow = Selectable<AccountTokenTable>;
export type LabelRow = Selectable<LabelTable>;
export type LevelRow = Selectable<LevelTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type ProfileRow = Selectable<ProfileTable>;
/** What a person gives about themselves, in POST /profiles as in a Barong import: all required. */
export const PROFILE_DETAILS = ['first_name', 'last_name', 'dob', 'address', 'postcode', 'city', 'country'] as const;
export type ProfileDetails = Pick<ProfileRow, (typeof PROFILE_DETAILS)[number]>;
export type NewProfileRow = Insertable<ProfileTable>;
export type PhoneRow = Selectable<PhoneTable>;
export type DocumentRow = Selectable<DocumentTable>;
export type NewDocumentRow = Insertable<DocumentTable>;
export type AccountOtpRow = Selectable<AccountOtpTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type NewApiKeyRow = Insertable<ApiKeyTable>;
export type ApiKeyUpdate = Updateable<ApiKeyTable>;
export type AuditRecordRow = Selectable<AuditRecordTable>;
export type NewAuditRecordRow = Insertable<AuditRecordTable>;
export type OutboxJobRow = Selectable<OutboxJobTable>;
