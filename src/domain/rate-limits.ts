import { createHash } from 'node:crypto';
import type { RateLimitRule } from '../config.js';
import { AppError } from '../errors.js';
import type { Deps } from './deps.js';

/**
 * Counter keys hold a digest of the subject, never the subject: an email of 900 KB costs a counter
 * as little as an IP, and the keys in memory or Redis name nobody.
 */
export function counterKey(name: string, subject: string): string {
  return `${name}:${createHash('sha256').update(subject).digest('base64url').slice(0, 22)}`;
}

/**
 * Counts one event of `rule` for `subject` (an IP, an email, an account); 429 past the limit. The
 * count is taken before the work it guards, in one atomic step of the store, so N parallel
 * requests get at most `limit` through. For credential checks this is the reservation of an
 * attempt: call it before verifying, and clearFailures after a right answer ("failures in a row").
 */
export function enforceRateLimit(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  return enforceRateLimits(deps, [rule, subject]);
}

/**
 * Several rules in turn (e.g. per address, then per email), in one step of the store (one round
 * trip to Redis): the first refused answers 429, and the rules after it are not counted.
 */
export async function enforceRateLimits(deps: Deps, ...checks: Array<[RateLimitRule, string]>): Promise<void> {
  const hits = checks.map(([rule, subject]) => ({ key: counterKey(rule, subject), ...deps.config.rateLimits[rule] }));
  const result = await deps.rateLimiter.hitInTurn(hits);
  if (!result.allowed) throw new AppError('RATE_LIMITED', undefined, { retryAfter: result.retryAfter });
}

export async function clearFailures(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  await deps.rateLimiter.reset(counterKey(rule, subject));
}

/**
 * Sign-in failures for an email that has no account, counted like an account's lockout (same limit,
 * same period), so such an email "locks" with the same answer as a real account. False once locked.
 */
/** Counter name of reserveUnknownAccountAttempt. */
export const UNKNOWN_ACCOUNT_LOCKOUT = 'sign_in_lockout';

export async function reserveUnknownAccountAttempt(deps: Deps, email: string): Promise<boolean> {
  const { maxAttempts, lockSeconds } = deps.config.lockout;
  return (await deps.rateLimiter.hit(counterKey(UNKNOWN_ACCOUNT_LOCKOUT, email), maxAttempts, lockSeconds)).allowed;
}
