import { sql } from 'kysely';
import type { AccountOtpRow, Executor } from '../schema.js';

export function findAccountOtp(db: Executor, accountId: string): Promise<AccountOtpRow | undefined> {
  return db.selectFrom('account_otps').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Stores a new secret for the account, replacing its previous one. */
export function upsertAccountOtpSecret(db: Executor, accountId: string, secretSealed: string): Promise<AccountOtpRow> {
  return db
    .insertInto('account_otps')
    .values({ account_id: accountId, secret_sealed: secretSealed })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ secret_sealed: secretSealed, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Records that a code of `step` was accepted, only if no code of this or a later step was: true
 * for exactly one of several parallel requests with the same code (the row lock orders them and
 * the condition is re-checked on the updated row).
 */
export async function claimOtpStep(db: Executor, accountId: string, step: number): Promise<boolean> {
  const claimed = await db
    .updateTable('account_otps')
    .set({ last_used_step: String(step), updated_at: sql`now()` })
    .where('account_id', '=', accountId)
    .where('last_used_step', '<', String(step))
    .returning('account_id')
    .executeTakeFirst();
  return claimed !== undefined;
}

export function deleteAccountOtp(db: Executor, accountId: string): Promise<unknown> {
  return db.deleteFrom('account_otps').where('account_id', '=', accountId).execute();
}
