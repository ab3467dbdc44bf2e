import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox: mails and Event API messages written in the transaction of the change
 * they belong to, delivered afterwards by a worker (src/domain/outbox/worker.ts). A delivered job
 * is deleted; one that failed too often stays as `dead` until an operator retries it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox_jobs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // Stable id for receivers that deduplicate: the mail's Message-ID, the event's jti.
    .addColumn('uid', 'uuid', (c) => c.notNull().unique())
    // Processes deliver the jobs of their own queue (OUTBOX_QUEUE): separate deployments, or test
    // runs, sharing one database do not take each other's jobs.
    .addColumn('queue', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('mail', 'event')`))
    // Jobs with one key are delivered one after the other, in id order (events of one account).
    .addColumn('ordering_key', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Lease of the worker that claimed the job; a crashed worker's lease runs out.
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('outbox_jobs_due_idx')
    .on('outbox_jobs')
    .columns(['queue', 'run_after', 'id'])
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('outbox_jobs_ordering_idx')
    .on('outbox_jobs')
    .columns(['kind', 'ordering_key', 'id'])
    .where(sql.ref('state'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_jobs').execute();
}
