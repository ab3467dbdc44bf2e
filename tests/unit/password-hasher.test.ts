import { describe, expect, it } from 'vitest';
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
});
