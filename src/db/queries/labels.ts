import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Executor, LabelRow } from '../schema.js';

/** The one label of an account with that key and scope (unique by labels_account_key_scope_key). */
const labelIs =
  (accountId: string, key: string, scope: 'public' | 'private') => (eb: ExpressionBuilder<Database, 'labels'>) =>
    eb.and([eb('account_id', '=', accountId), eb('key', '=', key), eb('scope', '=', scope)]);

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

/** The account's labels with this key, in both scopes (a public and a private one may share a key). */
export function listLabelsByKey(db: Executor, accountId: string, key: string): Promise<LabelRow[]> {
  return db
    .selectFrom('labels')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .orderBy('id')
    .execute();
}

export function findLabel(
  db: Executor,
  accountId: string,
  key: string,
  scope: 'public' | 'private',
): Promise<LabelRow | undefined> {
  return db.selectFrom('labels').selectAll().where(labelIs(accountId, key, scope)).executeTakeFirst();
}

/** Inserts a label; the unique constraint labels_account_key_scope_key refuses a duplicate key. */
export function insertLabel(
  db: Executor,
  row: { account_id: string; key: string; value: string; scope: 'public' | 'private' },
): Promise<LabelRow> {
  return db.insertInto('labels').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Undefined when the label is gone (deleted meanwhile). */
export function updateLabelValue(db: Executor, id: string, value: string): Promise<LabelRow | undefined> {
  return db
    .updateTable('labels')
    .set({ value, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the label of that key and scope; undefined when there was none. */
export function deleteLabel(
  db: Executor,
  accountId: string,
  key: string,
  scope: 'public' | 'private',
): Promise<LabelRow | undefined> {
  return db.deleteFrom('labels').where(labelIs(accountId, key, scope)).returningAll().executeTakeFirst();
}
