/** Changing a password, and resetting a forgotten one by mailed token (6 h, single use). */
import { passwordChangedMail, passwordResetDoneMail, resetPasswordMail } from '../../adapters/mail/templates.js';
import { tokenDigest } from '../../crypto/tokens.js';
import { findAccountByEmail, lockAccountById, updateAccountRevokingSessions } from '../../db/queries/accounts.js';
import { deleteAccountTokens, findAccountTokenByHash, lockAccountTokenByHash } from '../../db/queries/account-tokens.js';
import type { AccountRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { enqueueMail } from '../outbox/outbox.js';
import { clearFailures, enforceRateLimit, enforceRateLimits } from '../rate-limits.js';
import { issueMailedToken } from './mailed-tokens.js';
import { normalizeEmail, passwordProblems, SAME_PASSWORD } from './rules.js';

export const RESET_TTL_MS = 6 * 3600 * 1000;

/** New-password rules, including "different from the current one"; 422 with Barong's sentence. */
async function assertAcceptableNewPassword(deps: Deps, account: AccountRow, password: string): Promise<void> {
  const problems = passwordProblems(password);
  if (problems.length === 0 && (await deps.passwords.verify(account.password_digest, password))) {
    problems.push(SAME_PASSWORD);
  }
  if (problems.length > 0) throw new AppError('INVALID_NEW_PASSWORD', problems.join(', '));
}

/**
 * Each old_password tried is counted before it is checked (a right one clears the count), so a
 * stolen session cannot guess the password: 429 past the limit. The change ends every session,
 * this one too, and mails the owner.
 */
export async function changePassword(
  deps: Deps,
  account: AccountRow,
  input: { old_password: string; new_password: string },
): Promise<void> {
  await enforceRateLimit(deps, 'password_change_failures_per_account', account.id);
  if (!(await deps.passwords.verify(account.password_digest, input.old_password))) {
    throw new AppError('INVALID_PASSWORD');
  }
  await clearFailures(deps, 'password_change_failures_per_account', account.id);
  await assertAcceptableNewPassword(deps, account, input.new_password);
  const digest = await deps.passwords.hash(input.new_password);
  await deps.db.transaction().execute(async (trx) => {
    await updateAccountRevokingSessions(trx, account.id, { password_digest: digest });
    await enqueueMail(deps, trx, passwordChangedMail(deps.config, account.email));
  });
}

/** Always succeeds from the caller's view, at the same speed whether or not the email exists. */
export async function requestPasswordReset(deps: Deps, rawEmail: string, clientIp: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  await enforceRateLimits(deps, ['reset_password_per_ip', clientIp], ['reset_password_per_email', email]);
  // After the answer, so its timing does not tell whether the account exists.
  deps.background.run('reset password mail', () =>
    deps.db.transaction().execute(async (trx) => {
      const found = await findAccountByEmail(trx, email);
      if (!found) return;
      const token = await issueMailedToken(deps, trx, found.id, 'reset_password', RESET_TTL_MS);
      await enqueueMail(deps, trx, resetPasswordMail(deps.config, found.email, token));
    }),
  );
}

/**
 * Sets the new password, uses up the token, lifts a sign-in lockout, ends every session and mails
 * the owner. Rate limited per client address, and the token is checked before any password is
 * hashed, so a flood of made-up tokens costs a lookup each, not a hash.
 */
export async function resetPassword(deps: Deps, input: { reset_password_token: string; password: string }, clientIp: string) {
  await enforceRateLimit(deps, 'reset_password_token_per_ip', clientIp);
  const tokenHash = tokenDigest(deps.tokenKey, input.reset_password_token);
  assertUsableResetToken(await findAccountTokenByHash(deps.db, 'reset_password', tokenHash));
  const problems = passwordProblems(input.password);
  if (problems.length > 0) throw new AppError('INVALID_NEW_PASSWORD', problems.join(', '));
  const digest = await deps.passwords.hash(input.password);

  await deps.db.transaction().execute(async (trx) => {
    const token = assertUsableResetToken(await lockAccountTokenByHash(trx, 'reset_password', tokenHash));
    const account = await lockAccountById(trx, token.account_id);
    if (!account) throw new AppError('NOT_FOUND');
    await assertAcceptableNewPassword(deps, account, input.password);
    await updateAccountRevokingSessions(trx, account.id, { password_digest: digest, failed_attempts: 0, locked_at: null });
    await deleteAccountTokens(trx, account.id, 'reset_password');
    await enqueueMail(deps, trx, passwordResetDoneMail(deps.config, account.email));
  });
}

function assertUsableResetToken<T extends { used_at: Date | null; expires_at: Date }>(token: T | undefined): T {
  if (!token || token.used_at) throw new AppError('NOT_FOUND');
  if (token.expires_at.getTime() <= Date.now()) throw new AppError('RESET_TOKEN_EXPIRED');
  return token;
}
