import { sql } from 'kysely';
import type { Executor, PhoneRow } from '../schema.js';

/** The row of a number verified on any account, if there is one. */
export function findVerifiedPhoneByNumber(db: Executor, number: string): Promise<PhoneRow | undefined> {
  return db
    .selectFrom('phones')
    .selectAll()
    .where('number', '=', number)
    .where('validated_at', 'is not', null)
    .executeTakeFirst();
}

export function findPhone(db: Executor, accountId: string, number: string): Promise<PhoneRow | undefined> {
  return db.selectFrom('phones').selectAll().where('account_id', '=', accountId).where('number', '=', number).executeTakeFirst();
}

/** Row lock for checking a code: parallel attempts on one phone run one after the other. */
export function lockPhone(db: Executor, accountId: string, number: string): Promise<PhoneRow | undefined> {
  return db
    .selectFrom('phones')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('number', '=', number)
    .forUpdate()
    .executeTakeFirst();
}

export function listPhonesByAccountId(db: Executor, accountId: string): Promise<PhoneRow[]> {
  return db.selectFrom('phones').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

interface NewCode {
  code_hash: string;
  code_expires_at: Date;
}

/**
 * Adds the number to the account, or gives its existing unverified row a new code (and a fresh
 * count of attempts). Returns undefined when the row is already verified.
 */
export function upsertPhoneWithCode(
  db: Executor,
  row: { account_id: string; number: string; country: string } & NewCode,
): Promise<PhoneRow | undefined> {
  return db
    .insertInto('phones')
    .values(row)
    .onConflict((oc) =>
      oc
        .constraint('phones_account_number_key')
        .doUpdateSet({
          country: row.country,
          code_hash: row.code_hash,
          code_expires_at: row.code_expires_at,
          code_attempts: 0,
          updated_at: sql`now()`,
        })
        .where('phones.validated_at', 'is', null),
    )
    .returningAll()
    .executeTakeFirst();
}

/** A new code for an unverified phone; undefined when it is verified (or gone). */
export function setPhoneCode(db: Executor, id: string, code: NewCode): Promise<PhoneRow | undefined> {
  return db
    .updateTable('phones')
    .set({ ...code, code_attempts: 0, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('validated_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Withdraws a code, only if it is still the current one (a newer code is left alone). */
export function clearPhoneCode(db: Executor, id: string, codeHash: string): Promise<unknown> {
  return db
    .updateTable('phones')
    .set({ code_hash: null, code_expires_at: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('code_hash', '=', codeHash)
    .execute();
}

export function recordWrongPhoneCode(db: Executor, id: string): Promise<unknown> {
  return db
    .updateTable('phones')
    .set({ code_attempts: sql`code_attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Marks the phone verified and uses up its code. The partial unique index refuses a number verified elsewhere. */
export function markPhoneVerified(db: Executor, id: string): Promise<unknown> {
  return db
    .updateTable('phones')
    .set({ validated_at: sql`now()`, code_hash: null, code_expires_at: null, code_attempts: 0, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('validated_at', 'is', null)
    .execute();
}
