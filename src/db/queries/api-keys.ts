import { sql } from 'kysely';
import type { ApiKeyRow, ApiKeyUpdate, Executor, NewApiKeyRow } from '../schema.js';

export function insertApiKey(db: Executor, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listApiKeysByAccountId(db: Executor, accountId: string): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

export function findApiKeyByUid(db: Executor, uid: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('uid', '=', uid).executeTakeFirst();
}

export function findAccountApiKey(db: Executor, accountId: string, uid: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('uid', '=', uid)
    .executeTakeFirst();
}

export function updateAccountApiKey(
  db: Executor,
  accountId: string,
  uid: string,
  changes: ApiKeyUpdate,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ ...changes, updated_at: sql`now()` })
    .where('account_id', '=', accountId)
    .where('uid', '=', uid)
    .returningAll()
    .executeTakeFirst();
}

/** True when the account had the key. */
export async function deleteAccountApiKey(db: Executor, accountId: string, uid: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('api_keys')
    .where('account_id', '=', accountId)
    .where('uid', '=', uid)
    .returning('id')
    .executeTakeFirst();
  return deleted !== undefined;
}
