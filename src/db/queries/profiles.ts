import type { Executor, NewProfileRow, ProfileRow } from '../schema.js';

export function findProfileByAccountId(db: Executor, accountId: string): Promise<ProfileRow | undefined> {
  return db.selectFrom('profiles').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Inserts the profile; the unique index profiles_account_id_key refuses a second one per account. */
export async function insertProfile(db: Executor, row: NewProfileRow): Promise<void> {
  await db.insertInto('profiles').values(row).execute();
}
