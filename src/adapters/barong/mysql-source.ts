/**
 * Reads a Barong 1.8 MySQL/MariaDB database (schema: Barong's db/schema.rb at 1.8.0) with mysql2,
 * read-only and in primary-key order, so a run can page through a live copy. Rails wrote DATETIME
 * columns in UTC, so they are read as UTC; DATE columns stay 'YYYY-MM-DD' text.
 */
import mysql from 'mysql2/promise';

export interface BarongAccount {
  id: number;
  uid: string;
  email: string;
  encrypted_password: string;
  confirmed_at: Date | null;
  failed_attempts: number;
  locked_at: Date | null;
  role: string;
  level: number;
  otp_enabled: number | null;
  state: string;
  discarded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface BarongProfile {
  id: number;
  account_id: number | null;
  first_name: string | null;
  last_name: string | null;
  dob: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  metadata: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface BarongPhone {
  id: number;
  account_id: number;
  country: string | null;
  number: string;
  validated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface BarongLabel {
  id: number;
  account_id: number | null;
  key: string;
  value: string;
  scope: string;
  created_at: Date;
  updated_at: Date;
}

export interface BarongApiKey {
  uid: string;
  account_id: number;
  public_key: string;
  scopes: string | null;
  expires_in: number;
  state: string;
  created_at: Date;
  updated_at: Date;
}

export interface BarongDocument {
  id: number;
  account_id: number | null;
  upload: string | null;
  doc_type: string | null;
  doc_number: string | null;
  doc_expire: string | null;
  metadata: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface BarongApplication {
  id: number;
  name: string;
  uid: string;
  secret: string;
  redirect_uri: string;
  created_at: Date;
  updated_at: Date;
}

export interface BarongLevel {
  id: number;
  key: string | null;
  value: string | null;
}

/** The rows that hang off a batch of accounts, each list in primary-key order. */
export interface BarongAccountRows {
  profiles: BarongProfile[];
  phones: BarongPhone[];
  labels: BarongLabel[];
  apiKeys: BarongApiKey[];
  documents: BarongDocument[];
}

export type DependentTable = 'profiles' | 'phones' | 'labels' | 'api_keys' | 'documents';

export interface BarongSource {
  /** host:port/database, for the report (never the password). */
  readonly name: string;
  count(table: 'accounts' | 'oauth_applications' | DependentTable): Promise<number>;
  levels(): Promise<BarongLevel[]>;
  applications(): Promise<BarongApplication[]>;
  /** Up to `limit` accounts with an id above `afterId`, in id order. */
  accountsAfter(afterId: number, limit: number): Promise<BarongAccount[]>;
  rowsOfAccounts(accountIds: number[]): Promise<BarongAccountRows>;
  /** Ids (uids for api_keys) of rows whose account does not exist. */
  orphans(table: DependentTable): Promise<string[]>;
  /** Accounts whose email equals another's but for letter case: every id but the oldest of each group. */
  caseDuplicateEmails(): Promise<Array<{ id: number; keptUid: string }>>;
  close(): Promise<void>;
}

const COLUMNS = {
  accounts:
    'id, uid, email, encrypted_password, confirmed_at, failed_attempts, locked_at, role, level, otp_enabled, state, discarded_at, created_at, updated_at',
  profiles: 'id, account_id, first_name, last_name, dob, address, postcode, city, country, metadata, created_at, updated_at',
  phones: 'id, account_id, country, number, validated_at, created_at, updated_at',
  labels: 'id, account_id, `key`, value, scope, created_at, updated_at',
  api_keys: 'uid, account_id, public_key, scopes, expires_in, state, created_at, updated_at',
  documents: 'id, account_id, upload, doc_type, doc_number, doc_expire, metadata, created_at, updated_at',
} as const;

export async function openBarongSource(url: string): Promise<BarongSource> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`--from must be a mysql:// URL, not ${parsed.protocol}//`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('--from must name the database: mysql://USER:PASS@HOST:PORT/DB');
  const connection = await mysql.createConnection({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    timezone: 'Z',
    dateStrings: ['DATE'],
    supportBigNumbers: true,
    charset: 'utf8mb4',
  });
  const name = `${parsed.hostname}:${parsed.port || 3306}/${database}`;

  async function select<T>(query: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await connection.query(query, params);
    return rows as T[];
  }
  const inList = (ids: number[]) => (ids.length > 0 ? ids : [0]);

  return {
    name,
    async count(table) {
      const [row] = await select<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${table}\``);
      return Number(row.n);
    },
    levels: () => select<BarongLevel>('SELECT id, `key`, value FROM levels ORDER BY id'),
    applications: () =>
      select<BarongApplication>('SELECT id, name, uid, secret, redirect_uri, created_at, updated_at FROM oauth_applications ORDER BY id'),
    accountsAfter: (afterId, limit) =>
      select<BarongAccount>(`SELECT ${COLUMNS.accounts} FROM accounts WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit]),
    async rowsOfAccounts(accountIds) {
      const ids = inList(accountIds);
      const [profiles, phones, labels, apiKeys, documents] = await Promise.all([
        select<BarongProfile>(`SELECT ${COLUMNS.profiles} FROM profiles WHERE account_id IN (?) ORDER BY id`, [ids]),
        select<BarongPhone>(`SELECT ${COLUMNS.phones} FROM phones WHERE account_id IN (?) ORDER BY id`, [ids]),
        select<BarongLabel>(`SELECT ${COLUMNS.labels} FROM labels WHERE account_id IN (?) ORDER BY id`, [ids]),
        select<BarongApiKey>(`SELECT ${COLUMNS.api_keys} FROM api_keys WHERE account_id IN (?) ORDER BY created_at, uid`, [ids]),
        select<BarongDocument>(`SELECT ${COLUMNS.documents} FROM documents WHERE account_id IN (?) ORDER BY id`, [ids]),
      ]);
      return { profiles, phones, labels, apiKeys, documents };
    },
    async orphans(table) {
      const key = table === 'api_keys' ? 'uid' : 'id';
      const rows = await select<{ k: string | number }>(
        `SELECT t.${key} AS k FROM \`${table}\` t LEFT JOIN accounts a ON a.id = t.account_id WHERE a.id IS NULL ORDER BY t.${key}`,
      );
      return rows.map((r) => String(r.k));
    },
    async caseDuplicateEmails() {
      const rows = await select<{ id: number; uid: string; email_key: string }>(
        `SELECT id, uid, LOWER(TRIM(email)) AS email_key FROM accounts
          WHERE LOWER(TRIM(email)) IN (SELECT LOWER(TRIM(email)) FROM accounts GROUP BY LOWER(TRIM(email)) HAVING COUNT(*) > 1)
          ORDER BY id`,
      );
      const kept = new Map<string, string>();
      const duplicates: Array<{ id: number; keptUid: string }> = [];
      for (const row of rows) {
        const first = kept.get(row.email_key);
        if (first === undefined) kept.set(row.email_key, row.uid);
        else duplicates.push({ id: Number(row.id), keptUid: first });
      }
      return duplicates;
    },
    close: () => connection.end(),
  };
}
