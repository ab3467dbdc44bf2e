import { sql, type Kysely } from 'kysely';

/**
 * Phone numbers of accounts, verified by an SMS code. `number` is E.164 digits without '+', as
 * Barong stored it. Only an HMAC of the current code is kept, with its expiry and wrong attempts.
 * One row per (account, number); a number can be verified on one account only, which the partial
 * unique index enforces even for two accounts verifying at the same moment.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('phones')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('validated_at', 'timestamptz')
    .addColumn('code_hash', 'text')
    .addColumn('code_expires_at', 'timestamptz')
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('phones_account_number_key', ['account_id', 'number'])
    .execute();
  await db.schema
    .createIndex('phones_verified_number_key')
    .on('phones')
    .column('number')
    .unique()
    .where(sql.ref('validated_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('phones').execute();
}
