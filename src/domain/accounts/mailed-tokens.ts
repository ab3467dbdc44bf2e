/** One-time tokens sent by mail (confirmation, password reset): random, stored only as an HMAC. */
import { randomToken, tokenDigest } from '../../crypto/tokens.js';
import { deleteUnusedAccountTokens, insertAccountToken } from '../../db/queries/account-tokens.js';
import type { Executor, TokenPurpose } from '../../db/schema.js';
import type { Deps } from '../deps.js';

/** A new token for `purpose`, replacing the account's unused ones; returns the raw token to mail. */
export async function issueMailedToken(
  deps: Deps,
  trx: Executor,
  accountId: string,
  purpose: TokenPurpose,
  ttlMs: number,
): Promise<string> {
  const token = randomToken();
  await deleteUnusedAccountTokens(trx, accountId, purpose);
  await insertAccountToken(trx, {
    account_id: accountId,
    purpose,
    token_hash: tokenDigest(deps.tokenKey, token),
    expires_at: new Date(Date.now() + ttlMs),
  });
  return token;
}
