import type { DocumentRow, Executor, NewDocumentRow } from '../schema.js';

export function insertDocument(db: Executor, row: NewDocumentRow): Promise<DocumentRow> {
  return db.insertInto('documents').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The account's documents, oldest first. */
export function listDocumentsByAccountId(db: Executor, accountId: string): Promise<DocumentRow[]> {
  return db.selectFrom('documents').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

/** A document only if it belongs to the account. */
export function findDocumentOfAccount(db: Executor, accountId: string, id: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('documents').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
}

/** How many documents the account has, and their total size in bytes. */
export async function documentTotalsByAccountId(db: Executor, accountId: string): Promise<{ count: number; bytes: number }> {
  const row = await db
    .selectFrom('documents')
    .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.coalesce(eb.fn.sum<string>('byte_size'), eb.lit(0)).as('bytes')])
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), bytes: Number(row.bytes) };
}

/** Which of these storage keys a document names (the orphan sweep removes the others). */
export async function listKnownUploads(db: Executor, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db.selectFrom('documents').select('upload').where('upload', 'in', keys).execute();
  return rows.map((r) => r.upload);
}
