/**
 * A Barong 1.8.0 database on the machine's MariaDB/MySQL (TEST_MYSQL_URL, default
 * mysql://root@127.0.0.1:3306): one database per test file with a unique name, created from
 * tests/fixtures/barong-1.8.0-schema.sql (db/schema.rb at 1.8.0) and dropped afterwards.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hashSync } from '@node-rs/bcrypt';
import mysql from 'mysql2/promise';

export const TEST_MYSQL_URL = (process.env.TEST_MYSQL_URL?.trim() || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

const SCHEMA = fs.readFileSync(new URL('../fixtures/barong-1.8.0-schema.sql', import.meta.url), 'utf8');

/**
 * For a test file that needs MariaDB: why none answers (the file skips, saying so), or undefined
 * when one does. Under CI a missing MariaDB is an error, not a skip.
 */
export async function mariadbForSuite(file: string): Promise<string | undefined> {
  const problem = await mysqlProblem();
  if (problem && process.env.CI) throw new Error(`MariaDB is required under CI: ${problem}; .ci/run starts it`);
  if (problem) console.warn(`${file} skipped: ${problem}`);
  return problem;
}

/** Why no MariaDB answers, or undefined when one does. */
async function mysqlProblem(): Promise<string | undefined> {
  try {
    const connection = await mysql.createConnection({ uri: TEST_MYSQL_URL, connectTimeout: 3000 });
    await connection.end();
    return undefined;
  } catch (error) {
    return `no MariaDB/MySQL answers at ${TEST_MYSQL_URL} (${(error as Error).message}); set TEST_MYSQL_URL or start MariaDB`;
  }
}

export interface BarongDatabase {
  /** mysql://…/<database>, what the importer's --from takes. */
  url: string;
  name: string;
  /** Runs one statement; answers the insert id for INSERTs. */
  run(sql: string, params?: unknown[]): Promise<number>;
  drop(): Promise<void>;
}

export async function createBarongDatabase(): Promise<BarongDatabase> {
  const name = `barong_src_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: TEST_MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8`);
  await admin.end();
  const url = `${TEST_MYSQL_URL}/${name}`;
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true, timezone: 'Z' });
  await connection.query(SCHEMA);
  return {
    url,
    name,
    async run(sql, params = []) {
      const [result] = await connection.query(sql, params);
      return (result as { insertId?: number }).insertId ?? 0;
    },
    async drop() {
      await connection.query(`DROP DATABASE \`${name}\``);
      await connection.end();
    },
  };
}

/** A Devise digest: bcrypt "$2a$" at Barong's production cost (config.stretches = 11). */
export function deviseDigest(password: string, cost = 11): string {
  // Same digest under either prefix for passwords of up to 72 bytes; Devise (bcrypt-ruby) writes "$2a$".
  return hashSync(password, cost).replace(/^\$2[by]\$/, '$2a$');
}

/** A Barong account uid: "ID" and 10 upper-case hex digits. */
export function barongUid(): string {
  return `ID${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** Inserts an account with Barong's defaults; answers its id. */
export function insertAccount(
  db: BarongDatabase,
  fields: { uid: string; email: string; encrypted_password: string } & Record<string, unknown>,
): Promise<number> {
  const row = { role: 'member', level: 0, state: 'active', created_at: new Date('2018-06-01T10:00:00Z'), updated_at: new Date('2018-06-02T10:00:00Z'), ...fields };
  const columns = Object.keys(row);
  return db.run(
    `INSERT INTO accounts (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    Object.values(row),
  );
}

/** Inserts a row of any table with created_at/updated_at set; answers its id. */
export function insertRow(db: BarongDatabase, table: string, fields: Record<string, unknown>): Promise<number> {
  const row = { created_at: new Date('2018-06-03T10:00:00Z'), updated_at: new Date('2018-06-03T10:00:00Z'), ...fields };
  const columns = Object.keys(row);
  return db.run(
    `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    Object.values(row),
  );
}
