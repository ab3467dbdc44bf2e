/**
 * jwt-multisig, the format of Barong's Management API: a JWT in JWS JSON general serialization
 * (RFC 7515 §7.2.1) with one signature per signer, `{"payload", "signatures": [{"protected":
 * <base64url {"alg"}>, "header": {"kid": <signer id>}, "signature"}]}`. Like the Ruby gem, a
 * signature by a signer outside the keychain is skipped, and a bad signature by one inside it
 * fails the whole JWT. Unlike the gem, each signer's algorithm is the keychain's, not the header's.
 */
import type { KeyObject } from 'node:crypto';
import { base64url, flattenedVerify, GeneralSign, type GeneralJWS } from 'jose';

export interface MultisigSigner {
  kid: string;
  key: KeyObject;
  algorithm: string;
}

export type MultisigKeychain = ReadonlyMap<string, { key: KeyObject; algorithm: string }>;

/** More signatures than any scope could need is a request to burn CPU. */
const MAX_SIGNATURES = 16;

export class MultisigJwtError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MultisigJwtError';
  }
}

export function signMultisigJwt(payload: Record<string, unknown>, signers: readonly MultisigSigner[]): Promise<GeneralJWS> {
  if (signers.length === 0) throw new MultisigJwtError('at least one signer is needed');
  const jws = new GeneralSign(new TextEncoder().encode(JSON.stringify(payload)));
  for (const signer of signers) {
    jws.addSignature(signer.key).setProtectedHeader({ alg: signer.algorithm }).setUnprotectedHeader({ kid: signer.kid });
  }
  return jws.sign();
}

type Node = Record<string, unknown>;
const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The payload (a JSON object) and the signer ids whose signatures verified. Throws
 * MultisigJwtError for anything that is not such a JWT or carries a bad signature.
 */
export async function verifyMultisigJwt(jwt: unknown, keychain: MultisigKeychain): Promise<{ payload: Node; verified: string[] }> {
  if (!isObject(jwt) || typeof jwt.payload !== 'string' || !Array.isArray(jwt.signatures)) {
    throw new MultisigJwtError('not a JWS in general JSON serialization');
  }
  if (jwt.signatures.length === 0 || jwt.signatures.length > MAX_SIGNATURES) {
    throw new MultisigJwtError(`expected 1 to ${MAX_SIGNATURES} signatures`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(jwt.payload)));
  } catch {
    throw new MultisigJwtError('the payload is not base64url-encoded JSON');
  }
  if (!isObject(payload)) throw new MultisigJwtError('the payload is not a JSON object');

  const verified = new Set<string>();
  for (const signature of jwt.signatures) {
    if (!isObject(signature) || !isObject(signature.header) || typeof signature.header.kid !== 'string') {
      throw new MultisigJwtError('a signature has no header.kid');
    }
    if (typeof signature.protected !== 'string' || typeof signature.signature !== 'string') {
      throw new MultisigJwtError('a signature has no protected header or no signature');
    }
    const signer = keychain.get(signature.header.kid);
    if (!signer) continue;
    try {
      await flattenedVerify(
        { payload: jwt.payload, protected: signature.protected, header: signature.header, signature: signature.signature },
        signer.key,
        { algorithms: [signer.algorithm] },
      );
    } catch (error) {
      throw new MultisigJwtError(`signature of ${signature.header.kid}: ${(error as Error).message}`);
    }
    verified.add(signature.header.kid);
  }
  return { payload, verified: [...verified] };
}

export interface ClaimRules {
  issuer?: string;
  audience?: string;
  leewaySeconds: number;
  maxLifetimeSeconds: number;
}

const MAX_JTI_LENGTH = 255;

/**
 * Checks the registered claims of a verified payload: `exp` (required, not past, at most the
 * horizon ahead), `jti` (required: the caller records its single use), `iat` and `nbf` (when
 * present, not in the future), `iss` and `aud` when configured. Answers `exp`, `jti` and `data`
 * (the action's parameters, `{}` when absent as in Barong).
 */
export function checkMultisigClaims(payload: Node, rules: ClaimRules, now = Math.floor(Date.now() / 1000)) {
  const { exp, iat, nbf, jti, iss, aud } = payload;
  const fail = (reason: string): never => {
    throw new MultisigJwtError(reason);
  };
  if (typeof exp !== 'number' || !Number.isFinite(exp)) fail('"exp" claim is missing');
  if ((exp as number) + rules.leewaySeconds <= now) fail('"exp" claim timestamp check failed');
  if ((exp as number) > now + rules.maxLifetimeSeconds + rules.leewaySeconds) fail(`"exp" is more than ${rules.maxLifetimeSeconds} s ahead`);
  if (iat !== undefined && (typeof iat !== 'number' || iat > now + rules.leewaySeconds)) fail('"iat" claim is in the future');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + rules.leewaySeconds)) fail('"nbf" claim timestamp check failed');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) fail('"jti" claim is missing');
  if (rules.issuer !== undefined && iss !== rules.issuer) fail('unexpected "iss" claim value');
  if (rules.audience !== undefined && !(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) {
    fail('unexpected "aud" claim value');
  }
  return { exp: exp as number, jti: jti as string, data: payload.data ?? {} };
}

const CURVE_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** The usual algorithm for a key: RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519. */
export function defaultAlgorithmFor(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec') return CURVE_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
  return undefined;
}
