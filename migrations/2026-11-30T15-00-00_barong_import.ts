import { sql, type Kysely } from 'kysely';

/**
 * What an import from Barong 1.8 keeps that nothing else wrote before: an account's discard time
 * (Barong soft-deleted accounts), an OAuth application's secret (only as an HMAC), and the ledger
 * of imported Barong records, written in the same transaction as the rows of each record, so a
 * second or interrupted run knows what is already done.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('discarded_at', 'timestamptz').execute();
  await db.schema.alterTable('applications').addColumn('secret_hash', 'text').execute();
  await db.schema
    .createTable('barong_imports')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('account', 'application')`))
    .addColumn('barong_uid', 'text', (c) => c.notNull())
    .addColumn('target_id', 'bigint', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('barong_imports_pkey', ['kind', 'barong_uid'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('barong_imports').execute();
  await db.schema.alterTable('applications').dropColumn('secret_hash').execute();
  await db.schema.alterTable('accounts').dropColumn('discarded_at').execute();
}
