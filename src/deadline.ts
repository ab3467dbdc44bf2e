/**
 * A deadline for an answer from another process (Redis, PostgreSQL) that counts as missed only once
 * the event loop has polled for I/O after it came due. When this process itself was busy (a GC
 * pause, a long task, a starved CPU), the timer comes due in the same turn as a reply that has been
 * waiting in the socket, and timers run before I/O is read: `expire` then runs from setImmediate,
 * after that read, so the reply settles first and the caller cancels.
 * Returns the cancel function.
 */
export function deadline(ms: number, expire: () => void): () => void {
  let afterPoll: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => (afterPoll = setImmediate(expire)), ms);
  return () => {
    clearTimeout(timer);
    if (afterPoll) clearImmediate(afterPoll);
  };
}
