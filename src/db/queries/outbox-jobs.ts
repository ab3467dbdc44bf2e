import { sql } from 'kysely';
import type { Executor, OutboxJobKind, OutboxJobRow } from '../schema.js';

export async function insertOutboxJob(
  db: Executor,
  row: { uid: string; queue: string; kind: OutboxJobKind; ordering_key: string | null; payload: Record<string, unknown> },
): Promise<void> {
  await db.insertInto('outbox_jobs').values({ ...row, payload: JSON.stringify(row.payload) }).execute();
}

/**
 * Leases up to `limit` due jobs to the caller until now + leaseMs and counts the attempt. A job is
 * skipped while another process holds its row (SKIP LOCKED) or its lease, and while an older
 * pending job has the same ordering key, so the jobs of one key go out one at a time, in order.
 */
export async function claimDueOutboxJobs(db: Executor, queue: string, limit: number, leaseMs: number): Promise<OutboxJobRow[]> {
  const result = await sql<OutboxJobRow>`
    update outbox_jobs set locked_until = now() + make_interval(secs => ${leaseMs / 1000}),
                           attempts = attempts + 1, updated_at = now()
    where id in (
      select j.id from outbox_jobs j
      where j.queue = ${queue} and j.state = 'pending' and j.run_after <= now()
        and (j.locked_until is null or j.locked_until < now())
        and not exists (
          select 1 from outbox_jobs older
          where older.queue = j.queue and older.state = 'pending' and older.kind = j.kind
            and older.ordering_key = j.ordering_key and older.id < j.id)
      order by j.id
      limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return result.rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Delivered: the job (and the secrets a mail carries) is gone. */
export async function deleteOutboxJob(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('outbox_jobs').where('id', '=', id).execute();
}

/** A failed attempt: try again at `runAfter`, or give up (`dead`). */
export async function recordOutboxFailure(
  db: Executor,
  id: string,
  failure: { error: string; runAfter: Date; dead: boolean },
): Promise<void> {
  await db
    .updateTable('outbox_jobs')
    .set({
      state: failure.dead ? 'dead' : 'pending',
      run_after: failure.runAfter,
      locked_until: null,
      last_error: failure.error.slice(0, 2000),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export function listOutboxJobs(
  db: Executor,
  filter: { queue: string; state: 'pending' | 'dead'; limit: number; offset: number },
): Promise<OutboxJobRow[]> {
  return db
    .selectFrom('outbox_jobs')
    .selectAll()
    .where('queue', '=', filter.queue)
    .where('state', '=', filter.state)
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

/** A dead job back to pending, due now, with a fresh count of attempts; undefined when there is no such dead job. */
export function reviveDeadOutboxJob(db: Executor, queue: string, uid: string): Promise<OutboxJobRow | undefined> {
  return db
    .updateTable('outbox_jobs')
    .set({ state: 'pending', attempts: 0, run_after: sql`now()`, locked_until: null, updated_at: sql`now()` })
    .where('queue', '=', queue)
    .where('uid', '=', uid)
    .where('state', '=', 'dead')
    .returningAll()
    .executeTakeFirst();
}

export async function reviveAllDeadOutboxJobs(db: Executor, queue: string): Promise<number> {
  const result = await db
    .updateTable('outbox_jobs')
    .set({ state: 'pending', attempts: 0, run_after: sql`now()`, locked_until: null, updated_at: sql`now()` })
    .where('queue', '=', queue)
    .where('state', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
