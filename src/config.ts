/**
 * Environment → one frozen, typed Config. Nothing else reads process.env. Every bad key is
 * reported at once, so an operator fixes the environment in one go.
 */
import os from 'node:os';
import path from 'node:path';
import { eventApiFrom, outboxFrom, type EventApiConfig, type OutboxConfig } from './config-outbox.js';
import { managementApiFrom, type ManagementApiConfig } from './management-api-config.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Browser origins allowed to call the API (CORS): `*` (Barong 1.8's default) or a list. */
  readonly corsOrigins: '*' | readonly string[];
  readonly appName: string;
  readonly logLevel: string;
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly databasePoolMax: number;
  /** PostgreSQL (DATABASE_URL): prepare statements run again and again on each connection (see postgres-pool.ts). */
  readonly databasePreparedStatements: boolean;
  /** Redis for rate-limit counters shared by every node; unset = counted in this process's memory. */
  readonly redisUrl?: string;
  readonly jwt: {
    readonly privateKeyPath?: string;
    readonly privateKeyPem?: string;
    /** Extra public keys (PEM files) still accepted and published, for key rotation. */
    readonly previousPublicKeyPaths: readonly string[];
    readonly lifetimeSeconds: number;
    /** Absolute session lifetime from sign-in: renewals stop there (SESSION_MAX_LIFETIME). */
    readonly maxSessionSeconds: number;
  };
  readonly tokenHmacKey?: string;
  /** 32-byte AES-256-GCM key for TOTP secrets at rest, as base64 (normalised from hex or base64). */
  readonly otpEncryptionKey?: string;
  readonly mail: {
    readonly senderEmail: string;
    readonly senderName: string;
    readonly smtp?: {
      readonly host: string;
      readonly port: number;
      readonly user?: string;
      readonly password?: string;
    };
    readonly frontendUrl: string;
  };
  readonly defaultApplicationUid?: string;
  /** `concurrency`: hashes this process runs at once (its share of PASSWORD_HASH_CONCURRENCY). */
  readonly passwordHash: { readonly concurrency: number; readonly queueTimeoutMs: number };
  readonly lockout: { readonly maxAttempts: number; readonly lockSeconds: number };
  readonly rateLimits: RateLimits;
  /** SMS through Twilio's REST API; unset = messages are written to DATA_DIR/outbox/. */
  readonly twilio?: {
    readonly accountSid: string;
    readonly authToken: string;
    readonly phoneNumber: string;
    /** Base URL, no trailing slash (https://api.twilio.com, or a stand-in speaking its API). */
    readonly apiUrl: string;
  };
  /** Where uploaded documents live: DATA_DIR/uploads (one node) or an S3-compatible bucket (shared by every node). */
  readonly storage: { readonly provider: 'local' } | S3StorageConfig;
  /** Worker processes serving one port (WEB_CONCURRENCY; PostgreSQL and Redis only); 1 = no cluster. */
  readonly webConcurrency: number;
  /** Delivery of outbox jobs (mails, events): polling, retries with backoff, leases. */
  readonly outbox: OutboxConfig;
  /** Barong's Event API over RabbitMQ; unset = no events are recorded. */
  readonly eventApi?: EventApiConfig;
  /** The Management API's keychain, JWT options and scopes (MANAGEMENT_API_CONFIG_PATH); unset = the API is off (404). */
  readonly managementApi?: ManagementApiConfig;
  /** Documents one account may upload (Barong 1.8.27's DOCUMENTS_LIMIT). */
  readonly documentsLimit: number;
  /** Total size of the documents one account may upload, in bytes (DOCUMENTS_MAX_TOTAL_MB). */
  readonly documentsMaxTotalBytes: number;
  /** Whole request (headers and body) must arrive within this; slow senders are cut off. */
  readonly requestTimeoutSeconds: number;
  /** Operating limits (README "Operating in production"). */
  readonly operations: OperationsConfig;
}

export interface OperationsConfig {
  /** PostgreSQL (DATABASE_URL) only: longest statement, and longest wait for a pooled connection. */
  readonly databaseStatementTimeoutMs: number;
  readonly databaseConnectTimeoutMs: number;
  /** On SIGTERM: how long the listener keeps serving while /health/ready answers 503. */
  readonly shutdownGraceMs: number;
  /** On SIGTERM: after the grace, how long in-flight work may take before the process gives up (exit 1). */
  readonly shutdownTimeoutMs: number;
  /** Stored uploads with no document row and older than this are removed, at start and then as often. */
  readonly uploadOrphanAgeSeconds: number;
}

