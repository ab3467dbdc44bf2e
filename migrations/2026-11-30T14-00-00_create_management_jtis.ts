import { sql, type Kysely } from 'kysely';

/**
 * JWT ids of Management API requests already accepted: the primary key makes a replay fail, also
 * when copies arrive in parallel on several nodes; a row is forgotten once its JWT has expired.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('management_jtis')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('management_jtis_expires_at_idx').on('management_jtis').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('management_jtis').execute();
}
