/** Admin operations on the outbox; the glue has already checked the caller (operator token or admin). */
import { listJobs, retryAllDeadJobs, retryDeadJob } from '../../domain/admin/outbox.js';
import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { presentOutboxJob } from '../presenters.js';

export function outboxHandlers(deps: Deps) {
  return {
    async getV1AdminOutboxJobs(request) {
      return (await listJobs(deps, request.query)).map(presentOutboxJob);
    },
    async postV1AdminOutboxJobsJobUidRetry(request) {
      return presentOutboxJob(await retryDeadJob(deps, request.params.job_uid));
    },
    async postV1AdminOutboxRetry() {
      return { retried: await retryAllDeadJobs(deps) };
    },
  } satisfies Partial<Handlers>;
}
