import type { Kysely } from 'kysely';

/**
 * Revocable sessions. A session JWT carries the account's `session_generation` at sign-in (claim
 * `sgen`); a password change or reset, an operator's 2FA reset and a role change add one, so every
 * session issued before them stops working at once. A counter rather than a "valid after" time: a
 * sign-in that checked the old password just before a change still gets a dead session.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('session_generation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('session_generation').execute();
}
