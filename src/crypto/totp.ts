/**
 * TOTP (RFC 6238) as Barong's Vault engine did it: SHA1, 6 digits, 30 s steps, 20-byte secrets,
 * one step of clock drift either side. Replay protection is the caller's: `matchTotp` reports the
 * time step a code matched, and only codes of steps after `afterStep` can match.
 */
import { generateSecret, verify } from 'otplib';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
const QR_SIZE = 300;

/** A new Base32 secret of 20 random bytes (otplib 13 refuses fewer than 16). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://` URI in Vault's form, e.g. `otpauth://totp/Barong:user@example.com?algorithm=SHA1&...`. */
export function totpUri(options: { issuer: string; accountName: string; secret: string }): string {
  const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.accountName).replace(/%40/g, '@')}`;
  const query = [
    ['algorithm', 'SHA1'],
    ['digits', String(TOTP_DIGITS)],
    ['issuer', options.issuer],
    ['period', String(TOTP_PERIOD_SECONDS)],
    ['secret', options.secret],
  ]
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** The URI as a 300×300 PNG QR code, base64 (Vault's `barcode`). */
export async function totpQrCode(uri: string): Promise<string> {
  // qrcode (and its PNG encoder) is loaded with the first enrolment, not at start-up.
  const { default: QRCode } = await import('qrcode');
  const png = await QRCode.toBuffer(uri, { type: 'png', width: QR_SIZE, errorCorrectionLevel: 'M' });
  return png.toString('base64');
}

/**
 * The time step the code matches, within the allowed drift and after `afterStep`; undefined when
 * it matches none (wrong, malformed, too old, or of an already used step).
 */
export async function matchTotp(
  secret: string,
  code: string,
  options: { afterStep: number; nowMs?: number },
): Promise<number | undefined> {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor((options.nowMs ?? Date.now()) / 1000),
    epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
    afterTimeStep: options.afterStep,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
