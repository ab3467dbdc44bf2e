/**
 * API keys: the client's public key, and the JWT a bot signs with the matching private key to get a
 * session (`POST /v1/sessions/generate_jwt`). Barong stored any text as the key and let a signed JWT
 * be replayed until its (optional) exp; here the key must parse as an RSA (≥ 2048 bits) or EC
 * (P-256/384/521) public key, and the JWT must carry `exp` (at most 1 h ahead) and a `jti`, whose
 * single use the caller records.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';

export const CLIENT_JWT_SUBJECT = 'api_key_jwt';
export const CLIENT_JWT_ISSUER = 'external';
/** Furthest `exp` a client JWT may have, so a recorded jti can be forgotten soon. */
export const CLIENT_JWT_MAX_LIFETIME_SECONDS = 3600;
/** Clock difference tolerated between the bot and us. */
export const CLIENT_JWT_CLOCK_TOLERANCE_SECONDS = 30;
const MAX_JTI_LENGTH = 255;
const MIN_RSA_BITS = 2048;

export type ApiKeyAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

const EC_ALGORITHMS: Record<string, ApiKeyAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export interface ApiPublicKey {
  key: KeyObject;
  algorithm: ApiKeyAlgorithm;
}

/**
 * Reads a public key as Barong's clients send it (URL-safe Base64 of the PEM) or as the PEM
 * itself. Undefined for anything else: garbage, private keys, certificates, other key types, RSA
 * keys under 2048 bits, EC curves other than P-256/384/521.
 */
export function parseApiPublicKey(text: string): ApiPublicKey | undefined {
  const pem = pemOf(text.trim());
  if (!pem || !/^-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
  if (key.type !== 'public') return undefined;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    return (details.modulusLength ?? 0) >= MIN_RSA_BITS ? { key, algorithm: 'RS256' } : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    const algorithm = EC_ALGORITHMS[details.namedCurve ?? ''];
    return algorithm ? { key, algorithm } : undefined;
  }
  return undefined;
}

/** The PEM in `text`: the PEM itself, or Barong's (URL-safe) Base64 of it; undefined for anything else. */
export function pemOf(text: string): string | undefined {
  if (text.startsWith('-----BEGIN ')) return text;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.replace(/\s+/g, ''))) return undefined;
  const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8').trim();
  return decoded.startsWith('-----BEGIN ') ? decoded : undefined;
}

export interface ClientJwtClaims {
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
}

/** Why a client JWT was refused, worded for `"Failed to decode and verify JWT: <reason>"`. */
export class ClientJwtError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ClientJwtError';
  }
}

/** Verifies signature, algorithm, `sub`, `iss`, `exp` (required, ≤ 1 h ahead), `iat`, `jti`. */
export async function verifyClientJwt(token: string, publicKey: ApiPublicKey, nowMs = Date.now()): Promise<ClientJwtClaims> {
  const now = Math.floor(nowMs / 1000);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, publicKey.key, {
      algorithms: [publicKey.algorithm],
      subject: CLIENT_JWT_SUBJECT,
      issuer: CLIENT_JWT_ISSUER,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLIENT_JWT_CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now * 1000),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new ClientJwtError(error.message);
    throw error;
  }
  const { jti, exp, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw new ClientJwtError(`"jti" claim must be a string of 1 to ${MAX_JTI_LENGTH} characters`);
  }
  if (exp! > now + CLIENT_JWT_MAX_LIFETIME_SECONDS + CLIENT_JWT_CLOCK_TOLERANCE_SECONDS) {
    throw new ClientJwtError(`"exp" claim must be at most ${CLIENT_JWT_MAX_LIFETIME_SECONDS} seconds ahead`);
  }
  if (iat !== undefined && iat > now + CLIENT_JWT_CLOCK_TOLERANCE_SECONDS) {
    throw new ClientJwtError('"iat" claim timestamp check failed (it should be in the past)');
  }
  return { jti, exp: exp! };
}
