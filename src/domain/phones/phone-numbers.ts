/**
 * Phone numbers as Barong read them: every non-digit is dropped and the digits are taken as an
 * international number (country code first). Parsed and validated with libphonenumber-js (full
 * metadata); stored as E.164 digits without '+'.
 */
import { AppError } from '../../errors.js';

// The full metadata (a few MB of heap) is loaded with the first phone number, not at start-up.
let library: Promise<typeof import('libphonenumber-js/max')> | undefined;

export interface PhoneNumber {
  /** E.164 digits without '+', e.g. 447911123456. */
  number: string;
  /** ISO country, or '001' for non-geographic numbers (libphonenumber's code for them). */
  country: string;
}

/** E.164 allows 15 digits; a little room for punctuation mistakes, no more. */
const MAX_DIGITS = 17;

export async function parsePhoneNumber(input: string): Promise<PhoneNumber> {
  const digits = input.replace(/\D/g, '');
  if (digits.length === 0 || digits.length > MAX_DIGITS) throw new AppError('PHONE_INVALID');
  const { parsePhoneNumberFromString } = await (library ??= import('libphonenumber-js/max'));
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed || !parsed.isValid()) throw new AppError('PHONE_INVALID');
  return { number: parsed.number.slice(1), country: parsed.country ?? '001' };
}

/** The number as SMS providers want it. */
export function e164(number: string): string {
  return `+${number}`;
}
