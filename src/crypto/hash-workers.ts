/**
 * Password hashes run in worker threads of their own at a lower CPU priority (nice +10 on Linux):
 * a flood of sign-ins then takes the CPU that requests leave over, instead of the event loop's, the
 * database's and jose's, so authenticated requests stay fast under a credential-stuffing flood. A hash
 * takes as long as before on an idle machine; on a saturated one, sign-ins queue (and past the gate's
 * deadline answer 503 with Retry-After) rather than everything slowing down.
 * While the event loop is busy (serving requests), hashes run one at a time (see limit()).
 * One pool per process (hashing competes for the same cores whoever asks); workers start with the
 * first hash and stop after a minute without one, which gives their memory back (argon2id holds
 * 19 MiB per hash in the thread that ran it).
 */
import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

export type HashTask =
  | { op: 'hash'; password: string; options: object }
  | { op: 'verify'; digest: string; password: string }
  | { op: 'verifyBcrypt'; digest: string; password: string };

const NICENESS = 10;
const IDLE_MS = 60_000;
/** Above this share of the last interval spent working, the event loop is busy: hashes run one at a time. */
const BUSY_LOOP = 0.75;
const LOOP_SAMPLE_MS = 100;

// Plain CommonJS evaluated in the worker, so it runs the same from tsx, vitest and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  // Linux: this thread's id, whose priority alone is lowered.
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.niceness);
} catch {}
const argon2 = require(workerData.argon2);
let bcrypt;
parentPort.on('message', (task) => {
  try {
    let result;
    if (task.op === 'hash') result = argon2.hashSync(task.password, task.options);
    else if (task.op === 'verify') result = argon2.verifySync(task.digest, task.password);
    else result = (bcrypt ??= require(workerData.bcrypt)).verifySync(task.password, task.digest);
    parentPort.postMessage({ result });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

interface Job {
  task: HashTask;
  resolve(result: string | boolean): void;
  reject(error: Error): void;
}

const require = createRequire(import.meta.url);
const workerData = { niceness: NICENESS, argon2: require.resolve('@node-rs/argon2'), bcrypt: require.resolve('@node-rs/bcrypt') };

class HashPool {
  private size = 0;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private loopBusy = false;
  private loopSampler: NodeJS.Timeout | undefined;

  /** Grows the pool to `size` workers at most (each hasher asks for its concurrency). */
  ensureSize(size: number): void {
    this.size = Math.max(this.size, size);
  }

  /** Hashes running now. */
  get running(): number {
    return this.busy.size;
  }

  run(task: HashTask): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * While the event loop is busy serving requests, one hash at a time: argon2id streams 19 MiB per
   * hash through the caches, and a second one at once slowed every request on a 2-core machine
   * (the sampler runs only while hashes are wanted).
   */
  private limit(): number {
    if (!this.loopSampler) {
      let last: EventLoopUtilization = performance.eventLoopUtilization();
      this.loopSampler = setInterval(() => {
        const now = performance.eventLoopUtilization();
        this.loopBusy = performance.eventLoopUtilization(now, last).utilization > BUSY_LOOP;
        last = now;
      }, LOOP_SAMPLE_MS).unref();
    }
    return this.loopBusy ? 1 : this.size;
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      const worker = this.busy.size < this.limit() ? (this.idle.pop() ?? this.spawn()) : undefined;
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref(); // a hash in progress keeps the process alive (the CLI may wait for nothing else)
      worker.postMessage(job.task);
    }
    if (this.busy.size === 0) this.idleTimer = setTimeout(() => this.stopIdle(), IDLE_MS).unref();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    worker.on('message', (answer: { result?: string | boolean; error?: string }) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref(); // an idle worker never keeps the process alive
      this.idle.push(worker);
      if (answer.error !== undefined) job?.reject(new Error(answer.error));
      else job?.resolve(answer.result!);
      this.dispatch();
    });
    const lost = (error: Error) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      job?.reject(error);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a hash worker exited with ${code}`)));
    return worker;
  }

  private stopIdle(): void {
    clearInterval(this.loopSampler);
    this.loopSampler = undefined;
    this.loopBusy = false;
    for (const worker of this.idle.splice(0)) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }
}

export const hashPool = new HashPool();
