/**
 * Phone verification by SMS code. A code is 5 digits from the CSPRNG, stored only as an HMAC,
 * valid 10 minutes and dead after 5 wrong attempts; sending is rate limited per account and per
 * number. A number verified on any account cannot be added, resent or verified again.
 */
import { randomInt } from 'node:crypto';
import { constantTimeEqual, tokenDigest } from '../../crypto/tokens.js';
import { isUniqueViolation } from '../../db/database.js';
import {
  clearPhoneCode,
  findPhone,
  findVerifiedPhoneByNumber,
  lockPhone,
  markPhoneVerified,
  recordWrongPhoneCode,
  setPhoneCode,
  upsertPhoneWithCode,
} from '../../db/queries/phones.js';
import { lockAccountById } from '../../db/queries/accounts.js';
import type { AccountRow, PhoneRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { recordAccountUpdated, recordPhoneSaved } from '../events/model-events.js';
import { setPrivateLabel } from '../labels/levels.js';
import { enforceRateLimit, enforceRateLimits } from '../rate-limits.js';
import { e164, parsePhoneNumber, type PhoneNumber } from './phone-numbers.js';

export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
export const PHONE_CODE_MAX_ATTEMPTS = 5;
export const PHONE_CODE_LENGTH = 5;

/** POST /v1/phones: adds the number to the account (or refreshes its code) and sends a code. */
export async function addPhone(deps: Deps, account: AccountRow, rawNumber: string): Promise<void> {
  const phone = await parsePhoneNumber(rawNumber);
  await assertNotVerifiedAnywhere(deps, phone);
  await enforceSendLimits(deps, account, phone);

  const code = newCode();
  const codeHash = codeDigest(deps, account, phone, code);
  const row = await deps.db.transaction().execute(async (trx) => {
    const before = await findPhone(trx, account.id, phone.number);
    const saved = await upsertPhoneWithCode(trx, {
      account_id: account.id,
      number: phone.number,
      country: phone.country,
      code_hash: codeHash,
      code_expires_at: new Date(Date.now() + PHONE_CODE_TTL_MS),
    });
    if (saved && !before) await recordPhoneSaved(deps, trx, account, saved);
    return saved;
  });
  if (!row) throw new AppError('PHONE_TAKEN');
  await deliverCode(deps, row, code, codeHash);
}

/** POST /v1/phones/send_code: a new code for a number already on the account. */
export async function resendPhoneCode(deps: Deps, account: AccountRow, rawNumber: string): Promise<void> {
  const phone = await parsePhoneNumber(rawNumber);
  await assertNotVerifiedAnywhere(deps, phone);
  const existing = await findPhone(deps.db, account.id, phone.number);
  if (!existing) throw new AppError('NOT_FOUND');
  await enforceSendLimits(deps, account, phone);

  const code = newCode();
  const codeHash = codeDigest(deps, account, phone, code);
  const row = await setPhoneCode(deps.db, existing.id, {
    code_hash: codeHash,
    code_expires_at: new Date(Date.now() + PHONE_CODE_TTL_MS),
  });
  if (!row) throw new AppError('PHONE_TAKEN');
  await deliverCode(deps, row, code, codeHash);
}

type Check = 'verified' | 'wrong' | 'taken';

/** POST /v1/phones/verify: the right code verifies the phone, sets `phone:verified` and the level. */
export async function verifyPhone(deps: Deps, account: AccountRow, rawNumber: string, rawCode: string): Promise<void> {
  const phone = await parsePhoneNumber(rawNumber);
  await assertNotVerifiedAnywhere(deps, phone);
  await enforceRateLimit(deps, 'phone_verify_per_account', account.id);
  const digest = codeDigest(deps, account, phone, rawCode.trim());

  let outcome: Check;
  try {
    outcome = await deps.db.transaction().execute(async (trx): Promise<Check> => {
      // The lock makes parallel attempts take turns: each sees the attempts and the code the
      // previous one left, so neither the attempt limit nor a single-use code can be raced.
      const row = await lockPhone(trx, account.id, phone.number);
      if (!row) return 'wrong';
      if (row.validated_at) return 'taken';
      if (!codeIsLive(row)) return 'wrong';
      if (!constantTimeEqual(row.code_hash!, digest)) {
        await recordWrongPhoneCode(trx, row.id);
        return 'wrong';
      }
      await markPhoneVerified(trx, row.id);
      const verified = await lockPhone(trx, account.id, phone.number);
      if (verified) await recordPhoneSaved(deps, trx, account, verified, row);
      const before = await lockAccountById(trx, account.id);
      await setPrivateLabel(trx, account.id, 'phone', 'verified');
      if (before) await recordAccountUpdated(deps, trx, before);
      return 'verified';
    });
  } catch (error) {
    // Another account verified the same number at the same moment: the partial unique index decides.
    if (isUniqueViolation(error, 'phones_verified_number_key')) throw new AppError('PHONE_TAKEN');
    throw error;
  }
  if (outcome === 'taken') throw new AppError('PHONE_TAKEN');
  if (outcome === 'wrong') throw new AppError('PHONE_CODE_INVALID');
}

function codeIsLive(row: PhoneRow): boolean {
  return (
    row.code_hash !== null &&
    row.code_expires_at !== null &&
    row.code_expires_at.getTime() > Date.now() &&
    row.code_attempts < PHONE_CODE_MAX_ATTEMPTS
  );
}

async function assertNotVerifiedAnywhere(deps: Deps, phone: PhoneNumber): Promise<void> {
  if (await findVerifiedPhoneByNumber(deps.db, phone.number)) throw new AppError('PHONE_TAKEN');
}

async function enforceSendLimits(deps: Deps, account: AccountRow, phone: PhoneNumber): Promise<void> {
  await enforceRateLimits(deps, ['phone_send_per_account', account.id], ['phone_send_per_number', phone.number]);
}

function newCode(): string {
  return String(randomInt(0, 10 ** PHONE_CODE_LENGTH)).padStart(PHONE_CODE_LENGTH, '0');
}

/** Keyed and bound to the account and number, so equal codes never give equal digests. */
function codeDigest(deps: Deps, account: AccountRow, phone: PhoneNumber, code: string): string {
  return tokenDigest(deps.tokenKey, `phone:${account.id}:${phone.number}:${code}`);
}

/**
 * Sends the code after it was committed (no transaction is held open across the provider's HTTP
 * call: on PGlite that would stall every request). If sending fails, the code is withdrawn so it
 * can never be used, and the client gets 502.
 */
async function deliverCode(deps: Deps, row: PhoneRow, code: string, codeHash: string): Promise<void> {
  try {
    await deps.sms.send({ to: e164(row.number), body: `Your verification code for ${deps.config.appName}: ${code}` });
  } catch (error) {
    deps.log.error({ err: error, phone_id: row.id }, 'SMS delivery failed; the code was withdrawn');
    await clearPhoneCode(deps.db, row.id, codeHash);
    throw new AppError('SMS_FAILED');
  }
}