export interface S3StorageConfig {
  readonly provider: 's3';
  readonly bucket: string;
  readonly region: string;
  /** Unset = the SDK's default credential chain (environment, shared files, instance or task role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** An S3-compatible service (MinIO, Ceph, R2, ...), addressed path-style; unset = AWS. */
  readonly endpoint?: string;
  /** Prepended to every object key; empty, or ending in "/". */
  readonly prefix: string;
  /** Ask for server-side encryption (x-amz-server-side-encryption: AES256). */
  readonly serverSideEncryption: boolean;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Rate-limit rules: `limit` events per `windowSeconds`. Each can be set as
 * RATE_LIMIT_<RULE>=<limit>/<windowSeconds>, e.g. RATE_LIMIT_SIGN_IN_PER_IP=30/60.
 */
export const RATE_LIMIT_DEFAULTS = {
  sign_in_per_ip: { limit: 30, windowSeconds: 60 },
  sign_in_per_email: { limit: 10, windowSeconds: 60 },
  reset_password_per_ip: { limit: 10, windowSeconds: 3600 },
  reset_password_per_email: { limit: 3, windowSeconds: 3600 },
  confirmation_per_email: { limit: 3, windowSeconds: 3600 },
  /** Wrong 2FA codes in a row per account (any endpoint); a right code clears the count. */
  otp_failures_per_account: { limit: 5, windowSeconds: 900 },
  phone_send_per_account: { limit: 5, windowSeconds: 3600 },
  phone_send_per_number: { limit: 5, windowSeconds: 3600 },
  phone_verify_per_account: { limit: 30, windowSeconds: 3600 },
  /** Per client address: anonymous operations that hash a password, mail or check a credential. */
  sign_up_per_ip: { limit: 20, windowSeconds: 3600 },
  confirmation_per_ip: { limit: 10, windowSeconds: 3600 },
  confirm_per_ip: { limit: 30, windowSeconds: 900 },
  reset_password_token_per_ip: { limit: 10, windowSeconds: 900 },
  generate_jwt_per_ip: { limit: 120, windowSeconds: 60 },
  /** Wrong old passwords in a row per account on PUT /accounts/password; the right one clears it. */
  password_change_failures_per_account: { limit: 5, windowSeconds: 900 },
} as const;
export type RateLimitRule = keyof typeof RATE_LIMIT_DEFAULTS;
export type RateLimits = Readonly<Record<RateLimitRule, { readonly limit: number; readonly windowSeconds: number }>>;

export const SESSION_LIFETIME_BOUNDS = { min: 30, max: 86_400 } as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value ? value : undefined;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = str(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const raw = str(key)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${key} must be true or false (got "${str(key)}")`);
    return fallback;
  };

  const port = int('PORT', 3000, 0, 65_535);
  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const redisUrl = str('REDIS_URL');
  if (redisUrl && !isRedisUrl(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0');
  }

  const privateKeyPath = str('JWT_PRIVATE_KEY_PATH');
  const privateKeyPem = env.JWT_PRIVATE_KEY?.trim() || undefined;
  if (privateKeyPath && privateKeyPem) {
    problems.push('set only one of JWT_PRIVATE_KEY_PATH and JWT_PRIVATE_KEY');
  }
  if (privateKeyPem && !privateKeyPem.includes('PRIVATE KEY-----')) {
    problems.push('JWT_PRIVATE_KEY must be a PEM private key');
  }

  const tokenHmacKey = str('TOKEN_HMAC_KEY');
  if (tokenHmacKey && tokenHmacKey.length < 32) {
    problems.push('TOKEN_HMAC_KEY must be at least 32 characters');
  }

  const otpKeyText = str('OTP_ENCRYPTION_KEY');
  const otpKey = otpKeyText ? decodeKey32(otpKeyText) : undefined;
  if (otpKeyText && !otpKey) problems.push('OTP_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64');

  const smtpHost = str('SMTP_ADDRESS');
  const smtpPort = int('SMTP_PORT', 25, 1, 65_535);
  const smtpUser = str('SMTP_USER');
  const smtpPassword = str('SMTP_PASSWORD');
  if (!smtpHost && (smtpUser || smtpPassword || str('SMTP_PORT'))) {
    problems.push('SMTP_PORT, SMTP_USER and SMTP_PASSWORD need SMTP_ADDRESS');
  }

  const senderEmail = str('SENDER_EMAIL') ?? 'noreply@barong.io';
  if (!/^[^\s@]+@[^\s@]+$/.test(senderEmail)) problems.push('SENDER_EMAIL must be an email address');

  const twilio = twilioFrom(str, problems);
  const storage = storageFrom(str, problems);

  const frontendDomain = str('FRONTEND_DOMAIN');
  const frontendUrl = frontendUrlFrom(frontendDomain);
  if (frontendDomain && !frontendUrl) problems.push(`FRONTEND_DOMAIN is not a host or URL: "${frontendDomain}"`);

  const webConcurrency = webConcurrencyFrom(str('WEB_CONCURRENCY'), { databaseUrl, redisUrl }, problems);
  const config: Config = {
    port,
    host: str('HOST') ?? '0.0.0.0',
    corsOrigins: corsOriginsFrom(str('API_CORS_ORIGINS'), problems),
    appName: str('APP_NAME') ?? 'Barong',
    logLevel,
    dataDir: path.resolve(cwd, str('DATA_DIR') ?? 'data'),
    databaseUrl,
    databasePoolMax: int('DATABASE_POOL_MAX', 10, 1, 1000),
    databasePreparedStatements: flag('DATABASE_PREPARED_STATEMENTS', true),
    redisUrl,
    jwt: {
      privateKeyPath: privateKeyPath && path.resolve(cwd, privateKeyPath),
      privateKeyPem,
      previousPublicKeyPaths: (str('JWT_PREVIOUS_PUBLIC_KEY_PATHS') ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => path.resolve(cwd, p)),
      lifetimeSeconds: int('JWT_LIFETIME', 14_400, SESSION_LIFETIME_BOUNDS.min, SESSION_LIFETIME_BOUNDS.max),
      maxSessionSeconds: int('SESSION_MAX_LIFETIME', 86_400, SESSION_LIFETIME_BOUNDS.min, 31_536_000),
    },
    tokenHmacKey,
    otpEncryptionKey: otpKey?.toString('base64'),
    mail: {
      senderEmail,
      senderName: str('SENDER_NAME') ?? 'Barong',
      smtp: smtpHost ? { host: smtpHost, port: smtpPort, user: smtpUser, password: smtpPassword } : undefined,
      frontendUrl: frontendUrl ?? `http://localhost:${port}`,
    },
    defaultApplicationUid: str('DEFAULT_APPLICATION_UID'),
    passwordHash: {
      concurrency: hashesPerProcess(int('PASSWORD_HASH_CONCURRENCY', Math.min(os.availableParallelism(), 64), 1, 64), webConcurrency),
      queueTimeoutMs: int('PASSWORD_HASH_QUEUE_TIMEOUT_MS', 5_000, 100, 60_000),
    },
    lockout: {
      maxAttempts: int('LOCKOUT_MAX_ATTEMPTS', 5, 1, 100),
      lockSeconds: int('LOCKOUT_SECONDS', 3_600, 1, 31_536_000),
    },
    rateLimits: rateLimitsFrom(env, problems),
    twilio,
    storage,
    webConcurrency,
    outbox: outboxFrom(str, int, problems),
    eventApi: eventApiFrom(str, problems, cwd),
    managementApi: managementApiFrom(str('MANAGEMENT_API_CONFIG_PATH') && path.resolve(cwd, str('MANAGEMENT_API_CONFIG_PATH')!), problems),
    documentsLimit: int('DOCUMENTS_LIMIT', 10, 1, 1_000),
    documentsMaxTotalBytes: int('DOCUMENTS_MAX_TOTAL_MB', 30, 1, 100_000) * 1024 * 1024,
    requestTimeoutSeconds: int('REQUEST_TIMEOUT_SECONDS', 60, 1, 3_600),
    operations: {
      databaseStatementTimeoutMs: int('DATABASE_STATEMENT_TIMEOUT_MS', 5_000, 100, 600_000),
      databaseConnectTimeoutMs: int('DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
      shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 5_000, 0, 600_000),
      shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 20_000, 100, 600_000),
      uploadOrphanAgeSeconds: int('UPLOAD_ORPHAN_AGE_SECONDS', 3_600, 1, 31_536_000),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/**
 * WEB_CONCURRENCY: a number or `auto` (the cores this process may use). Several workers need
 * PostgreSQL (the embedded database lives inside one process) and Redis (each worker would
 * otherwise count rate limits alone, multiplying every limit by the number of workers).
 */
function webConcurrencyFrom(value: string | undefined, given: { databaseUrl?: string; redisUrl?: string }, problems: string[]): number {
  if (value === undefined) return 1;
  const workers = value === 'auto' ? os.availableParallelism() : Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    problems.push(`WEB_CONCURRENCY must be auto or an integer from 1 to 256 (got "${value}")`);
    return 1;
  }
  if (workers > 1 && !given.databaseUrl) {
    problems.push('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database runs inside a single process');
  }
  if (workers > 1 && !given.redisUrl) {
    problems.push('WEB_CONCURRENCY above 1 needs REDIS_URL: the workers must share their rate-limit counters');
  }
  return workers;
}

