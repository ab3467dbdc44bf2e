import { sql } from 'kysely';
import type { AccountRow, Executor } from '../schema.js';
import { precompiled } from '../precompiled.js';
import { ACCOUNT_COLUMNS } from './accounts.js';

export interface SignInState {
  applicationExists: boolean;
  /** An account has this email (whether or not an attempt could be reserved on it). */
  accountExists: boolean;
  /** The account after the reservation; undefined while it is locked (nothing was counted). */
  reserved?: AccountRow;
}

/**
 * What a password sign-in needs before the hash, in one round trip: whether the application
 * exists, whether the email has an account, and the reservation of one attempt on it.
 *
 * The reservation counts the attempt as a failure before the password is checked (a right password
 * clears the count afterwards: clearFailedSignIns) and locks the account when the count reaches
 * `maxAttempts`; while the account is locked it counts nothing. It is one conditional UPDATE, so of
 * N parallel attempts at most `maxAttempts` are ever checked; a lock older than `lockSeconds` has
 * expired, and the count starts again from this attempt. Nothing is reserved for an unknown
 * application.
 */
export async function reserveSignInAttempt(
  db: Executor,
  applicationUid: string,
  email: string,
  limits: { maxAttempts: number; lockSeconds: number },
): Promise<SignInState> {
  const [row] = await reservation(db, applicationUid, email, limits.maxAttempts, limits.lockSeconds);
  const { application_exists: applicationExists, account_exists: accountExists, ...reserved } = row;
  return {
    applicationExists: Boolean(applicationExists),
    accountExists: Boolean(accountExists),
    reserved: reserved.id === null ? undefined : (reserved as AccountRow),
  };
}

const reservation = precompiled((db, applicationUid: string, email: string, maxAttempts: number, lockSeconds: number) => {
  const expired = sql<boolean>`(locked_at is not null and locked_at <= now() - make_interval(secs => ${lockSeconds}))`;
  const attempts = sql<number>`(case when ${expired} then 1 else failed_attempts + 1 end)`;
  return db
    .with('application', (qb) => qb.selectFrom('applications').select('id').where('uid', '=', applicationUid))
    .with('account', (qb) =>
      qb
        .selectFrom('accounts')
        .select('id')
        .where('email', '=', email)
        .where((eb) => eb.exists(eb.selectFrom('application').select('id'))),
    )
    .with('reserved', (qb) =>
      qb
        .updateTable('accounts')
        .set({
          failed_attempts: attempts,
          locked_at: sql`case when ${attempts} >= ${maxAttempts} then now() else null end`,
        })
        .where('id', '=', (eb) => eb.selectFrom('account').select('id'))
        .where(sql<boolean>`(locked_at is null or ${expired})`)
        .returning(ACCOUNT_COLUMNS),
    )
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as('one'))
    .leftJoin('reserved', (join) => join.onTrue())
    .select(ACCOUNT_COLUMNS.map((column) => `reserved.${column}` as const))
    .select((eb) => [
      eb.exists(eb.selectFrom('application').select('id')).as('application_exists'),
      eb.exists(eb.selectFrom('account').select('id')).as('account_exists'),
    ]);
});
