/**
 * One contract for both rate limiters: in memory (always) and in Redis (when TEST_REDIS_URL is set,
 * e.g. redis://127.0.0.1:6379/15). Redis keys of this run carry a unique prefix and are deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter, type RateLimiter } from '../../src/adapters/rate-limit/rate-limiter.js';
import { createRedisRateLimiter, type RedisRateLimiter } from '../../src/adapters/rate-limit/redis-rate-limiter.js';
import { closedPort, deleteRedisKeys, freezableRedisProxy, rawRedis, silentServer, TEST_REDIS_URL } from '../helpers/redis.js';

const RUN_PREFIX = `barong-test:${randomUUID()}:`;

function capturedLog() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { log, lines, text: () => lines.join('') };
}

function redisLimiter(url: string, extra: { commandTimeoutMs?: number } = {}) {
  const captured = capturedLog();
  const limiter = createRedisRateLimiter({ url, log: captured.log, keyPrefix: RUN_PREFIX, ...extra });
  return { limiter, ...captured };
}

const implementations: [string, () => Promise<{ limiter: RateLimiter; close(): Promise<void> }>][] = [
  ['memory', async () => ({ limiter: createMemoryRateLimiter(), close: async () => undefined })],
];
if (TEST_REDIS_URL) {
  const url = TEST_REDIS_URL;
  implementations.push([
    'redis',
    async () => {
      const { limiter } = redisLimiter(url);
      expect(await limiter.ready()).toBe(true);
      return { limiter, close: () => limiter.close() };
    },
  ]);
}

afterAll(async () => {
  await deleteRedisKeys(`${RUN_PREFIX}*`);
});

describe.each(implementations)('%s rate limiter (contract)', (name, make) => {
  let limiter: RateLimiter;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ limiter, close } = await make());
  });
  afterAll(() => close());

  let n = 0;
  const key = (label: string) => `contract:${name}:${label}:${++n}`;

  it('allows `limit` events per window, then refuses with the seconds left', async () => {
    const k = key('limit');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.hit(k, 3, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4]);
    for (const r of results) {
      expect(r.retryAfter).toBeGreaterThanOrEqual(59);
      expect(r.retryAfter).toBeLessThanOrEqual(60);
    }
  });

  it('peeks at the count and the seconds left without counting', async () => {
    const k = key('peek');
    expect(await limiter.peek(k, 2)).toEqual({ allowed: true, retryAfter: 0, count: 0 });
    await limiter.hit(k, 2, 60);
    await limiter.hit(k, 2, 60);
    const first = await limiter.peek(k, 2);
    const second = await limiter.peek(k, 2);
    expect(first.count).toBe(2);
    expect(second.count).toBe(2);
    expect(first.allowed).toBe(true);
    expect(first.retryAfter).toBeGreaterThanOrEqual(59);
    expect(first.retryAfter).toBeLessThanOrEqual(60);
    expect((await limiter.peek(k, 1)).allowed).toBe(false);
  });

  it('hits several keys in turn and stops at the first refused, not counting the rest', async () => {
    const [a, b] = [key('turn-a'), key('turn-b')];
    const hits = [
      { key: a, limit: 2, windowSeconds: 60 },
      { key: b, limit: 1, windowSeconds: 60 },
    ];
    expect(await limiter.hitInTurn(hits)).toMatchObject({ allowed: true, count: 1 }); // a 1, b 1
    expect(await limiter.hitInTurn(hits)).toMatchObject({ allowed: false, count: 2 }); // a 2, b 2: b refuses
    const refused = await limiter.hitInTurn(hits); // a 3: a refuses, b is not counted
    expect(refused).toMatchObject({ allowed: false, count: 3 });
    expect(refused.retryAfter).toBeGreaterThanOrEqual(59);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    expect((await limiter.peek(a, 2)).count).toBe(3);
    expect((await limiter.peek(b, 1)).count).toBe(2);
  });

  it('opens a fresh window once the old one is over', async () => {
    const k = key('window');
    expect((await limiter.hit(k, 1, 1)).allowed).toBe(true);
    const refused = await limiter.hit(k, 1, 1);
    expect(refused).toMatchObject({ allowed: false, count: 2, retryAfter: 1 });
    await sleep(1_100);
    expect(await limiter.peek(k, 1)).toEqual({ allowed: true, retryAfter: 0, count: 0 });
    expect(await limiter.hit(k, 1, 1)).toMatchObject({ allowed: true, count: 1 });
  });

  it('keeps keys apart and forgets a key on reset', async () => {
    const a = key('a');
    const b = key('b');
    await limiter.hit(a, 1, 60);
    expect((await limiter.hit(a, 1, 60)).allowed).toBe(false);
    expect((await limiter.hit(b, 1, 60)).allowed).toBe(true);
    await limiter.reset(a);
    expect(await limiter.peek(a, 1)).toEqual({ allowed: true, retryAfter: 0, count: 0 });
    expect((await limiter.hit(a, 1, 60)).allowed).toBe(true);
    expect((await limiter.peek(b, 1)).count).toBe(1);
  });

  it('counts each of many concurrent hits exactly once', async () => {
    const k = key('race');
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.hit(k, 10, 60)));
    expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect((await limiter.peek(k, 10)).count).toBe(50);
  });
});

describe('memory rate limiter', () => {
  it('counts the seconds left down with the clock', async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter(() => now);
    for (let i = 0; i < 4; i++) await limiter.hit('k', 3, 60);
    now += 30_000;
    expect(await limiter.hit('k', 3, 60)).toMatchObject({ allowed: false, retryAfter: 30 });
    now += 30_001;
    expect(await limiter.hit('k', 3, 60)).toMatchObject({ allowed: true, count: 1, retryAfter: 60 });
  });

  it('holds at most maxKeys windows: a flood of new keys drops the oldest, not the process', async () => {
    const limiter = createMemoryRateLimiter(Date.now, 3);
    for (const k of ['a', 'b', 'c']) await limiter.hit(k, 10, 60);
    await limiter.hit('a', 10, 60); // an existing key does not count as new
    await limiter.hit('d', 10, 60);
    expect((await limiter.peek('a', 10)).count).toBe(0); // the oldest went
    expect((await limiter.peek('b', 10)).count).toBe(1);
    expect((await limiter.peek('d', 10)).count).toBe(1);
    for (let i = 0; i < 10_000; i++) await limiter.hit(`flood-${i}`, 10, 60);
    const kept = await Promise.all(['b', 'c', 'd', 'flood-9997', 'flood-9998', 'flood-9999'].map((k) => limiter.peek(k, 10)));
    expect(kept.map((r) => r.count)).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe.skipIf(!TEST_REDIS_URL)('redis rate limiter', () => {
  it('keeps each window as one prefixed key that expires with the window, and deletes it on reset', async () => {
    const { limiter } = redisLimiter(TEST_REDIS_URL!);
    const raw = rawRedis();
    try {
      expect(await limiter.ready()).toBe(true);
      await limiter.hit('stored', 5, 60);
      await limiter.hit('stored', 5, 60);
      expect(await raw.get(`${RUN_PREFIX}stored`)).toBe('2');
      const pttl = await raw.pttl(`${RUN_PREFIX}stored`);
      expect(pttl).toBeGreaterThan(55_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
      expect(await raw.exists('stored')).toBe(0);
      await limiter.reset('stored');
      expect(await raw.exists(`${RUN_PREFIX}stored`)).toBe(0);
    } finally {
      raw.disconnect();
      await limiter.close();
    }
  });

  it('shares one count between two limiters on the same Redis (two API nodes)', async () => {
    const a = redisLimiter(TEST_REDIS_URL!).limiter;
    const b = redisLimiter(TEST_REDIS_URL!).limiter;
    try {
      expect(await a.ready()).toBe(true);
      expect(await b.ready()).toBe(true);
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push(await (i % 2 ? b : a).hit('shared', 3, 60));
      expect(counts.map((r) => [r.count, r.allowed])).toEqual([[1, true], [2, true], [3, true], [4, false]]);
      expect((await b.peek('shared', 3)).count).toBe(4);
      await a.reset('shared');
      expect((await b.peek('shared', 3)).count).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('takes a reply that came while the process was busy: a stalled event loop is not a Redis outage', async () => {
    // A GC pause, a long synchronous task or a starved CPU can hold the event loop past the command
    // timeout while Redis's reply waits in the socket; the timer must not win over that reply.
    const { limiter, text } = redisLimiter(TEST_REDIS_URL!, { commandTimeoutMs: 200 });
    const raw = rawRedis();
    try {
      expect(await limiter.ready()).toBe(true);
      expect((await limiter.hit('stalled', 5, 60)).count).toBe(1);
      const answer = limiter.hit('stalled', 5, 60);
      const busyUntil = Date.now() + 600;
      while (Date.now() < busyUntil); // blocks the event loop past the timeout
      expect(await answer).toMatchObject({ allowed: true, count: 2 });
      expect(await raw.get(`${RUN_PREFIX}stalled`)).toBe('2');
      expect((await limiter.hit('stalled', 5, 60)).count).toBe(3); // still shared, not counted in memory
      expect(text()).not.toContain('is not answering');
    } finally {
      raw.disconnect();
      await limiter.close();
    }
  });

  it('answers from memory within the command timeout when Redis goes silent mid-connection, and logs it once without keys', async () => {
    const proxy = await freezableRedisProxy();
    const { limiter, text } = redisLimiter(proxy.url, { commandTimeoutMs: 1_000 });
    try {
      expect(await limiter.ready()).toBe(true);
      const key = 'sign_in_per_email:victim@example.com';
      expect((await limiter.hit(key, 2, 60)).count).toBe(1); // in Redis

      proxy.freeze();
      let started = Date.now();
      const first = await limiter.hit(key, 2, 60);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(first).toMatchObject({ allowed: true, count: 1 }); // the node's own count from here on

      started = Date.now();
      expect(await limiter.hit(key, 2, 60)).toMatchObject({ allowed: true, count: 2 });
      expect(await limiter.hit(key, 2, 60)).toMatchObject({ allowed: false, count: 3 });
      expect(Date.now() - started).toBeLessThan(500); // no second wait: Redis is left alone for a while

      expect(text().match(/is not answering/g)).toHaveLength(1);
      expect(text()).not.toContain('victim@example.com');
    } finally {
      const closing = Date.now();
      await limiter.close();
      expect(Date.now() - closing).toBeLessThan(2_500);
      await proxy.close();
    }
  });
});

describe('redis rate limiter during an outage', () => {
  let limiter: RedisRateLimiter | undefined;
  afterAll(() => limiter?.close());

  it('counts in memory at once when nothing listens at REDIS_URL, and still refuses past the limit', async () => {
    const captured = redisLimiter(`redis://127.0.0.1:${await closedPort()}/0`);
    limiter = captured.limiter;
    let started = Date.now();
    expect(await limiter.ready()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);

    started = Date.now();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limiter.hit('down', 2, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results[2].retryAfter).toBeGreaterThan(0);
    expect((await limiter.peek('down', 2)).count).toBe(3);
    await limiter.reset('down');
    expect((await limiter.peek('down', 2)).count).toBe(0);
    expect(Date.now() - started).toBeLessThan(500);
    expect(captured.text().match(/is not answering/g)).toHaveLength(1);
  });

  it('does not wait for a server that accepts connections and never answers', async () => {
    const server = await silentServer();
    const { limiter: hung } = redisLimiter(server.url, { commandTimeoutMs: 1_000 });
    try {
      const started = Date.now();
      expect(await hung.ready()).toBe(false);
      expect(Date.now() - started).toBeLessThan(3_000);
      const hitStarted = Date.now();
      expect(await hung.hit('hung', 1, 60)).toMatchObject({ allowed: true, count: 1 });
      expect(await hung.hit('hung', 1, 60)).toMatchObject({ allowed: false, count: 2 });
      expect(Date.now() - hitStarted).toBeLessThan(500);
    } finally {
      const closing = Date.now();
      await hung.close();
      expect(Date.now() - closing).toBeLessThan(1_000);
      await server.close();
    }
  });
});
