/**
 * An authenticator app for the tests: RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) written with
 * node:crypto from the secret in the `otpauth://` URL the server returned, independently of the
 * server's otplib code path. Plus a test clock: 2FA accepts one code per 30 s step, so the tests
 * move the clock (Date only; timers stay real) instead of waiting.
 */
import { createHmac } from 'node:crypto';
import { vi } from 'vitest';

export const PERIOD_MS = 30_000;

/** RFC 4648 Base32 (the alphabet A-Z2-7), padding optional. */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not Base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226) of the counter: dynamic truncation to 6 digits. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export function stepAt(timeMs: number): number {
  return Math.floor(timeMs / PERIOD_MS);
}

/** The code of the secret (Base32) for a time step; currentStep() + n for clock drift. */
export function codeFor(secret: string, step: number): string {
  return hotp(base32Decode(secret), step);
}

export function secretOf(otpauthUrl: string): string {
  const secret = new URL(otpauthUrl).searchParams.get('secret');
  if (!secret) throw new Error(`no secret in ${otpauthUrl}`);
  return secret;
}

/** The clock the app and the tests share; call useTestClock() in beforeAll, restore in afterAll. */
export function useTestClock() {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
}

export function restoreClock() {
  vi.useRealTimers();
}

export function currentStep(): number {
  return stepAt(Date.now());
}

/**
 * Moves the clock forward to 5 s into the next time step (well away from its edges, so a test's
 * requests all fall in it) and returns that step.
 */
export function nextStep(): number {
  const step = currentStep() + 1;
  vi.setSystemTime(step * PERIOD_MS + 5_000);
  return step;
}

/** A code for a step no code was used in yet: the clock moves on to the next step first. */
export function freshCode(secret: string): string {
  return codeFor(secret, nextStep());
}
