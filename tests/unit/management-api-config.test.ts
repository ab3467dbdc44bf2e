/** The Management API's configuration file is checked at start, every problem named at once. */
import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config.js';
import { writeManagementConfig } from '../helpers/management.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject, type: 'spki' | 'pkcs8' = 'spki') => key.export({ type, format: 'pem' }).toString();
const RSA_PUBLIC = pem(rsa.publicKey);
const EC_PUBLIC = pem(ec.publicKey);

const files: string[] = [];
function file(config: unknown): string {
  const written = writeManagementConfig(config);
  files.push(written);
  return written;
}
afterAll(() => files.forEach((f) => fs.rmSync(path.dirname(f), { recursive: true, force: true })));

const problemsOf = (config: unknown) => configProblems({ MANAGEMENT_API_CONFIG_PATH: file(config) });

describe('MANAGEMENT_API_CONFIG_PATH', () => {
  it('is off without the variable, or with an empty keychain', () => {
    expect(loadConfig({}).managementApi).toBeUndefined();
    expect(loadConfig({ MANAGEMENT_API_CONFIG_PATH: file({ keychain: {}, jwt: {}, scopes: {} }) }).managementApi).toBeUndefined();
  });

  it('reads Barong’s file: PEM or URL-safe Base64 PEM keys, jwt options, scopes', () => {
    const config = loadConfig({
      MANAGEMENT_API_CONFIG_PATH: file({
        keychain: {
          'backend-1': { algorithm: 'RS256', value: Buffer.from(RSA_PUBLIC).toString('base64url') },
          'backend-2': { algorithm: 'ES256', value: EC_PUBLIC },
        },
        jwt: { iss: 'applogic', aud: 'barong', verify_iss: true, verify_aud: true, verify_expiration: true, leeway: 10, max_lifetime: 120 },
        scopes: { write_labels: { permitted_signers: ['backend-1', 'backend-2'], mandatory_signers: ['backend-1'] } },
      }),
    }).managementApi!;
    expect(Object.keys(config.keychain)).toEqual(['backend-1', 'backend-2']);
    expect(config.keychain['backend-1']).toMatchObject({ algorithm: 'RS256', publicKeyPem: RSA_PUBLIC });
    expect(config.jwt).toEqual({ issuer: 'applogic', audience: 'barong', leewaySeconds: 10, maxLifetimeSeconds: 120 });
    expect(config.scopes.write_labels).toEqual({ permittedSigners: ['backend-1', 'backend-2'], mandatorySigners: ['backend-1'] });
  });

  it('names a missing or unreadable file', () => {
    const problems = configProblems({ MANAGEMENT_API_CONFIG_PATH: '/nonexistent/management_api_v1.yml' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MANAGEMENT_API_CONFIG_PATH \(\/nonexistent\/management_api_v1.yml\): cannot read it/);
  });

  it('reports every bad key at once', () => {
    const problems = problemsOf({
      keychain: {
        priv: { algorithm: 'RS256', value: pem(rsa.privateKey, 'pkcs8') },
        shared: { algorithm: 'HS384', value: RSA_PUBLIC },
        mismatch: { algorithm: 'ES256', value: RSA_PUBLIC },
        garbage: { algorithm: 'RS256', value: 'not a key' },
        ok: { algorithm: 'RS256', value: RSA_PUBLIC },
      },
      jwt: { leeway: -1, verify_aud: true, whatever: 1 },
      scopes: {
        write_labels: { permitted_signers: ['ok', 'ghost'], mandatory_signers: [] },
        read_users: { permitted_signers: ['ok'], mandatory_signers: ['other'] },
        write_everything: { permitted_signers: ['ok'], mandatory_signers: ['ok'] },
      },
    }).map((p) => p.replace(/^MANAGEMENT_API_CONFIG_PATH \([^)]*\): /, ''));
    expect(problems).toEqual([
      'keychain.priv was set to a private key, however it should be public',
      'keychain.shared.algorithm must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (got "HS384")',
      'keychain.mismatch: a key of type rsa cannot verify ES256',
      'keychain.garbage.value is not a public key (PEM, or URL-safe Base64 of the PEM)',
      'jwt.whatever is not a known option (iss, aud, verify_iss, verify_aud, leeway, max_lifetime)',
      'jwt.verify_aud needs jwt.aud',
      'jwt.leeway must be an integer from 0 to 300',
      'scopes.write_labels.mandatory_signers is empty, however it should contain at least one value',
      'scopes.write_labels.permitted_signers: "ghost" is not in the keychain',
      'scopes.read_users.mandatory_signers: "other" is not in permitted_signers',
      'scopes.write_everything is not a scope of any action (write_labels, read_users, tools)',
    ]);
  });
});
