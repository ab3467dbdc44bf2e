/**
 * The Management API's security configuration: Barong's config/management_api_v1.yml (a keychain
 * of signers' public keys, JWT options and the security scopes), read from the YAML or JSON file
 * named by MANAGEMENT_API_CONFIG_PATH and checked at start. No file, or an empty keychain, turns
 * the Management API off.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import YAML from 'yaml';
import { pemOf } from './crypto/api-key-jwt.js';

/** Scopes the actions ask for (each operation's x-management-scope in openapi/barong.yaml). */
export const MANAGEMENT_SCOPES = ['write_labels', 'read_users', 'tools'] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** Asymmetric algorithms only: a keychain holds public keys, never shared secrets. */
const ALGORITHMS = {
  RS256: 'rsa', RS384: 'rsa', RS512: 'rsa',
  PS256: 'rsa', PS384: 'rsa', PS512: 'rsa',
  ES256: 'P-256', ES384: 'P-384', ES512: 'P-521',
  EdDSA: 'ed25519',
} as const;
export type ManagementAlgorithm = keyof typeof ALGORITHMS;

const EC_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export interface ManagementApiConfig {
  /** Signer id → its public key (PEM) and the one algorithm its signatures may use. */
  readonly keychain: Readonly<Record<string, { readonly algorithm: ManagementAlgorithm; readonly publicKeyPem: string }>>;
  readonly scopes: Readonly<Partial<Record<ManagementScope, { readonly permittedSigners: readonly string[]; readonly mandatorySigners: readonly string[] }>>>;
  readonly jwt: {
    /** When set, the payload's `iss` must equal it. */
    readonly issuer?: string;
    /** When set, the payload's `aud` must be or contain it. */
    readonly audience?: string;
    /** Clock difference tolerated for exp, iat and nbf. */
    readonly leewaySeconds: number;
    /** Furthest `exp` accepted, so a used jti need only be remembered that long. */
    readonly maxLifetimeSeconds: number;
  };
}

export const MANAGEMENT_JWT_DEFAULTS = { leewaySeconds: 30, maxLifetimeSeconds: 3600 } as const;

/** Barong's (ruby-jwt) option names that are accepted; exp, iat, nbf and jti are always verified here. */
const ALWAYS_VERIFIED = ['verify_expiration', 'verify_iat', 'verify_jti', 'verify_not_before'];

type Node = Record<string, unknown>;
const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and checks the file; problems are pushed (each naming the file and the key), undefined = off. */
export function managementApiFrom(file: string | undefined, problems: string[]): ManagementApiConfig | undefined {
  if (!file) return undefined;
  const where = `MANAGEMENT_API_CONFIG_PATH (${file})`;
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${where}: cannot read it as YAML or JSON (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const found: string[] = [];
  const config = parseManagementApiConfig(raw ?? {}, found);
  problems.push(...found.map((p) => `${where}: ${p}`));
  return found.length > 0 ? undefined : config;
}

export function parseManagementApiConfig(raw: unknown, problems: string[]): ManagementApiConfig | undefined {
  if (!isObject(raw)) {
    problems.push('must be a mapping with keychain, jwt and scopes');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!['keychain', 'jwt', 'scopes'].includes(key)) problems.push(`unknown key "${key}" (expected keychain, jwt, scopes)`);
  }
  const keychain = keychainFrom(raw.keychain ?? {}, problems);
  const jwt = jwtFrom(raw.jwt ?? {}, problems);
  const scopes = scopesFrom(raw.scopes ?? {}, Object.keys(keychain), problems);
  if (Object.keys(keychain).length === 0) return undefined;
  return { keychain, scopes, jwt };
}

function keychainFrom(raw: unknown, problems: string[]): ManagementApiConfig['keychain'] {
  const keychain: Record<string, { algorithm: ManagementAlgorithm; publicKeyPem: string }> = {};
  if (!isObject(raw)) {
    problems.push('keychain must be a mapping of signer id to {algorithm, value}');
    return keychain;
  }
  for (const [id, entry] of Object.entries(raw)) {
    const where = `keychain.${id}`;
    if (!isObject(entry) || typeof entry.algorithm !== 'string' || typeof entry.value !== 'string') {
      problems.push(`${where} must have algorithm and value (a public key: PEM, or URL-safe Base64 of the PEM)`);
      continue;
    }
    if (!(entry.algorithm in ALGORITHMS)) {
      problems.push(`${where}.algorithm must be one of ${Object.keys(ALGORITHMS).join(', ')} (got "${entry.algorithm}")`);
      continue;
    }
    const algorithm = entry.algorithm as ManagementAlgorithm;
    const pem = pemOf(entry.value.trim());
    if (pem?.includes('PRIVATE KEY')) {
      problems.push(`${where} was set to a private key, however it should be public`);
      continue;
    }
    let key: KeyObject;
    try {
      if (!pem) throw new Error('not a PEM');
      key = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      problems.push(`${where}.value is not a public key (PEM, or URL-safe Base64 of the PEM)`);
      continue;
    }
    if (keyKind(key) !== ALGORITHMS[algorithm]) {
      problems.push(`${where}: a key of type ${keyKind(key) ?? key.asymmetricKeyType} cannot verify ${algorithm}`);
      continue;
    }
    keychain[id] = { algorithm, publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() };
  }
  return keychain;
}

