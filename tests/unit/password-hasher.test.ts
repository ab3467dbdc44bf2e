import fs from 'node:fs';
import { hashSync as bcryptHashSync } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPool } from '../../src/crypto/hash-workers.js';
import { createPasswordHasher } from '../../src/crypto/password.js';
import { AppError } from '../../src/errors.js';

describe('password hasher', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const hasher = createPasswordHasher({ concurrency: 2, queueTimeoutMs: 5000 });
    const digest = await hasher.hash('Secret123');
    expect(digest).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(digest, 'Secret123')).toBe(true);
    expect(await hasher.verify(digest, 'Secret124')).toBe(false);
    expect(await hasher.verify('not-a-digest', 'Secret123')).toBe(false);
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });

  it('answers BUSY (503, Retry-After) when the queue wait passes its deadline', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueTimeoutMs: 100 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => hasher.hash('Secret123')));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0].reason).toBeInstanceOf(AppError);
    expect(rejected[0].reason).toMatchObject({ code: 'BUSY', status: 503, retryAfter: 1 });
  });

  it('verifies a bcrypt digest imported from Barong', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueTimeoutMs: 5000 });
    const digest = bcryptHashSync('Secret123', 4);
    expect(await hasher.verify(digest, 'Secret123')).toBe(true);
    expect(await hasher.verify(digest, 'Secret124')).toBe(false);
  });

  // Hashes run in worker threads at nice +10, so a sign-in flood yields the CPU to requests.
  it.runIf(fs.existsSync('/proc/thread-self'))('hashes in threads of this process that run at a lower CPU priority', async () => {
    const niceOfThreads = () =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
      });
    const hasher = createPasswordHasher({ concurrency: 2, queueTimeoutMs: 5000 });
    const digests = await Promise.all([hasher.hash('Secret123'), hasher.hash('Secret124')]);
    expect(await hasher.verify(digests[1], 'Secret124')).toBe(true);
    const nice = niceOfThreads();
    // One thread per worker started: two on a free event loop, one if the loop was busy meanwhile.
    expect(nice.filter((n) => n === 10).length).toBeGreaterThanOrEqual(1);
    expect(nice).toContain(0); // this thread, and the others, are left as they were
  });

  it('runs two hashes at once while the event loop is free, one at a time while it is busy', async () => {
    const hasher = createPasswordHasher({ concurrency: 2, queueTimeoutMs: 10_000 });
    const digest = await hasher.hash('Secret123');
    await sleep(300); // the loop has been free for a few samples
    const free = [hasher.verify(digest, 'Secret123'), hasher.verify(digest, 'Secret123')];
    expect(hashPool.running).toBe(2);
    expect(await Promise.all(free)).toEqual([true, true]);

    // Busy: the loop spends 20 ms of every ~20 ms on work, as under a flood of requests.
    const spinUntil = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
    };
    for (let i = 0; i < 20; i++) {
      spinUntil(20);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const busy = [hasher.verify(digest, 'Secret123'), hasher.verify(digest, 'Secret124')];
    expect(hashPool.running).toBe(1);
    expect(await Promise.all(busy)).toEqual([true, false]);
  });

  it('admits twice its concurrency of sign-ins at once; the rest wait their turn', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueTimeoutMs: 5000 });
    let running = 0;
    let most = 0;
    const signIn = async (i: number) => {
      running++;
      most = Math.max(most, running);
      await sleep(20);
      running--;
      return i;
    };
    expect(await Promise.all(Array.from({ length: 6 }, (_, i) => hasher.admit(() => signIn(i))))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
