/**
 * Files no document names: an upload stores its file before the row commits, so a crash (SIGKILL,
 * power loss) between the two, or during the write, leaves a file without a row. The sweep removes
 * such files once they are older than UPLOAD_ORPHAN_AGE_SECONDS — far longer than any upload
 * takes between storing the file and committing the row — at start and then hourly, on every
 * node (local directory or the shared bucket).
 */
import { listKnownUploads } from '../../db/queries/documents.js';
import type { Deps } from '../deps.js';

const BATCH = 500;

export async function sweepOrphanUploads(deps: Deps, now = new Date()): Promise<{ removed: number }> {
  const cutoff = new Date(now.getTime() - deps.config.operations.uploadOrphanAgeSeconds * 1000);
  let removed = 0;
  let batch: string[] = [];
  const flush = async () => {
    const known = new Set(await listKnownUploads(deps.db, batch));
    for (const key of batch.filter((k) => !known.has(k))) {
      await deps.storage.remove(key);
      deps.log.warn({ upload: key }, 'removed a stored file that no document names (left by an interrupted upload)');
      removed += 1;
    }
    batch = [];
  };
  for await (const key of deps.storage.listWrittenBefore(cutoff)) {
    batch.push(key);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  deps.log.info({ removed, olderThan: cutoff.toISOString() }, 'orphan upload sweep finished');
  return { removed };
}

/** Sweeps now, then hourly (or every UPLOAD_ORPHAN_AGE_SECONDS if shorter); a failure is logged and retried next time. */
export function startOrphanUploadSweeps(deps: Deps): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const sweep = () => {
    if (running) return; // the previous sweep is still going
    running = sweepOrphanUploads(deps)
      .catch((error: unknown) => deps.log.error({ err: error }, 'the sweep of orphan uploads failed; it runs again later'))
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, Math.min(deps.config.operations.uploadOrphanAgeSeconds, 3_600) * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
