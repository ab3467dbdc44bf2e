import { sql, type Kysely } from 'kysely';

/**
 * API keys (a bot's public key) and the client-JWT ids already used with each key: a jti is
 * accepted once (the primary key makes parallel replays fail) and forgotten after its exp.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text')
    .addColumn('expires_in', 'integer', (c) => c.notNull().defaultTo(86_400))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active').check(sql`state in ('active', 'inactive')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('api_keys_account_id_idx').on('api_keys').column('account_id').execute();

  await db.schema
    .createTable('api_key_jtis')
    .addColumn('api_key_id', 'bigint', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_key_jtis_pkey', ['api_key_id', 'jti'])
    .execute();
  await db.schema.createIndex('api_key_jtis_expires_at_idx').on('api_key_jtis').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_key_jtis').execute();
  await db.schema.dropTable('api_keys').execute();
}
