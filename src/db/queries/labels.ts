import { sql } from 'kysely';
import type { Executor, LabelRow } from '../schema.js';

export function listLabelsByAccountId(db: Executor, accountId: string): Promise<LabelRow[]> {
  return db.selectFrom('labels').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

export function listPrivateLabelsByAccountId(db: Executor, accountId: string): Promise<LabelRow[]> {
  return db
    .selectFrom('labels')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('scope', '=', 'private')
    .execute();
}

/** Creates or updates a label of the given scope (one per account, key and scope). */
export function upsertLabel(
  db: Executor,
  row: { account_id: string; key: string; value: string; scope: 'public' | 'private' },
): Promise<LabelRow> {
  return db
    .insertInto('labels')
    .values(row)
    .onConflict((oc) =>
      oc.constraint('labels_account_key_scope_key').doUpdateSet({ value: row.value, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