/**
 * PASSWORD_HASH_CONCURRENCY is for the whole server (default: one hash per core), shared by its
 * WEB_CONCURRENCY workers, at least one each: argon2id streams 19 MiB per hash, and more hashes at
 * once than cores made every hash dearer (2 workers of 2 hashes on 2 cores signed in 108-118 per
 * second, of 1 hash each 126-133).
 */
function hashesPerProcess(total: number, workers: number): number {
  return Math.max(1, Math.floor(total / workers));
}

/** Barong's API_CORS_ORIGINS (1.8.10): `*`, or comma-separated origins such as https://app.example. */
function corsOriginsFrom(value: string | undefined, problems: string[]): Config['corsOrigins'] {
  if (!value || value === '*') return '*';
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  const bad = origins.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (bad.length > 0) problems.push(`API_CORS_ORIGINS must be * or origins like https://app.example (got ${bad.join(', ')})`);
  return origins;
}

function rateLimitsFrom(env: Env, problems: string[]): RateLimits {
  const limits = {} as Record<RateLimitRule, { limit: number; windowSeconds: number }>;
  for (const [rule, fallback] of Object.entries(RATE_LIMIT_DEFAULTS) as [RateLimitRule, { limit: number; windowSeconds: number }][]) {
    const key = `RATE_LIMIT_${rule.toUpperCase()}`;
    const raw = env[key]?.trim();
    const match = raw?.match(/^(\d+)\/(\d+)$/);
    if (raw && (!match || Number(match[1]) < 1 || Number(match[2]) < 1)) {
      problems.push(`${key} must look like <limit>/<windowSeconds>, e.g. 30/60 (got "${raw}")`);
    }
    limits[rule] = match ? { limit: Number(match[1]), windowSeconds: Number(match[2]) } : { ...fallback };
  }
  return limits;
}

