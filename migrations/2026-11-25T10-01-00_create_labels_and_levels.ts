import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('labels')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('public').check(sql`scope in ('public', 'private')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('labels_account_key_scope_key', ['account_id', 'key', 'scope'])
    .execute();

  // The level number is the row id; levels must be satisfied in id order (Barong's dynamic levels).
  await db.schema
    .createTable('levels')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('levels_key_value_key', ['key', 'value'])
    .execute();
  await db
    .insertInto('levels')
    .values([
      { id: 1, key: 'email', value: 'verified', description: 'User clicked on the confirmation link' },
      { id: 2, key: 'phone', value: 'verified', description: 'User entered a valid code from sms' },
      { id: 3, key: 'document', value: 'verified', description: 'User personal documents have been verified' },
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('levels').execute();
  await db.schema.dropTable('labels').execute();
}
