/**
 * Password sign-in and renewal. Order of checks: application, then credentials (one answer for an
 * unknown email and a wrong password, at the same cost), then lockout and confirmation, then the
 * 2FA code when the account has 2FA on.
 */
import { SESSION_LIFETIME_BOUNDS } from '../../config.js';
import type { SessionSubject } from '../../crypto/jwt.js';
import { clearFailedSignIns, recordFailedSignIn } from '../../db/queries/accounts.js';
import { findSignInState } from '../../db/queries/sign-in.js';
import type { AccountRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { normalizeEmail } from '../accounts/rules.js';
import type { Deps } from '../deps.js';
import { enforceRateLimit } from '../rate-limits.js';
import { requireSignInCode } from '../two-factor/two-factor.js';

export interface SignInInput {
  email: string;
  password: string;
  application_id: string;
  expires_in?: number;
  otp_code?: string;
}

export async function signIn(deps: Deps, input: SignInInput, clientIp: string): Promise<string> {
  const expiresIn = sessionLifetime(deps, input.expires_in);
  const email = normalizeEmail(input.email);
  await enforceRateLimit(deps, 'sign_in_per_ip', clientIp);
  await enforceRateLimit(deps, 'sign_in_per_email', email);
  // One round trip reads the application and the account with its lockout state.
  const { applicationExists, account } = await findSignInState(deps.db, input.application_id, email);
  if (!applicationExists) throw new AppError('WRONG_APPLICATION');
  if (!account) {
    await deps.passwords.verifyDummy(input.password);
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (isLocked(deps, account)) throw new AppError('ACCOUNT_LOCKED');
  if (!(await deps.passwords.verify(account.password_digest, input.password))) {
    const updated = await recordFailedSignIn(deps.db, account.id, deps.config.lockout.maxAttempts);
    if (isLocked(deps, updated)) deps.log.warn({ account: account.uid }, 'account locked after failed sign-ins');
    throw new AppError('INVALID_CREDENTIALS');
  }
  if (account.state !== 'active') throw new AppError('EMAIL_NOT_CONFIRMED');
  if (account.otp_enabled) await requireSignInCode(deps, account, input.otp_code);

  // Only an account with failures on record needs a write: the usual sign-in makes none.
  if (account.failed_attempts > 0 || account.locked_at) await clearFailedSignIns(deps.db, account.id);
  return issueSessionToken(deps, account, expiresIn);
}

export function renewSession(deps: Deps, account: AccountRow, expiresIn?: number): Promise<string> {
  return issueSessionToken(deps, account, sessionLifetime(deps, expiresIn));
}

export function issueSessionToken(deps: Deps, account: AccountRow, expiresIn: number): Promise<string> {
  return deps.jwt.sign(sessionSubject(account), { expiresIn });
}

export function sessionSubject(account: AccountRow): SessionSubject {
  return { uid: account.uid, email: account.email, role: account.role, level: account.level, state: account.state };
}

/** A lock lifts by itself after LOCKOUT_SECONDS (or at once through a password reset). */
function isLocked(deps: Deps, account: AccountRow): boolean {
  if (!account.locked_at) return false;
  return account.locked_at.getTime() + deps.config.lockout.lockSeconds * 1000 > Date.now();
}

function sessionLifetime(deps: Deps, requested: number | undefined): number {
  if (requested === undefined) return deps.config.jwt.lifetimeSeconds;
  const { min, max } = SESSION_LIFETIME_BOUNDS;
  if (requested < min) throw new AppError('EXPIRES_IN_OUT_OF_RANGE', `Expires in must be greater than or equal to ${min}`);
  if (requested > max) throw new AppError('EXPIRES_IN_OUT_OF_RANGE', `Expires in must be less than or equal to ${max}`);
  return requested;
}
