/**
 * Fixed-window counters for rate limits (sign-in, resets, phone codes, 2FA codes). In memory here
 * (one node, the embedded default); redis-rate-limiter.ts keeps them in Redis (REDIS_URL), shared by
 * several nodes. tests/unit/rate-limiter.test.ts holds both to one contract.
 */
export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets; send as Retry-After when not allowed. */
  retryAfter: number;
  count: number;
}

export interface RateLimitHit {
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts one event for `key`; allowed while the window holds at most `limit` events. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /**
   * Hits each in turn and stops at the first refused (the later ones are not counted), in one step
   * of the store (Redis: one round trip): the refused result, or the last one when all are allowed.
   */
  hitInTurn(hits: readonly RateLimitHit[]): Promise<RateLimitResult>;
  /** Current state without counting. */
  peek(key: string, limit: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
}

/** At most this many counters in memory (about 200 bytes each): a flood of new keys cannot grow the heap. */
export const MEMORY_RATE_LIMITER_MAX_KEYS = 100_000;

/**
 * Counters in this process. Memory is bounded: expired windows are swept every 1000 hits, and at
 * `maxKeys` the oldest window is dropped for a new one; callers pass short digests as keys (see
 * domain/rate-limits.ts), so a key's size does not depend on what the client sent.
 */
export function createMemoryRateLimiter(now: () => number = Date.now, maxKeys = MEMORY_RATE_LIMITER_MAX_KEYS): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let calls = 0;

  const sweep = () => {
    const t = now();
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  };
  // Full: the oldest window goes (Map keeps insertion order), at O(1); the sweep above drops expired ones.
  const makeRoom = () => {
    while (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
  };
  const result = (w: { count: number; resetAt: number } | undefined, limit: number): RateLimitResult => {
    const count = w && w.resetAt > now() ? w.count : 0;
    const retryAfter = w && w.resetAt > now() ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 0;
    return { allowed: count <= limit, retryAfter, count };
  };

  const hit = (key: string, limit: number, windowSeconds: number): RateLimitResult => {
    if (++calls % 1000 === 0) sweep();
    let w = windows.get(key);
    if (!w || w.resetAt <= now()) {
      if (!w) makeRoom();
      w = { count: 0, resetAt: now() + windowSeconds * 1000 };
      windows.set(key, w);
    }
    w.count += 1;
    return result(w, limit);
  };

  return {
    async hit(key, limit, windowSeconds) {
      return hit(key, limit, windowSeconds);
    },
    async hitInTurn(hits) {
      let last: RateLimitResult = { allowed: true, retryAfter: 0, count: 0 };
      for (const { key, limit, windowSeconds } of hits) {
        last = hit(key, limit, windowSeconds);
        if (!last.allowed) break;
      }
      return last;
    },
    async peek(key, limit) {
      return result(windows.get(key), limit);
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
