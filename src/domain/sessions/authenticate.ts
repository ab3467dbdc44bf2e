import { SESSION_GENERATION_CLAIM, type SessionClaims } from '../../crypto/jwt.js';
import { findAccountByUid } from '../../db/queries/accounts.js';
import type { AccountRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';

export interface Session {
  account: AccountRow;
  claims: SessionClaims;
}

/**
 * Bearer token → the account it names, which must still exist and be active, and must not have
 * revoked its sessions since this one was issued (password change or reset, 2FA reset, role
 * change: see updateAccountRevokingSessions). Sessions minted for API keys (`api_kid`) are for
 * resource servers, not for this API (as in Barong): accepting them would let a key whose scopes
 * include "barong" act as, and renew into, a full session.
 */
export async function authenticateBearer(deps: Deps, token: string): Promise<Session> {
  const claims = await deps.jwt.verifySession(token);
  if (claims.api_kid !== undefined) throw new AppError('TOKEN_INVALID');
  const account = await findAccountByUid(deps.db, claims.uid);
  if (!account) throw new AppError('ACCOUNT_MISSING');
  if (account.state !== 'active') throw new AppError('ACCOUNT_INACTIVE');
  // Tokens issued before sessions were revocable carry no generation: they count as generation 0.
  if ((claims[SESSION_GENERATION_CLAIM] ?? 0) !== account.session_generation) throw new AppError('SESSION_REVOKED');
  return { account, claims };
}
