/**
 * Session JWTs: RS256, signed with our private key, `kid` = the key's RFC 7638 thumbprint. Bearer
 * tokens are verified by signature, issuer, audience and expiry (Barong only looked them up in its
 * database). Previous public keys stay accepted and published for rotation.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { readOrCreateKeyFileAsync, type KeyFileLogger } from './key-files.js';
import { randomHex } from './tokens.js';

export const SESSION_ISSUER = 'barong';
export const SESSION_AUDIENCE = ['peatio', 'barong'];

export interface SessionSubject {
  uid: string;
  email: string;
  role: string;
  level: number;
  state: string;
}

/** The account's session generation at sign-in: a bump on the account revokes the session. */
export const SESSION_GENERATION_CLAIM = 'sgen';

export type SessionClaims = JWTPayload &
  SessionSubject & {
    /** When the user signed in (seconds), kept through renewals; absent on API-key sessions. */
    auth_time?: number;
    [SESSION_GENERATION_CLAIM]?: number;
  };

export type PublicJwk = JWK & { kty: string; kid: string; use: string; alg: string; n: string; e: string };

export interface SignOptions {
  expiresIn: number;
  audience?: string | string[];
  extraClaims?: Record<string, unknown>;
}

export interface JwtService {
  readonly kid: string;
  sign(subject: SessionSubject, options: SignOptions): Promise<string>;
  /** Verifies a bearer session token; throws TOKEN_INVALID / TOKEN_EXPIRED. */
  verifySession(token: string): Promise<SessionClaims>;
  jwks(): { keys: PublicJwk[] };
}

export async function createJwtService(config: Config, log: KeyFileLogger): Promise<JwtService> {
  const privateKey = createPrivateKey(await loadPrivateKeyPem(config, log));
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the JWT private key must be an RSA key');
  const publicKeys = [
    createPublicKey(privateKey),
    ...config.jwt.previousPublicKeyPaths.map((file) => createPublicKey(fs.readFileSync(file, 'utf8'))),
  ];
  const jwks = { keys: await Promise.all(publicKeys.map(publicJwk)) };
  const kid = jwks.keys[0].kid!;
  const keySet = createLocalJWKSet(jwks);
  const cache = new VerifiedTokenCache(10_000);

  return {
    kid,
    async sign(subject, { expiresIn, audience = SESSION_AUDIENCE, extraClaims = {} }) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...extraClaims, ...subject })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .setSubject('session')
        .setIssuer(SESSION_ISSUER)
        .setAudience(audience)
        .setJti(randomHex(12))
        .sign(privateKey);
    },
    async verifySession(token) {
      const cached = cache.get(token);
      if (cached) return cached;
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: ['RS256'],
          issuer: SESSION_ISSUER,
          audience: 'barong',
          subject: 'session',
          requiredClaims: ['exp', 'iat', 'jti', 'uid'],
        });
        const claims = payload as SessionClaims;
        cache.set(token, claims);
        return claims;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED');
        throw new AppError('TOKEN_INVALID');
      }
    },
    jwks: () => jwks,
  };
}

async function loadPrivateKeyPem(config: Config, log: KeyFileLogger): Promise<string> {
  if (config.jwt.privateKeyPem) return config.jwt.privateKeyPem;
  if (config.jwt.privateKeyPath) return fs.readFileSync(config.jwt.privateKeyPath, 'utf8');
  return readOrCreateKeyFileAsync(config.dataDir, 'jwt-private.pem', generateRsaPem, log);
}

/** In libuv's thread pool: a first start opens the database meanwhile (bootstrap.ts). */
export async function generateRsaPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function publicJwk(key: KeyObject): Promise<PublicJwk> {
  const jwk = await exportJWK(key);
  return { ...jwk, kty: 'RSA', n: jwk.n!, e: jwk.e!, kid: await calculateJwkThumbprint(jwk), use: 'sig', alg: 'RS256' };
}

/** Signature checks are the costly part of bearer auth; a verified token is good until its exp. */
class VerifiedTokenCache {
  private readonly entries = new Map<string, SessionClaims>();
  constructor(private readonly maxEntries: number) {}

  get(token: string): SessionClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if ((claims.exp ?? 0) * 1000 <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: SessionClaims): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, claims);
  }
}
