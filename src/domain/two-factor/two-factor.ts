/**
 * TOTP two-factor authentication. The secret is sealed at rest; a code is accepted once (the
 * account's last used time step only moves forward, atomically); wrong codes in a row, on any
 * endpoint, are rate limited per account. Barong kept all this in Vault and had no lockout.
 */
import { twoFactorDisabledMail, twoFactorEnabledMail } from '../../adapters/mail/templates.js';
import { matchTotp, newTotpSecret, totpQrCode, totpUri } from '../../crypto/totp.js';
import { lockAccountById, updateAccount, updateAccountRevokingSessions } from '../../db/queries/accounts.js';
import { claimOtpStep, deleteAccountOtp, findAccountOtp, upsertAccountOtpSecret } from '../../db/queries/account-otps.js';
import type { AccountRow, Executor } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { recordAccountUpdated } from '../events/model-events.js';
import { enqueueMail } from '../outbox/outbox.js';
import { clearFailures, enforceRateLimit } from '../rate-limits.js';

const FAILURES = 'otp_failures_per_account';

/** What the sealed secret is bound to: it opens only on its own account's row. */
const secretContext = (accountId: string) => `account_otps:${accountId}`;

/** A new secret (replacing one not yet enabled), as an otpauth:// URL and its QR code. */
export async function generateTwoFactorSecret(deps: Deps, account: AccountRow): Promise<{ barcode: string; url: string }> {
  const secret = newTotpSecret();
  await deps.db.transaction().execute(async (trx) => {
    const current = await lockAccountById(trx, account.id);
    if (!current) throw new AppError('ACCOUNT_MISSING');
    if (current.otp_enabled) throw new AppError('OTP_ALREADY_ENABLED');
    await upsertAccountOtpSecret(trx, account.id, deps.secretBox.seal(secret, secretContext(account.id)));
  });
  const url = totpUri({ issuer: deps.config.appName, accountName: account.email, secret });
  return { barcode: await totpQrCode(url), url };
}

/** Turns 2FA on with a code of the generated secret (which uses the code up). */
export async function enableTwoFactor(deps: Deps, account: AccountRow, code: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const current = await lockAccountById(trx, account.id);
    if (!current) throw new AppError('ACCOUNT_MISSING');
    if (current.otp_enabled) throw new AppError('OTP_ALREADY_ENABLED');
    if (!(await useTotpCode(deps, trx, account.id, code))) throw new AppError('OTP_CODE_INVALID');
    await updateAccount(trx, account.id, { otp_enabled: true });
    await recordAccountUpdated(deps, trx, current);
    await enqueueMail(deps, trx, twoFactorEnabledMail(deps.config, current.email));
  });
}

/** `POST /security/verify_code`: checks (and uses up) a code of the enabled 2FA. */
export async function verifyTwoFactorCode(deps: Deps, account: AccountRow, code: string): Promise<void> {
  if (!account.otp_enabled) throw new AppError('OTP_NOT_ENABLED');
  if (!(await useTotpCode(deps, deps.db, account.id, code))) throw new AppError('OTP_CODE_INVALID');
}

/** Sign-in of an account with 2FA on: 403 when the code is missing or not accepted. */
export async function requireSignInCode(deps: Deps, account: AccountRow, code: string | undefined): Promise<void> {
  // Imported from Barong with 2FA on but without its Vault secret: no password-only way in
  // (README "Moving from Barong 1.8"); an operator resets 2FA once the user's identity is checked.
  if (!(await findAccountOtp(deps.db, account.id))) throw new AppError('OTP_REENROLMENT_REQUIRED');
  if (!code) throw new AppError('SIGN_IN_OTP_MISSING');
  if (!(await useTotpCode(deps, deps.db, account.id, code))) throw new AppError('SIGN_IN_OTP_INVALID');
}

/** Stores a secret brought from elsewhere (Barong's Vault export), sealed like our own; call inside a transaction. */
export async function storeImportedTwoFactorSecret(deps: Deps, trx: Executor, accountId: string, secret: string): Promise<void> {
  await upsertAccountOtpSecret(trx, accountId, deps.secretBox.seal(secret, secretContext(accountId)));
}

/**
 * Turns 2FA off and forgets the secret (admin action for a lost device). Returns the updated
 * account, or undefined when there is no such account. The next generate_qrcode starts afresh.
 * Turning it off ends every session (whoever holds one got in with the factor now removed) and
 * mails the owner.
 */
export async function disableTwoFactor(
  deps: Deps,
  accountId: string,
  /** Runs in the same transaction with the account before and after (the operator's audit record). */
  alsoInTransaction?: (trx: Executor, before: AccountRow, after: AccountRow) => Promise<unknown>,
): Promise<AccountRow | undefined> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const current = await lockAccountById(trx, accountId);
    if (!current) return undefined;
    await deleteAccountOtp(trx, accountId);
    const disabled = current.otp_enabled;
    const updated = disabled ? await updateAccountRevokingSessions(trx, accountId, { otp_enabled: false }) : current;
    if (disabled) {
      await recordAccountUpdated(deps, trx, current);
      await enqueueMail(deps, trx, twoFactorDisabledMail(deps.config, current.email));
    }
    await alsoInTransaction?.(trx, current, updated);
    return { account: updated, disabled };
  });
  if (!result) return undefined;
  await clearFailures(deps, FAILURES, accountId);
  return result.account;
}

/**
 * True when `code` matches the account's secret for a time step after the last one used (at most
 * one step of clock drift either side), and records that step, so the code is accepted once even
 * by parallel requests. The attempt is counted before the code is checked (and the count cleared
 * by a right code), so of N parallel wrong codes at most the limit are checked; 429 past it.
 */
export async function useTotpCode(deps: Deps, db: Executor, accountId: string, code: string): Promise<boolean> {
  await enforceRateLimit(deps, FAILURES, accountId);
  const otp = await findAccountOtp(db, accountId);
  const step = otp
    ? await matchTotp(openSecret(deps, accountId, otp.secret_sealed), code.trim(), { afterStep: Number(otp.last_used_step) })
    : undefined;
  if (step === undefined || !(await claimOtpStep(db, accountId, step))) return false;
  await clearFailures(deps, FAILURES, accountId);
  return true;
}

function openSecret(deps: Deps, accountId: string, sealed: string): string {
  try {
    return deps.secretBox.open(sealed, secretContext(accountId));
  } catch (error) {
    throw new Error(`cannot decrypt the TOTP secret of account ${accountId}: was OTP_ENCRYPTION_KEY changed?`, { cause: error });
  }
}
