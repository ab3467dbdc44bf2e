import type { AccountRow, Executor } from '../schema.js';

/**
 * What a password sign-in needs to read, in one round trip: whether the application exists, and
 * the account with that email (lockout state included). No row = no such application.
 */
export async function findSignInState(
  db: Executor,
  applicationUid: string,
  email: string,
): Promise<{ applicationExists: boolean; account?: AccountRow }> {
  const row = await db
    .selectFrom('applications')
    .leftJoin('accounts', (join) => join.on((eb) => eb('accounts.email', '=', email)))
    .selectAll('accounts')
    .where('applications.uid', '=', applicationUid)
    .executeTakeFirst();
  if (!row) return { applicationExists: false };
  return { applicationExists: true, account: row.id === null ? undefined : (row as AccountRow) };
}
