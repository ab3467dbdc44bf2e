/** Operators' view of the outbox: the jobs waiting or given up, and retrying the dead ones. */
import { listOutboxJobs, reviveAllDeadOutboxJobs, reviveDeadOutboxJob } from '../../db/queries/outbox-jobs.js';
import type { OutboxJobRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';

export function listJobs(
  deps: Deps,
  query: { state?: 'pending' | 'dead'; limit?: number; offset?: number },
): Promise<OutboxJobRow[]> {
  return listOutboxJobs(deps.db, { queue: deps.config.outbox.queue, state: query.state ?? 'dead', limit: query.limit ?? 100, offset: query.offset ?? 0 });
}

export async function retryDeadJob(deps: Deps, uid: string): Promise<OutboxJobRow> {
  // Not a UUID cannot name a job (and would fail the uuid column's cast).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uid)) throw new AppError('NOT_FOUND');
  const job = await reviveDeadOutboxJob(deps.db, deps.config.outbox.queue, uid.toLowerCase());
  if (!job) throw new AppError('NOT_FOUND');
  deps.outbox.wake();
  return job;
}

export async function retryAllDeadJobs(deps: Deps): Promise<number> {
  const retried = await reviveAllDeadOutboxJobs(deps.db, deps.config.outbox.queue);
  if (retried > 0) deps.outbox.wake();
  return retried;
}
