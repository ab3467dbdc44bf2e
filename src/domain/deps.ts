import type { FastifyBaseLogger } from 'fastify';
import type { Mailer } from '../adapters/mail/mailer.js';
import type { RateLimiter } from '../adapters/rate-limit/rate-limiter.js';
import type { Config } from '../config.js';
import type { JwtService } from '../crypto/jwt.js';
import type { PasswordHasher } from '../crypto/password.js';
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
}
