/** Row types, one interface per table. Rows stay snake_case, like SQL and the wire format. */
import type { Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

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
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Database {
  accounts: AccountTable;
  account_tokens: AccountTokenTable;
  labels: LabelTable;
  levels: LevelTable;
  applications: ApplicationTable;
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
