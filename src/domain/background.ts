/**
 * Work done after the answer is sent (mail delivery), so the response time does not reveal whether
 * an account exists. Failures are logged; shutdown waits for what is in flight.
 */
export interface Background {
  run(name: string, task: () => Promise<void>): void;
  drain(): Promise<void>;
}

export function createBackground(log: { error(obj: object, msg: string): void }): Background {
  const inFlight = new Set<Promise<void>>();
  return {
    run(name, task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((error) => log.error({ err: error, task: name }, 'background task failed'))
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
