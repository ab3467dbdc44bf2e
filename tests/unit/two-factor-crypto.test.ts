import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseApiPublicKey } from '../../src/crypto/api-key-jwt.js';
import { createSecretBox, newSecretBoxKey } from '../../src/crypto/secret-box.js';
import { matchTotp, newTotpSecret, totpUri } from '../../src/crypto/totp.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { codeFor, hotp } from '../helpers/totp.js';

describe('the tests’ own TOTP (tests/helpers/totp.ts)', () => {
  it('matches the RFC 4226 test vectors', () => {
    const secret = Buffer.from('12345678901234567890');
    expect([0, 1, 2, 3, 9].map((c) => hotp(secret, c))).toEqual(['755224', '287082', '359152', '969429', '520489']);
  });
});

describe('crypto/totp.ts', () => {
  it('accepts the code of the current step and one step either side, after the last used step only', async () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = Math.floor(now / 30_000);
    expect(await matchTotp(secret, codeFor(secret, step), { afterStep: 0, nowMs: now })).toBe(step);
    expect(await matchTotp(secret, codeFor(secret, step - 1), { afterStep: 0, nowMs: now })).toBe(step - 1);
    expect(await matchTotp(secret, codeFor(secret, step + 1), { afterStep: 0, nowMs: now })).toBe(step + 1);
    expect(await matchTotp(secret, codeFor(secret, step + 2), { afterStep: 0, nowMs: now })).toBeUndefined();
    expect(await matchTotp(secret, codeFor(secret, step), { afterStep: step, nowMs: now })).toBeUndefined();
    expect(await matchTotp(secret, 'abcdef', { afterStep: 0, nowMs: now })).toBeUndefined();
  });

  it('writes the otpauth URI as Vault did', () => {
    expect(totpUri({ issuer: 'My Exchange', accountName: 'a+b@example.com', secret: 'JBSWY3DPEHPK3PXP' })).toBe(
      'otpauth://totp/My%20Exchange:a%2Bb@example.com?algorithm=SHA1&digits=6&issuer=My%20Exchange&period=30&secret=JBSWY3DPEHPK3PXP',
    );
  });
});

describe('crypto/secret-box.ts', () => {
  const box = createSecretBox(newSecretBoxKey());

  it('opens what it sealed, with the same context only', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'account_otps:1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'account_otps:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'account_otps:2')).toThrow();
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses a tampered value and another key', () => {
    const sealed = box.seal('secret', 'c');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url')].join('.'), 'c')).toThrow();
    expect(() => box.open([...parts.slice(0, 2), parts[2].slice(0, 8), parts[3]].join('.'), 'c')).toThrow();
    expect(() => createSecretBox(newSecretBoxKey()).open(sealed, 'c')).toThrow();
  });

  it('takes OTP_ENCRYPTION_KEY as hex or base64 of 32 bytes, and nothing else', () => {
    const hex = 'ab'.repeat(32);
    const config = loadConfig({ OTP_ENCRYPTION_KEY: hex });
    expect(Buffer.from(config.otpEncryptionKey!, 'base64').toString('hex')).toBe(hex);
    expect(loadConfig({ OTP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).otpEncryptionKey).toBe(
      Buffer.alloc(32, 7).toString('base64'),
    );
    expect(() => loadConfig({ OTP_ENCRYPTION_KEY: 'too-short' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTP_ENCRYPTION_KEY: 'ab'.repeat(16) })).toThrow(/OTP_ENCRYPTION_KEY/);
  });
});

describe('crypto/api-key-jwt.ts parseApiPublicKey', () => {
  const spki = (key: { export(o: object): string | Buffer }) => key.export({ type: 'spki', format: 'pem' }).toString();

  it('reads RSA and EC public keys as PEM or URL-safe Base64 of the PEM', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(parseApiPublicKey(spki(rsa))?.algorithm).toBe('RS256');
    expect(parseApiPublicKey(Buffer.from(spki(rsa)).toString('base64url'))?.algorithm).toBe('RS256');
    expect(parseApiPublicKey(rsa.export({ type: 'pkcs1', format: 'pem' }).toString())?.algorithm).toBe('RS256');
    for (const [namedCurve, alg] of [['P-256', 'ES256'], ['P-384', 'ES384'], ['P-521', 'ES512']]) {
      expect(parseApiPublicKey(spki(generateKeyPairSync('ec', { namedCurve }).publicKey))?.algorithm).toBe(alg);
    }
  });

  it('refuses private keys, other key types, weak RSA, other curves and garbage', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(parseApiPublicKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toBeUndefined();
    expect(parseApiPublicKey(spki(generateKeyPairSync('ed25519').publicKey))).toBeUndefined();
    expect(parseApiPublicKey(spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey))).toBeUndefined();
    expect(parseApiPublicKey(spki(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey))).toBeUndefined();
    expect(parseApiPublicKey('a'.repeat(64))).toBeUndefined();
    expect(parseApiPublicKey('')).toBeUndefined();
  });
});
