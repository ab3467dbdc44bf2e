import { sql, type Kysely } from 'kysely';

/**
 * The operators' audit trail: one row per action, never changed. A trigger refuses UPDATE and
 * DELETE, so not even a bug in our own code (or a careless operator with SQL) rewrites history;
 * there is no foreign key to accounts, so deleting an account keeps the record of what was done.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_records')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_uid', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('request_id', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_records_target_uid_idx').on('audit_records').columns(['target_uid', 'id']).execute();
  await db.schema.createIndex('audit_records_actor_idx').on('audit_records').columns(['actor', 'id']).execute();
  await sql`
    create function audit_records_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_records is append-only';
    end;
    $$`.execute(db);
  await sql`
    create trigger audit_records_append_only before update or delete on audit_records
    for each row execute function audit_records_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_records').execute();
  await sql`drop function audit_records_append_only()`.execute(db);
}
