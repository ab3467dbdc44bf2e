/** Sign-up, email confirmation and resending the confirmation mail. */
import { confirmationMail } from '../../adapters/mail/templates.js';
import { randomHex, tokenDigest } from '../../crypto/tokens.js';
import { isUniqueViolation } from '../../db/database.js';
import { findAccountByEmail, insertAccountUnlessUidTaken, lockAccountById, updateAccount } from '../../db/queries/accounts.js';
import { lockAccountTokenByHash, markAccountTokenUsed } from '../../db/queries/account-tokens.js';
import type { AccountRow, Executor } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { recordAccountCreated, recordAccountUpdated } from '../events/model-events.js';
import { enqueueMail } from '../outbox/outbox.js';
import { enforceRateLimit, enforceRateLimits } from '../rate-limits.js';
import { setPrivateLabel } from '../labels/levels.js';
import { issueMailedToken } from './mailed-tokens.js';
import { emailProblems, normalizeEmail, passwordProblems } from './rules.js';

/** Confirmation links stay valid this long; a new one can be requested at any time. */
export const CONFIRMATION_TTL_MS = 48 * 3600 * 1000;
const UID_ATTEMPTS = 5;

/**
 * Answers 422 "Email has already been taken" as Barong did (clients rely on it); the per-address
 * rate limit, counted before the password is hashed, keeps that from being an enumeration oracle
 * at scale.
 */
export async function registerAccount(deps: Deps, input: { email: string; password: string }, clientIp: string): Promise<void> {
  const email = normalizeEmail(input.email);
  const problems = [...emailProblems(email), ...passwordProblems(input.password)];
  if (problems.length > 0) throw new AppError('INVALID_ACCOUNT', problems);
  await enforceRateLimit(deps, 'sign_up_per_ip', clientIp);

  const passwordDigest = await deps.passwords.hash(input.password);
  try {
    await deps.db.transaction().execute(async (trx) => {
      const account = await insertAccountWithFreshUid(trx, email, passwordDigest);
      await mailConfirmation(deps, trx, account);
      await recordAccountCreated(deps, trx, account);
    });
  } catch (error) {
    // The unique index decides a race of parallel sign-ups with one email.
    if (isUniqueViolation(error, 'accounts_email_key')) {
      throw new AppError('INVALID_ACCOUNT', ['Email has already been taken']);
    }
    throw error;
  }
}

async function insertAccountWithFreshUid(trx: Executor, email: string, passwordDigest: string): Promise<AccountRow> {
  for (let attempt = 1; attempt <= UID_ATTEMPTS; attempt++) {
    const account = await insertAccountUnlessUidTaken(trx, { uid: `ID${randomHex(5)}`, email, password_digest: passwordDigest });
    if (account) return account;
  }
  throw new Error(`no free account uid after ${UID_ATTEMPTS} attempts`);
}

/** A new confirmation token, and its mail in the outbox, in the caller's transaction. */
async function mailConfirmation(deps: Deps, trx: Executor, account: AccountRow): Promise<void> {
  const token = await issueMailedToken(deps, trx, account.id, 'confirmation', CONFIRMATION_TTL_MS);
  await enqueueMail(deps, trx, confirmationMail(deps.config, account.email, token));
}

export async function confirmEmail(deps: Deps, token: string, clientIp: string): Promise<void> {
  await enforceRateLimit(deps, 'confirm_per_ip', clientIp);
  await deps.db.transaction().execute(async (trx) => {
    const row = await lockAccountTokenByHash(trx, 'confirmation', tokenDigest(deps.tokenKey, token));
    if (!row) throw new AppError('CONFIRMATION_TOKEN_INVALID');
    const account = await lockAccountById(trx, row.account_id);
    if (!account) throw new AppError('CONFIRMATION_TOKEN_INVALID');
    if (row.used_at || account.confirmed_at) throw new AppError('EMAIL_ALREADY_CONFIRMED');
    if (row.expires_at.getTime() <= Date.now()) throw new AppError('CONFIRMATION_TOKEN_EXPIRED');

    await markAccountTokenUsed(trx, row.id);
    await updateAccount(trx, account.id, { state: 'active', confirmed_at: new Date() });
    await setPrivateLabel(trx, account.id, 'email', 'verified');
    await recordAccountUpdated(deps, trx, account);
  });
}

/** Always succeeds from the caller's view; mails only a pending account. */
export async function resendConfirmation(deps: Deps, rawEmail: string, clientIp: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  await enforceRateLimits(deps, ['confirmation_per_ip', clientIp], ['confirmation_per_email', email]);
  // After the answer, so its timing does not tell whether the account exists.
  deps.background.run('resend confirmation', () =>
    deps.db.transaction().execute(async (trx) => {
      const found = await findAccountByEmail(trx, email);
      if (found && !found.confirmed_at) await mailConfirmation(deps, trx, found);
    }),
  );
}
