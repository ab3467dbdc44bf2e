/**
 * Password sign-in and renewal. Order of checks: application, then lockout and credentials (one
 * answer for an unknown email and a wrong password, at the same cost), then confirmation, then the
 * 2FA code when the account has 2FA on.
 */
import { SESSION_LIFETIME_BOUNDS } from '../../config.js';
import { SESSION_GENERATION_CLAIM, type SessionClaims, type SessionSubject } from '../../crypto/jwt.js';
import type { PasswordChecks } from '../../crypto/password.js';
import { clearFailedSignIns } from '../../db/queries/accounts.js';
import { reserveSignInAttempt, type SignInState } from '../../db/queries/sign-in.js';
import type { AccountRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { upgradeLegacyDigest } from '../accounts/legacy-digests.js';
import { normalizeEmail } from '../accounts/rules.js';
import type { Deps } from '../deps.js';
import { enforceRateLimits, reserveUnknownAccountAttempt } from '../rate-limits.js';
import { requireSignInCode } from '../two-factor/two-factor.js';

export interface SignInInput {
  email: string;
  password: string;
  application_id: string;
  expires_in?: number;
  otp_code?: string;
}

/** `clientGone`: fires when the client stops waiting; a sign-in still queued then is dropped unread. */
export async function signIn(deps: Deps, input: SignInInput, clientIp: string, clientGone?: AbortSignal): Promise<string> {
  const expiresIn = sessionLifetime(deps, input.expires_in);
  const email = normalizeEmail(input.email);
  await enforceRateLimits(deps, ['sign_in_per_ip', clientIp], ['sign_in_per_email', email]);
  return deps.passwords.admit(async (passwords) => {
    // One round trip reads the application and the account, and reserves the attempt.
    const state = await reserveSignInAttempt(deps.db, input.application_id, email, deps.config.lockout);
    if (!state.applicationExists) throw new AppError('WRONG_APPLICATION');

    const account = await checkPassword(deps, passwords, state, email, input.password);
    if (account.state !== 'active') throw new AppError('EMAIL_NOT_CONFIRMED');
    if (account.otp_enabled) await requireSignInCode(deps, account, input.otp_code);
    await upgradeLegacyDigest(deps, account, input.password);
    return issueSessionToken(deps, account, expiresIn, Math.floor(Date.now() / 1000));
  }, clientGone);
}

/**
 * The account whose password this is. The attempt is reserved before the password is checked (see
 * reserveSignInAttempt), and an unknown email goes through the same steps against a counter of its
 * own and a dummy hash: the answers, "Invalid Email or password." and then the lockout message,
 * and their cost are the same whether or not the email has an account.
 */
async function checkPassword(
  deps: Deps,
  passwords: PasswordChecks,
  state: SignInState,
  email: string,
  password: string,
): Promise<AccountRow> {
  if (!state.accountExists) {
    const allowed = await reserveUnknownAccountAttempt(deps, email);
    await passwords.verifyDummy(password);
    throw new AppError(allowed ? 'INVALID_CREDENTIALS' : 'ACCOUNT_LOCKED');
  }
  const { reserved } = state;
  if (!reserved) {
    await passwords.verifyDummy(password);
    throw new AppError('ACCOUNT_LOCKED');
  }
  if (!(await passwords.verify(reserved.password_digest, password))) {
    if (reserved.locked_at) deps.log.warn({ account: reserved.uid }, 'account locked after failed sign-ins');
    throw new AppError('INVALID_CREDENTIALS');
  }
  await clearFailedSignIns(deps.db, reserved.id);
  return reserved;
}

/**
 * A new token for the same sign-in: it keeps `auth_time`, and never outlives the absolute session
 * lifetime counted from it (SESSION_MAX_LIFETIME), however often it is renewed.
 */
export function renewSession(deps: Deps, account: AccountRow, session: SessionClaims, expiresIn?: number): Promise<string> {
  const requested = sessionLifetime(deps, expiresIn);
  const now = Math.floor(Date.now() / 1000);
  const signedInAt = typeof session.auth_time === 'number' ? session.auth_time : session.iat!;
  const left = signedInAt + deps.config.jwt.maxSessionSeconds - now;
  if (left <= 0) throw new AppError('SESSION_TOO_OLD');
  return issueSessionToken(deps, account, Math.min(requested, left), signedInAt);
}

/** What a session token says of its account: the subject and the session generation it was issued in. */
export type SessionAccount = Pick<AccountRow, keyof SessionSubject | 'session_generation'>;

/** `signedInAt`: the sign-in this session comes from (seconds), kept through renewals as `auth_time`. */
export function issueSessionToken(
  deps: Pick<Deps, 'jwt'>,
  account: SessionAccount,
  expiresIn: number,
  signedInAt: number,
): Promise<string> {
  return deps.jwt.sign(sessionSubject(account), {
    expiresIn,
    extraClaims: { auth_time: signedInAt, [SESSION_GENERATION_CLAIM]: account.session_generation },
  });
}

export function sessionSubject(account: Pick<AccountRow, keyof SessionSubject>): SessionSubject {
  return { uid: account.uid, email: account.email, role: account.role, level: account.level, state: account.state };
}

function sessionLifetime(deps: Deps, requested: number | undefined): number {
  if (requested === undefined) return deps.config.jwt.lifetimeSeconds;
  const { min, max } = SESSION_LIFETIME_BOUNDS;
  if (requested < min) throw new AppError('EXPIRES_IN_OUT_OF_RANGE', `Expires in must be greater than or equal to ${min}`);
  if (requested > max) throw new AppError('EXPIRES_IN_OUT_OF_RANGE', `Expires in must be less than or equal to ${max}`);
  return requested;
}
