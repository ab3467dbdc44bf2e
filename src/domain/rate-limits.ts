import type { RateLimitRule } from '../config.js';
import { AppError } from '../errors.js';
import type { Deps } from './deps.js';

/** Counts one event of `rule` for `subject` (an IP, an email, an account); 429 past the limit. */
export async function enforceRateLimit(deps: Deps, rule: RateLimitRule, subject: string): Promise<void> {
  const { limit, windowSeconds } = deps.config.rateLimits[rule];
  const result = await deps.rateLimiter.hit(`${rule}:${subject}`, limit, windowSeconds);
  if (!result.allowed) throw new AppError('RATE_LIMITED', undefined, { retryAfter: result.retryAfter });
}
