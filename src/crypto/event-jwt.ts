/**
 * Event API messages as Barong signs them: a JWT in the jwt-multisig JSON (general) serialization,
 * `{payload, signatures: [{protected, header: {kid: "barong"}, signature}]}`, with the payload
 * `{iss: "barong", jti, iat, exp: iat + 60, event}`. The same format as the Management API, so
 * consumers verify it with their jwt-multisig library and our public key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GeneralSign, type GeneralJWS } from 'jose';
import type { EventApiConfig } from '../config-outbox.js';
import { readOrCreateKeyFile, type KeyFileLogger } from './key-files.js';

export const EVENT_ISSUER = 'barong';
/** Barong's application name: the signer id (`kid`) of the one signature. */
export const EVENT_SIGNER = 'barong';
const LIFETIME_SECONDS = 60;

export interface EventSigner {
  /** The public key consumers verify with (PEM, SPKI). */
  readonly publicKeyPem: string;
  sign(event: Record<string, unknown>, jti: string): Promise<GeneralJWS>;
}

export function createEventSigner(config: EventApiConfig, dataDir: string, log: KeyFileLogger & { info(obj: object, msg: string): void }): EventSigner {
  const privateKey = createPrivateKey(loadPem(config, dataDir, log));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  if (!config.privateKeyPem && !config.privateKeyPath) {
    const file = path.join(dataDir, 'keys', 'event-api-public.pem');
    fs.writeFileSync(file, publicKeyPem, { mode: 0o644 });
    log.info({ file }, 'Event API messages are signed with a generated key; consumers verify them with this public key');
  }
  return {
    publicKeyPem,
    sign: (event, jti) => signEvent(privateKey, config.algorithm, event, jti),
  };
}

function loadPem(config: EventApiConfig, dataDir: string, log: KeyFileLogger): string {
  if (config.privateKeyPem) return config.privateKeyPem;
  if (config.privateKeyPath) return fs.readFileSync(config.privateKeyPath, 'utf8');
  if (!/^(RS|PS)/.test(config.algorithm)) {
    throw new Error(`EVENT_API_JWT_ALGORITHM=${config.algorithm} needs EVENT_API_JWT_PRIVATE_KEY or EVENT_API_JWT_PRIVATE_KEY_PATH`);
  }
  return readOrCreateKeyFile(dataDir, 'event-api-private.pem', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }, log);
}

async function signEvent(key: KeyObject, algorithm: string, event: Record<string, unknown>, jti: string): Promise<GeneralJWS> {
  const iat = Math.floor(Date.now() / 1000);
  const payload = { iss: EVENT_ISSUER, jti, iat, exp: iat + LIFETIME_SECONDS, event };
  return new GeneralSign(new TextEncoder().encode(JSON.stringify(payload)))
    .addSignature(key)
    .setProtectedHeader({ alg: algorithm })
    .setUnprotectedHeader({ kid: EVENT_SIGNER })
    .sign();
}