/** The three Twilio credentials come together or not at all; TWILIO_API_URL only with them. */
function twilioFrom(str: (key: string) => string | undefined, problems: string[]): Config['twilio'] {
  const accountSid = str('TWILIO_ACCOUNT_SID');
  const authToken = str('TWILIO_AUTH_TOKEN');
  const phoneNumber = str('TWILIO_PHONE_NUMBER');
  const rawApiUrl = str('TWILIO_API_URL');
  const given = { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_PHONE_NUMBER: phoneNumber };
  const missing = Object.entries(given).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length === 3) {
    if (rawApiUrl) problems.push('TWILIO_API_URL needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER');
    return undefined;
  }
  for (const key of missing) {
    problems.push(`${key} is required when any of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER is set`);
  }
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    problems.push('TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex digits');
  }
  // An E.164 number, or an alphanumeric sender id (up to 11 letters, digits and spaces).
  if (phoneNumber && !/^\+[1-9]\d{6,14}$/.test(phoneNumber) && !/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(phoneNumber)) {
    problems.push('TWILIO_PHONE_NUMBER must be an E.164 number such as +15005550006 (or an alphanumeric sender id)');
  }
  let apiUrl = 'https://api.twilio.com';
  if (rawApiUrl) {
    const parsed = httpUrl(rawApiUrl);
    if (parsed) apiUrl = parsed;
    else problems.push(`TWILIO_API_URL must be an http(s) URL (got "${rawApiUrl}")`);
  }
  if (missing.length > 0) return undefined;
  return { accountSid: accountSid!, authToken: authToken!, phoneNumber: phoneNumber!, apiUrl };
}

