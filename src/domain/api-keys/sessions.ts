/**
 * API-key sessions (`POST /sessions/generate_jwt`): a bot proves possession of the key's private
 * key with a JWT it signed, and gets a session JWT with `api_kid`, `aud` = the key's scopes and the
 * key's lifetime. Unlike Barong, the client JWT must carry `exp` and a `jti`, and a `jti` is
 * accepted once per key (recorded until the JWT expires).
 */
import {
  CLIENT_JWT_CLOCK_TOLERANCE_SECONDS,
  ClientJwtError,
  parseApiPublicKey,
  verifyClientJwt,
  type ClientJwtClaims,
} from '../../crypto/api-key-jwt.js';
import { findAccountById } from '../../db/queries/accounts.js';
import { claimApiKeyJti, deleteExpiredApiKeyJtis } from '../../db/queries/api-key-jtis.js';
import { findApiKeyByUid } from '../../db/queries/api-keys.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../deps.js';
import { enforceRateLimit } from '../rate-limits.js';
import { sessionSubject } from '../sessions/sessions.js';

const jwtError = (reason: string) => new AppError('API_KEY_JWT_INVALID', `Failed to decode and verify JWT: ${reason}`);

/** The scopes string ("trade, withdraw") as the `aud` array of the minted session. */
export function scopesAudience(scopes: string | null): string[] {
  return (scopes ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
}

/**
 * Counted per client address before the client JWT is checked. The key mints nothing while its
 * account is not active or has 2FA off (an operator's 2FA reset must not leave a bot key, perhaps
 * created from a stolen session, minting sessions).
 */
export async function createApiKeySession(deps: Deps, input: { kid: string; jwt_token: string }, clientIp: string): Promise<string> {
  await enforceRateLimit(deps, 'generate_jwt_per_ip', clientIp);
  const key = await findApiKeyByUid(deps.db, input.kid);
  if (!key || key.state !== 'active') throw new AppError('NOT_FOUND');
  const publicKey = parseApiPublicKey(key.public_key);
  if (!publicKey) throw new Error(`api key ${key.uid} holds a public key that does not parse`);

  const now = Date.now();
  let claims: ClientJwtClaims;
  try {
    claims = await verifyClientJwt(input.jwt_token, publicKey, now);
  } catch (error) {
    if (error instanceof ClientJwtError) throw jwtError(error.reason);
    throw error;
  }

  const account = await findAccountById(deps.db, key.account_id);
  if (!account) throw new AppError('NOT_FOUND');
  if (account.state !== 'active') throw new AppError('ACCOUNT_INACTIVE');
  if (!account.otp_enabled) throw new AppError('API_KEYS_NEED_OTP');

  await deleteExpiredApiKeyJtis(deps.db, key.id, new Date(now));
  const forgetAt = new Date((claims.exp + CLIENT_JWT_CLOCK_TOLERANCE_SECONDS) * 1000);
  if (!(await claimApiKeyJti(deps.db, key.id, claims.jti, forgetAt))) throw jwtError('"jti" claim was already used');

  return deps.jwt.sign(sessionSubject(account), {
    expiresIn: key.expires_in,
    audience: scopesAudience(key.scopes),
    extraClaims: { api_kid: key.uid },
  });
}
