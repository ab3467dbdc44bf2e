import type { FastifyBaseLogger } from 'fastify';
import type { Mailer } from '../adapters/mail/mailer.js';
import type { RateLimiter } from '../adapters/rate-limit/rate-limiter.js';
import type { SmsSender } from '../adapters/sms/sms-sender.js';
import type { FileStorage } from '../adapters/storage/file-storage.js';
import type { Config } from '../config.js';
import type { JwtService } from '../crypto/jwt.js';
import type { PasswordHasher } from '../crypto/password.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/schema.js';
import type { Background } from './background.js';

/** What domain functions need, passed explicitly (no globals, no fastify decorators). */
export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly log: FastifyBaseLogger;
  readonly passwords: PasswordHasher;
  readonly jwt: JwtService;
  readonly mailer: Mailer;
  /** HMAC key for stored digests of mailed tokens. */
  readonly tokenKey: string;
  readonly background: Background;
  readonly rateLimiter: RateLimiter;
  /** SMS codes: Twilio over HTTP, or the outbox. */
  readonly sms: SmsSender;
  /** Uploaded KYC document files. */
  readonly storage: FileStorage;
  /** Encrypts TOTP secrets at rest (AES-256-GCM). */
  readonly secretBox: SecretBox;
  /** The outbox worker of this process: told when a job was written (domain/outbox/outbox.ts). */
  readonly outbox: { wake(): void };
}