const S3_ONLY_KEYS = ['STORAGE_BUCKET_NAME', 'STORAGE_REGION', 'STORAGE_ACCESS_KEY', 'STORAGE_SECRET_KEY', 'STORAGE_ENDPOINT', 'STORAGE_PREFIX', 'STORAGE_SSE'];

/**
 * Barong's STORAGE_PROVIDER (`local`, or fog's `AWS`/`Google`): here `local` or `s3` (`aws` is taken
 * as `s3`), with Barong's STORAGE_BUCKET_NAME, STORAGE_REGION, STORAGE_ACCESS_KEY, STORAGE_SECRET_KEY.
 */
function storageFrom(str: (key: string) => string | undefined, problems: string[]): Config['storage'] {
  const provider = (str('STORAGE_PROVIDER') ?? 'local').toLowerCase();
  if (provider === 'local') {
    const stray = S3_ONLY_KEYS.filter((key) => str(key) !== undefined);
    if (stray.length > 0) problems.push(`${stray.join(', ')} need STORAGE_PROVIDER=s3`);
    return { provider: 'local' };
  }
  if (provider !== 's3' && provider !== 'aws') {
    problems.push(`STORAGE_PROVIDER must be local or s3 (got "${str('STORAGE_PROVIDER')}")`);
    return { provider: 'local' };
  }

  const bucket = str('STORAGE_BUCKET_NAME');
  if (!bucket) problems.push('STORAGE_BUCKET_NAME is required when STORAGE_PROVIDER=s3');
  else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/.test(bucket)) {
    problems.push(`STORAGE_BUCKET_NAME must be a bucket name (3-63 letters, digits, ".", "-", "_"; got "${bucket}")`);
  }
  const region = str('STORAGE_REGION') ?? 'us-east-1';
  if (!/^[a-z0-9-]{2,32}$/i.test(region)) problems.push(`STORAGE_REGION must be a region name such as eu-west-1 (got "${region}")`);

  const accessKeyId = str('STORAGE_ACCESS_KEY');
  const secretAccessKey = str('STORAGE_SECRET_KEY');
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    problems.push('set both STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY, or neither (the SDK\'s default credentials)');
  }

  const rawEndpoint = str('STORAGE_ENDPOINT');
  const endpoint = rawEndpoint ? httpUrl(rawEndpoint) : undefined;
  if (rawEndpoint && !endpoint) problems.push(`STORAGE_ENDPOINT must be an http(s) URL (got "${rawEndpoint}")`);

  const rawPrefix = str('STORAGE_PREFIX') ?? '';
  if (rawPrefix && (!/^[A-Za-z0-9!_.*'()\/-]+$/.test(rawPrefix) || rawPrefix.startsWith('/') || rawPrefix.split('/').some((part) => part === '..' || part === '.'))) {
    problems.push(`STORAGE_PREFIX must be a relative key prefix of letters, digits, "/", "-", "_", "." (got "${rawPrefix}")`);
  }
  const prefix = rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;

  // On by default against AWS; S3-compatible servers often refuse it without a KMS set up.
  const rawSse = str('STORAGE_SSE')?.toLowerCase();
  let serverSideEncryption = !rawEndpoint;
  if (rawSse === 'true') serverSideEncryption = true;
  else if (rawSse === 'false') serverSideEncryption = false;
  else if (rawSse !== undefined) problems.push(`STORAGE_SSE must be true or false (got "${str('STORAGE_SSE')}")`);

  return {
    provider: 's3',
    bucket: bucket ?? '',
    region,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    endpoint,
    prefix,
    serverSideEncryption,
  };
}

/** redis://[user:password@]host[:port][/db] or rediss:// (TLS): a host, and a database number if any path. */
function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && /^\/?(\d+)?$/.test(url.pathname);
  } catch {
    return false;
  }
}

function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return (url.origin + url.pathname).replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

/** 32 bytes given as 64 hex characters or as base64/base64url. */
function decodeKey32(value: string): Buffer | undefined {
  const bytes = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
      ? Buffer.from(value, 'base64')
      : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** Barong's FRONTEND_DOMAIN is a host; a full URL is accepted too. */
function frontendUrlFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const candidate = /^https?:\/\//.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(candidate);
    return url.origin + url.pathname.replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
