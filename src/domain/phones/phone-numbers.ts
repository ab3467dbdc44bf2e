/**
 * Phone numbers as Barong read them: every non-digit is dropped and the digits are taken as an
 * international number (country code first). Parsed and validated with libphonenumber-js (full
 * metadata); stored as E.164 digits without '+'.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../../errors.js';

export interface PhoneNumber {
  /** E.164 digits without '+', e.g. 447911123456. */
  number: string;
  /** ISO country, or '001' for non-geographic numbers (libphonenumber's code for them). */
  country: string;
}

/** E.164 allows 15 digits; a little room for punctuation mistakes, no more. */
const MAX_DIGITS = 17;

export function parsePhoneNumber(input: string): PhoneNumber {
  const digits = input.replace(/\D/g, '');
  if (digits.length === 0 || digits.length > MAX_DIGITS) throw new AppError('PHONE_INVALID');
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed || !parsed.isValid()) throw new AppError('PHONE_INVALID');
  return { number: parsed.number.slice(1), country: parsed.country ?? '001' };
}

/** The number as SMS providers want it. */
export function e164(number: string): string {
  return `+${number}`;
}
