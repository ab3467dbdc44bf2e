import { sql } from 'kysely';
import { precompiled } from '../precompiled.js';
import type { AccountRow, AccountUpdate, Executor, NewAccountRow } from '../schema.js';

/**
 * Every column of accounts, named: the hot lookups list them instead of `*`, so the pool may keep
 * them prepared (postgres-pool.ts) and a migration that adds a column does not change their result.
 */
export const ACCOUNT_COLUMNS = Object.keys({
  // A record of every column, so that a column added to AccountTable and not here fails type-checking.
  id: true,
  uid: true,
  email: true,
  password_digest: true,
  role: true,
  level: true,
  state: true,
  otp_enabled: true,
  failed_attempts: true,
  locked_at: true,
  confirmed_at: true,
  session_generation: true,
  discarded_at: true,
  created_at: true,
  updated_at: true,
} satisfies Record<keyof AccountRow, true>) as (keyof AccountRow)[];

/** Inserts the account, or returns undefined when its uid is already taken (a random collision). */
export function insertAccountUnlessUidTaken(db: Executor, row: NewAccountRow): Promise<AccountRow | undefined> {
  return db
    .insertInto('accounts')
    .values(row)
    .onConflict((oc) => oc.column('uid').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findAccountByEmail(db: Executor, email: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

const accountByUid = precompiled((db, uid: string) => db.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('uid', '=', uid));
const accountById = precompiled((db, id: string) => db.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('id', '=', id));

/** The bearer check runs this on every request. */
export async function findAccountByUid(db: Executor, uid: string): Promise<AccountRow | undefined> {
  return (await accountByUid(db, uid))[0];
}

export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  return (await accountById(db, id))[0];
}

/** Row lock for read-modify-write inside a transaction. */
export function lockAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateAccount(db: Executor, id: string, changes: AccountUpdate): Promise<AccountRow> {
  return db
    .updateTable('accounts')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Like updateAccount, and revokes every session issued so far (password change or reset, an
 * operator's 2FA reset, a role change), in the same statement.
 */
export function updateAccountRevokingSessions(db: Executor, id: string, changes: AccountUpdate): Promise<AccountRow> {
  return db
    .updateTable('accounts')
    .set({ ...changes, session_generation: sql`session_generation + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

const clearFailures = precompiled((db, id: string) =>
  db
    .updateTable('accounts')
    .set({ failed_attempts: 0, locked_at: null })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('failed_attempts', '>', 0), eb('locked_at', 'is not', null)])),
);

/** After a right password (sign-in runs this on every success). */
export async function clearFailedSignIns(db: Executor, id: string): Promise<void> {
  await clearFailures(db, id);
}

/** Accounts oldest first, optionally only the one with this (normalized) email. */
export function listAccounts(
  db: Executor,
  filter: { email?: string; limit: number; offset: number },
): Promise<AccountRow[]> {
  let query = db.selectFrom('accounts').selectAll();
  if (filter.email !== undefined) query = query.where('email', '=', filter.email);
  return query.orderBy('id').limit(filter.limit).offset(filter.offset).execute();
}

/**
 * Replaces the password digest only while it is still `from`, so a password changed meanwhile is
 * never overwritten by the upgrade of the old one. True when it was replaced.
 */
export async function replacePasswordDigest(db: Executor, id: string, from: string, to: string): Promise<boolean> {
  const result = await db
    .updateTable('accounts')
    .set({ password_digest: to })
    .where('id', '=', id)
    .where('password_digest', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Accounts whose digest is still bcrypt (imported from Barong, not signed in since), and all. */
export async function countPasswordDigests(db: Executor): Promise<{ bcrypt: number; total: number }> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => [
      eb.fn.countAll<string>().as('total'),
      eb.fn.countAll<string>().filterWhere('password_digest', 'like', '$2_$%').as('bcrypt'),
    ])
    .executeTakeFirstOrThrow();
  return { bcrypt: Number(row.bcrypt), total: Number(row.total) };
}
