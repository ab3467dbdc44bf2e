import type { AccountTokenRow, Executor, TokenPurpose } from '../schema.js';

export function insertAccountToken(
  db: Executor,
  row: { account_id: string; purpose: TokenPurpose; token_hash: string; expires_at: Date },
): Promise<AccountTokenRow> {
  return db.insertInto('account_tokens').values(row).returningAll().executeTakeFirstOrThrow();
}

function tokenByHash(db: Executor, purpose: TokenPurpose, tokenHash: string) {
  return db.selectFrom('account_tokens').selectAll().where('purpose', '=', purpose).where('token_hash', '=', tokenHash);
}

export function findAccountTokenByHash(db: Executor, purpose: TokenPurpose, tokenHash: string): Promise<AccountTokenRow | undefined> {
  return tokenByHash(db, purpose, tokenHash).executeTakeFirst();
}

/** Locks the token row, so two requests cannot both use a single-use token. */
export function lockAccountTokenByHash(db: Executor, purpose: TokenPurpose, tokenHash: string): Promise<AccountTokenRow | undefined> {
  return tokenByHash(db, purpose, tokenHash).forUpdate().executeTakeFirst();
}

export function markAccountTokenUsed(db: Executor, id: string): Promise<unknown> {
  return db.updateTable('account_tokens').set({ used_at: new Date() }).where('id', '=', id).execute();
}

/** A new token replaces every earlier unused one of the same purpose. */
export function deleteUnusedAccountTokens(db: Executor, accountId: string, purpose: TokenPurpose): Promise<unknown> {
  return db
    .deleteFrom('account_tokens')
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

export function deleteAccountTokens(db: Executor, accountId: string, purpose: TokenPurpose): Promise<unknown> {
  return db.deleteFrom('account_tokens').where('account_id', '=', accountId).where('purpose', '=', purpose).execute();
}

/** When the latest token of `purpose` was issued (the mail carrying it was written then). */
export async function latestAccountTokenIssuedAt(db: Executor, accountId: string, purpose: TokenPurpose): Promise<Date | undefined> {
  const row = await db
    .selectFrom('account_tokens')
    .select('created_at')
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}