function keyKind(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ed25519') return key.asymmetricKeyType;
  if (key.asymmetricKeyType === 'ec') return EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  return undefined;
}

function jwtFrom(raw: unknown, problems: string[]): ManagementApiConfig['jwt'] {
  const jwt: { issuer?: string; audience?: string; leewaySeconds: number; maxLifetimeSeconds: number } = { ...MANAGEMENT_JWT_DEFAULTS };
  if (!isObject(raw)) {
    problems.push('jwt must be a mapping');
    return jwt;
  }
  const seconds = (key: string, min: number, max: number): number | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`jwt.${key} must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  };
  for (const [key, value] of Object.entries(raw)) {
    if (['iss', 'aud'].includes(key)) {
      if (typeof value !== 'string' || value === '') problems.push(`jwt.${key} must be a non-empty string`);
    } else if (['verify_iss', 'verify_aud', ...ALWAYS_VERIFIED].includes(key)) {
      if (typeof value !== 'boolean') problems.push(`jwt.${key} must be true or false`);
    } else if (!['leeway', 'exp_leeway', 'max_lifetime'].includes(key)) {
      problems.push(`jwt.${key} is not a known option (iss, aud, verify_iss, verify_aud, leeway, max_lifetime)`);
    }
  }
  if (typeof raw.iss === 'string' && raw.iss) jwt.issuer = raw.iss;
  if (typeof raw.aud === 'string' && raw.aud) jwt.audience = raw.aud;
  if (raw.verify_iss === true && !jwt.issuer) problems.push('jwt.verify_iss needs jwt.iss');
  if (raw.verify_aud === true && !jwt.audience) problems.push('jwt.verify_aud needs jwt.aud');
  jwt.leewaySeconds = seconds('leeway', 0, 300) ?? seconds('exp_leeway', 0, 300) ?? jwt.leewaySeconds;
  jwt.maxLifetimeSeconds = seconds('max_lifetime', 1, 86_400) ?? jwt.maxLifetimeSeconds;
  return jwt;
}

function scopesFrom(raw: unknown, signers: string[], problems: string[]): ManagementApiConfig['scopes'] {
  const scopes: Partial<Record<ManagementScope, { permittedSigners: string[]; mandatorySigners: string[] }>> = {};
  if (!isObject(raw)) {
    problems.push('scopes must be a mapping of scope name to {permitted_signers, mandatory_signers}');
    return scopes;
  }
  for (const [name, entry] of Object.entries(raw)) {
    const where = `scopes.${name}`;
    if (!(MANAGEMENT_SCOPES as readonly string[]).includes(name)) {
      problems.push(`${where} is not a scope of any action (${MANAGEMENT_SCOPES.join(', ')})`);
      continue;
    }
    const list = (key: string): string[] => {
      const value = isObject(entry) ? entry[key] : undefined;
      if (value === undefined) return [];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        problems.push(`${where}.${key} must be a list of signer ids`);
        return [];
      }
      return value;
    };
    const permittedSigners = list('permitted_signers');
    const mandatorySigners = list('mandatory_signers');
    if (mandatorySigners.length === 0) {
      problems.push(`${where}.mandatory_signers is empty, however it should contain at least one value`);
    }
    for (const id of permittedSigners.filter((s) => !signers.includes(s))) problems.push(`${where}.permitted_signers: "${id}" is not in the keychain`);
    for (const id of mandatorySigners.filter((s) => !permittedSigners.includes(s))) {
      problems.push(`${where}.mandatory_signers: "${id}" is not in permitted_signers`);
    }
    scopes[name as ManagementScope] = { permittedSigners, mandatorySigners };
  }
  return scopes;
}
