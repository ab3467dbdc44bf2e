/**
 * Management API callers: signers with real key pairs, the keychain file the server reads
 * (MANAGEMENT_API_CONFIG_PATH), and request bodies signed as jwt-multisig.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { signMultisigJwt } from '../../src/crypto/multisig-jwt.js';

export interface TestSigner {
  kid: string;
  algorithm: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function rsaSigner(kid: string, algorithm = 'RS256'): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, algorithm, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function ecSigner(kid: string, algorithm = 'ES256'): TestSigner {
  const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[algorithm] ?? 'P-256';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { kid, algorithm, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Barong's keychain value: URL-safe Base64 of the PEM. */
export const urlSafeBase64 = (text: string) => Buffer.from(text).toString('base64url');

/** Writes the configuration file (YAML, as Barong's config/management_api_v1.yml) and answers its path. */
export function writeManagementConfig(config: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-management-'));
  const file = path.join(dir, 'management_api_v1.yml');
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

export function keychainOf(signers: TestSigner[], value = (s: TestSigner) => s.publicKeyPem) {
  return Object.fromEntries(signers.map((s) => [s.kid, { algorithm: s.algorithm, value: value(s) }]));
}

/** Claims of a fresh request: iat now, exp a minute ahead, a new jti; `claims` overrides any. */
export function claimsFor(data: unknown, claims: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, exp: now + 60, jti: randomUUID(), data, ...claims };
}

/** A body signed by `signers`, each with its own algorithm. */
export function signedBody(payload: Record<string, unknown>, ...signers: TestSigner[]) {
  return signMultisigJwt(payload, signers.map((s) => ({ kid: s.kid, key: s.privateKey, algorithm: s.algorithm })));
}
