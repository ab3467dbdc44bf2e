import type { Executor } from '../schema.js';

/**
 * Records a Management API JWT id as used; false when it already was (also when a parallel
 * request recorded it first: the primary key decides).
 */
export async function claimManagementJti(db: Executor, jti: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('management_jtis')
    .values({ jti, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .returning('jti')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets ids whose JWTs have expired (they can no longer be replayed anyway). */
export function deleteExpiredManagementJtis(db: Executor, now: Date): Promise<unknown> {
  return db.deleteFrom('management_jtis').where('expires_at', '<', now).execute();
}
