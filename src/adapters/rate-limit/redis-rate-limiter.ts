/**
 * Rate-limit counters in Redis (REDIS_URL), shared by every API node: the same fixed windows as
 * the memory limiter. One key per window: INCR, with PEXPIRE when the key is new, in one Lua script
 * (atomic, one round trip), so concurrent hits on several nodes each get their own count.
 *
 * Outages. A rate limiter must not take the API down with it, nor open it wide: when Redis does not
 * answer (down, unreachable, slower than COMMAND_TIMEOUT_MS), each node counts in its own memory
 * instead, as a single node does without REDIS_URL. No user is locked out by an outage (fail-open),
 * and the limits still hold per node (an attacker gets at most N times the limit over N nodes, not
 * unlimited tries at 2FA codes). The switch is logged once as an error, the return once as info.
 * After a failure Redis is left alone for RETRY_AFTER_FAILURE_MS, so a hung server delays only the
 * requests in flight at that moment, by one command timeout, once per period; the client reconnects
 * by itself. While disconnected, commands fail at once (no offline queue), so a refused or dropped
 * connection delays nothing. A command past its timeout counts as a failure only once the process
 * has read what arrived meanwhile (withinDeadline): a process that was itself busy is no outage.
 */
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { deadline } from '../../deadline.js';
import { createMemoryRateLimiter, type RateLimiter, type RateLimitResult } from './rate-limiter.js';

export const DEFAULT_KEY_PREFIX = 'barong:rl:';
/** A Redis on the same network answers in about a millisecond; past this the request goes on without it. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;
/** A connection that owes replies and stays silent this long is dropped and opened again. */
const SOCKET_TIMEOUT_MS = 2_000;
const RETRY_AFTER_FAILURE_MS = 5_000;

/** KEYS[1] = counter, ARGV[1] = window in ms. Returns { count, ms left }. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

/**
 * KEYS = counters, ARGV = window in ms and limit of each in turn. Hits each as HIT_SCRIPT does and
 * stops at the first over its limit. Returns { count, ms left, its position from 1 } of that one, or
 * of the last.
 */
const HIT_IN_TURN_SCRIPT = `
local count, ttl, at = 0, -2, 0
for i, key in ipairs(KEYS) do
  at = i
  local window = tonumber(ARGV[2 * i - 1])
  count = redis.call('INCR', key)
  ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  if count > tonumber(ARGV[2 * i]) then break end
end
return { count, ttl, at }
`;

/** KEYS[1] = counter. Returns { count, ms left } without counting (GET + PTTL, read together). */
const PEEK_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
return { count, redis.call('PTTL', KEYS[1]) }
`;

type ScriptedRedis = Redis & {
  rateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
  rateLimitHitInTurn(keyCount: number, ...keysThenWindowsAndLimits: Array<string | number>): Promise<[number, number, number]>;
  rateLimitPeek(key: string): Promise<[number, number]>;
};

export interface RedisRateLimiterOptions {
  url: string;
  log: FastifyBaseLogger;
  /** Prepended to every key; tests use a unique one per run. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
}

export interface RedisRateLimiter extends RateLimiter {
  /**
   * Waits for the connection, at most the connect timeout: true once connected; false when refused
   * or silent (logged; the memory fallback counts until Redis answers, the client keeps retrying).
   */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const { log } = options;
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const commandTimeout = options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
  // The command timeout is withinDeadline's, not ioredis's: its timer would win over a reply already read.
  const client = new Redis(options.url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: Math.max(SOCKET_TIMEOUT_MS, commandTimeout * 2),
    // Fail at once while disconnected instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  }) as ScriptedRedis;
  client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  client.defineCommand('rateLimitHitInTurn', { lua: HIT_IN_TURN_SCRIPT });
  client.defineCommand('rateLimitPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT, readOnly: true });

  const connected = () => client.status === 'ready';
  const fallback = createMemoryRateLimiter();
  let downUntil = 0;
  let failing = false;

  const markDown = (error: unknown) => {
    downUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
    if (failing) return;
    failing = true;
    // The message only: a command error carries its arguments, and the keys hold emails.
    const reason = error instanceof Error ? error.message : String(error);
    log.error({ reason }, 'Redis (rate-limit counters) is not answering: each node counts in its own memory until it does');
  };
  const markUp = () => {
    if (!failing) return;
    failing = false;
    log.info('Redis (rate-limit counters) answers again: counts are shared again');
  };
  // Without a listener ioredis prints every reconnect failure to the console.
  client.on('error', markDown);
  client.on('ready', () => {
    downUntil = 0;
    markUp();
  });

  /** Runs `op` on Redis when it can answer, else (or when it fails) on the memory fallback. */
  async function withFallback<T>(op: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (!connected() || Date.now() < downUntil) return local();
    try {
      const value = await withinDeadline(op(), commandTimeout);
      markUp();
      return value;
    } catch (error) {
      markDown(error);
      return local();
    }
  }

  const result = (count: number, pttl: number, limit: number): RateLimitResult => {
    // PTTL: -2 = no such key (window over), -1 = no expiry (never left by the scripts).
    if (count <= 0 || pttl === -2) return { allowed: true, retryAfter: 0, count: 0 };
    return { allowed: count <= limit, retryAfter: Math.max(1, Math.ceil(pttl / 1000)), count };
  };

  return {
    hit(key, limit, windowSeconds) {
      const windowMs = Math.max(1, Math.round(windowSeconds * 1000));
      return withFallback(
        async () => {
          const [count, pttl] = await client.rateLimitHit(prefix + key, windowMs);
          return result(Number(count), Number(pttl), limit);
        },
        () => fallback.hit(key, limit, windowSeconds),
      );
    },
    hitInTurn(hits) {
      if (hits.length === 0) return fallback.hitInTurn(hits);
      return withFallback(
        async () => {
          const keys = hits.map((h) => prefix + h.key);
          const args = hits.flatMap((h) => [Math.max(1, Math.round(h.windowSeconds * 1000)), h.limit]);
          const [count, pttl, at] = await client.rateLimitHitInTurn(keys.length, ...keys, ...args);
          return result(Number(count), Number(pttl), hits[Number(at) - 1].limit);
        },
        () => fallback.hitInTurn(hits),
      );
    },
    peek(key, limit) {
      return withFallback(
        async () => {
          const [count, pttl] = await client.rateLimitPeek(prefix + key);
          return result(Number(count), Number(pttl), limit);
        },
        () => fallback.peek(key, limit),
      );
    },
    async reset(key) {
      await fallback.reset(key);
      await withFallback(
        async () => {
          await client.del(prefix + key);
        },
        async () => {},
      );
    },
    async ready() {
      if (connected()) return true;
      // Connected, refused (the client retries in the background) or still silent: whichever comes first.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          client.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, CONNECT_TIMEOUT_MS);
        client.once('ready', done);
        client.once('error', done);
      });
      if (connected()) return true;
      markDown(new Error(`not connected within ${CONNECT_TIMEOUT_MS} ms`));
      return false;
    },
    async close() {
      // QUIT when connected (bounded by the command timeout); then drop the socket and stop reconnecting.
      if (connected()) await withinDeadline(client.quit(), commandTimeout).catch(() => undefined);
      client.disconnect();
    },
  };
}

/** `command`'s outcome, or a rejection once `ms` have passed (see deadline: a busy process is no outage). */
function withinDeadline<T>(command: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const cancel = deadline(ms, () => reject(new Error(`Redis did not answer within ${ms} ms`)));
    command.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}
