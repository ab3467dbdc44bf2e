/**
 * argon2id password hashing (@node-rs/argon2; DESIGN §9), in hash-workers.ts' low-priority worker
 * threads. Only a bounded number of hashes run at once; the rest wait in a queue with a deadline and
 * fail with BUSY (503 + Retry-After) rather than piling up.
 * Sign-ins queue earlier, for admission (admit()): one waiting there has read and counted nothing,
 * so a 503 never brings its account closer to the lockout, and a burst of sign-ins costs the event
 * loop their parsing only, not all their database work at once (requests that do not hash stay fast).
 * Twice as many are admitted as hash at once, so a hash slot never waits for the next sign-in's
 * database round trip.
 * Digests imported from Barong 1.8 are Devise's bcrypt ($2a$, cost 11): they verify behind the
 * same gate (a bcrypt check at cost 11 costs more than an argon2id one) until sign-in replaces
 * them with argon2id.
 */
import { AppError } from '../errors.js';
import { hashPool } from './hash-workers.js';

// algorithm 2 = Argon2id (the package's Algorithm is a const enum, which isolatedModules cannot read).
const PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Password checks, as an admitted sign-in makes them. */
export interface PasswordChecks {
  verify(digest: string, password: string): Promise<boolean>;
  /** Spends the time of a real verification, so unknown accounts answer as slowly as known ones. */
  verifyDummy(password: string): Promise<false>;
}

export interface PasswordHasher extends PasswordChecks {
  hash(password: string): Promise<string>;
  /**
   * Runs a sign-in (its reads and writes, its hash, its token) holding one of twice `concurrency`
   * admissions; the rest wait in a queue with the same deadline as hashes. One whose `clientGone`
   * fires while it waits leaves the queue (BUSY) without having run. Once admitted, its checks
   * (`passwords`) wait for a hash slot without a deadline: it may have counted an attempt by then,
   * and at most twice `concurrency` sign-ins wait there, for one hash each.
   */
  admit<T>(signIn: (passwords: PasswordChecks) => Promise<T>, clientGone?: AbortSignal): Promise<T>;
}

const BCRYPT_DIGEST = /^\$2[aby]\$\d\d\$/;

/** A bcrypt digest imported from Barong, to be replaced by argon2id at the next sign-in. */
export function isLegacyDigest(digest: string): boolean {
  return BCRYPT_DIGEST.test(digest);
}

/** Devise hashed the password alone (no pepper in Barong's config). */
async function verifyDigest(digest: string, password: string): Promise<boolean> {
  return (await hashPool.run({ op: isLegacyDigest(digest) ? 'verifyBcrypt' : 'verify', digest, password })) === true;
}

const hash = async (password: string) => (await hashPool.run({ op: 'hash', password, options: PARAMS })) as string;

export function createPasswordHasher(options: { concurrency: number; queueTimeoutMs: number }): PasswordHasher {
  const hashSlots = createGate(options.concurrency);
  const admissions = createGate(options.concurrency * 2);
  const queued = { timeoutMs: options.queueTimeoutMs };
  hashPool.ensureSize(options.concurrency);
  let dummyDigest: Promise<string> | undefined;

  const checks = (wait: Wait): PasswordChecks => ({
    verify: (digest, password) =>
      hashSlots(async () => {
        try {
          return await verifyDigest(digest, password);
        } catch {
          return false; // a malformed digest never matches
        }
      }, wait),
    async verifyDummy(password) {
      dummyDigest ??= hash('dummy-password-for-timing');
      const digest = await dummyDigest;
      await hashSlots(() => verifyDigest(digest, password).catch(() => false), wait);
      return false;
    },
  });
  const admitted = checks({});

  return {
    ...checks(queued),
    hash: (password) => hashSlots(() => hash(password), queued),
    admit: (signIn, clientGone) => admissions(() => signIn(admitted), { ...queued, abandoned: clientGone }),
  };
}

interface Wait {
  /** How long to wait for a slot before BUSY; no deadline without one. */
  timeoutMs?: number;
  /** The waiter leaves (BUSY) when this fires. */
  abandoned?: AbortSignal;
}

/** A counting semaphore whose waiters give up as their Wait says. */
function createGate(limit: number) {
  let running = 0;
  const waiting: Array<{ start: () => void }> = [];

  // A finishing task hands its slot straight to the next waiter, so the limit is never exceeded.
  const release = () => {
    const next = waiting.shift();
    if (next) next.start();
    else running--;
  };

  return async function run<T>(task: () => Promise<T>, { timeoutMs, abandoned }: Wait): Promise<T> {
    if (abandoned?.aborted) throw new AppError('BUSY', undefined, { retryAfter: 1 });
    if (running >= limit) {
      await new Promise<void>((resolve, reject) => {
        const stopWaiting = () => {
          clearTimeout(timer);
          abandoned?.removeEventListener('abort', leave);
        };
        const leave = () => {
          stopWaiting();
          const index = waiting.indexOf(waiter);
          if (index >= 0) waiting.splice(index, 1);
          reject(new AppError('BUSY', undefined, { retryAfter: 1 }));
        };
        const waiter = {
          start: () => {
            stopWaiting();
            resolve();
          },
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(leave, timeoutMs);
        abandoned?.addEventListener('abort', leave, { once: true });
        waiting.push(waiter);
      });
    } else {
      running++;
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
}
