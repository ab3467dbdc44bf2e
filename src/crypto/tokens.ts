/** Random tokens, HMAC digests of bearer secrets, and the one timing-safe comparison. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

/** Tokens we mail out are stored only as HMAC-SHA256 digests (keyed, so a DB leak is not enough). */
export function tokenDigest(hmacKey: string, token: string): string {
  return createHmac('sha256', hmacKey).update(token).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
