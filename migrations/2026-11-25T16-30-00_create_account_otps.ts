import { sql, type Kysely } from 'kysely';

/**
 * TOTP secrets, one per account, sealed with AES-256-GCM (never stored readable). `last_used_step`
 * is the last time step whose code was accepted: a code is only accepted for a later step, so a
 * code cannot be replayed. Whether 2FA is on stays `accounts.otp_enabled`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_otps')
    .addColumn('account_id', 'bigint', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('last_used_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_otps').execute();
}
