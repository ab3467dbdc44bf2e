import type { Executor } from '../schema.js';

/**
 * Records a client-JWT id as used with the key; false when it already was (also when a parallel
 * request recorded it first: the primary key decides).
 */
export async function claimApiKeyJti(db: Executor, apiKeyId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('api_key_jtis')
    .values({ api_key_id: apiKeyId, jti, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['api_key_id', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets ids whose JWTs have expired (they can no longer be replayed anyway). */
export function deleteExpiredApiKeyJtis(db: Executor, apiKeyId: string, now: Date): Promise<unknown> {
  return db.deleteFrom('api_key_jtis').where('api_key_id', '=', apiKeyId).where('expires_at', '<', now).execute();
}
