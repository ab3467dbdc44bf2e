/**
 * Secrets kept at rest (TOTP secrets): AES-256-GCM with a 32-byte key from config
 * (OTP_ENCRYPTION_KEY) or generated once into DATA_DIR/keys. Each sealed value is bound to a
 * context string (e.g. the owning account), so a ciphertext copied onto another row does not open.
 * Format: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
export const SECRET_BOX_KEY_BYTES = 32;

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was not sealed with this key and context (tampered, moved, wrong key). */
  open(sealed: string, context: string): string;
}

/** A fresh key, as written to DATA_DIR/keys when config gives none. */
export function newSecretBoxKey(): string {
  return randomBytes(SECRET_BOX_KEY_BYTES).toString('base64');
}

/** `keyBase64`: the key as config normalises it (OTP_ENCRYPTION_KEY) or as newSecretBoxKey wrote it. */
export function createSecretBox(keyBase64: string): SecretBox {
  const key = Buffer.from(keyBase64.trim(), 'base64');
  if (key.length !== SECRET_BOX_KEY_BYTES) throw new Error(`the encryption key must be ${SECRET_BOX_KEY_BYTES} bytes (base64)`);

  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
