import type { RateLimitRule } from '../config.js';
import { AppError } from '../errors.js';
import type { Deps } from './deps.js';

/** Counts one event of `rule` for `subject` (an IP, an email, an account); 429 past the limit. */
export async function enforceRateLimit(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  const { limit, windowSeconds } = deps.config.rateLimits[rule];
  const result = await deps.rateLimiter.hit(`${rule}:${subject}`, limit, windowSeconds);
  if (!result.allowed) throw new AppError('RATE_LIMITED', undefined, { retryAfter: result.retryAfter });
}

/**
 * "Failures in a row" rules (wrong 2FA codes): refuses with 429 once `subject` has used up its
 * failures in the window, whether or not this attempt would succeed. Count each failure with
 * recordFailure and clear the count on success with clearFailures.
 */
export async function assertFailuresAllowed(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  const { limit } = deps.config.rateLimits[rule];
  const state = await deps.rateLimiter.peek(`${rule}:${subject}`, limit);
  if (state.count >= limit) throw new AppError('RATE_LIMITED', undefined, { retryAfter: state.retryAfter });
}

export async function recordFailure(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  const { limit, windowSeconds } = deps.config.rateLimits[rule];
  await deps.rateLimiter.hit(`${rule}:${subject}`, limit, windowSeconds);
}

export async function clearFailures(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  await deps.rateLimiter.reset(`${rule}:${subject}`);
}
