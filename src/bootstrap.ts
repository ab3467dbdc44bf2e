/**
 * Everything a running server needs, in start-up order: database (migrated), keys, hashing,
 * mail, the default application. Shared by main.ts, the tests and the CLI's offline mode.
 */
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { EventPublisher } from './adapters/events/rabbitmq.js';
import { createMailer } from './adapters/mail/mailer.js';
import { createMemoryRateLimiter } from './adapters/rate-limit/rate-limiter.js';
import type { RedisRateLimiter } from './adapters/rate-limit/redis-rate-limiter.js';
import { createOutboxSmsSender } from './adapters/sms/outbox.js';
import { createTwilioSmsSender } from './adapters/sms/twilio.js';
import { createLocalFileStorage } from './adapters/storage/local.js';
import type { S3FileStorage } from './adapters/storage/s3.js';
import type { Config } from './config.js';
import { createEventSigner } from './crypto/event-jwt.js';
import { createJwtService } from './crypto/jwt.js';
import { readOrCreateKeyFile } from './crypto/key-files.js';
import { createPasswordHasher } from './crypto/password.js';
import { createSecretBox, newSecretBoxKey } from './crypto/secret-box.js';
import { randomToken } from './crypto/tokens.js';
import { openDatabase, pgliteDirOf, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureDefaultApplication } from './domain/applications.js';
import { createBackground } from './domain/background.js';
import type { Deps } from './domain/deps.js';
import { createOutboxWorker } from './domain/outbox/worker.js';

export interface Services {
  deps: Deps;
  database: DatabaseHandle;
  /** Stops background work, mail, Redis, the S3 client and the database, in that order. */
  close(): Promise<void>;
}

export async function openDatabaseFor(config: Config, log?: FastifyBaseLogger): Promise<DatabaseHandle> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: pgliteDirOf(config.dataDir),
    poolMax: config.databasePoolMax,
    preparedStatements: config.databasePreparedStatements,
    timeouts: { statementMs: config.operations.databaseStatementTimeoutMs, connectMs: config.operations.databaseConnectTimeoutMs },
    onConnectionError: (error) => log?.warn({ err: error }, 'a database connection failed; the pool replaces it'),
  });
}

/**
 * `deliverOutbox: false` (the CLI's offline mode): mails and events are written to the outbox but
 * left for the server to deliver.
 */
export async function startServices(config: Config, log: FastifyBaseLogger, options: { deliverOutbox?: boolean } = {}): Promise<Services> {
  // A first start generates the signing key in the thread pool while the database opens.
  const jwtService = createJwtService(config, log);
  jwtService.catch(() => undefined); // awaited below; a database that fails to open comes first
  const database = await openDatabaseFor(config, log);
  let redisLimiter: RedisRateLimiter | undefined;
  let eventPublisher: EventPublisher | undefined;
  let s3Storage: S3FileStorage | undefined;
  try {
    const { results } = await database.withoutTimeouts(migrateToLatest);
    for (const r of results) log.info({ migration: r.migrationName }, 'migration applied');

    const tokenKey = config.tokenHmacKey ?? readOrCreateKeyFile(config.dataDir, 'token-hmac.key', () => randomToken(32), log);
    const otpKey = config.otpEncryptionKey ?? readOrCreateKeyFile(config.dataDir, 'otp-encryption.key', newSecretBoxKey, log);
    const jwt = await jwtService;
    const mailer = createMailer(config, log);
    const background = createBackground(log);
    const passwords = createPasswordHasher(config.passwordHash);
    // Optional integrations are imported only when configured (ioredis and the AWS SDK weigh ~20 MB each;
    // amqplib less, but every module loaded is start-up time and heap).
    if (config.redisUrl) {
      const { createRedisRateLimiter } = await import('./adapters/rate-limit/redis-rate-limiter.js');
      redisLimiter = createRedisRateLimiter({ url: config.redisUrl, log });
      if (await redisLimiter.ready()) log.info('rate limits are counted in Redis (REDIS_URL), shared by every node');
    }
    if (config.storage.provider === 's3') {
      const { createS3FileStorage } = await import('./adapters/storage/s3.js');
      s3Storage = createS3FileStorage(config.storage);
      const { bucket, endpoint, prefix } = config.storage;
      log.info({ bucket, endpoint: endpoint ?? 'AWS', prefix }, 'documents are stored in an S3-compatible bucket (STORAGE_PROVIDER=s3)');
    }
    const secretBox = createSecretBox(otpKey);
    let events: { signer: ReturnType<typeof createEventSigner>; publisher: EventPublisher } | undefined;
    if (config.eventApi) {
      const { createRabbitMqPublisher } = await import('./adapters/events/rabbitmq.js');
      eventPublisher = createRabbitMqPublisher(config.eventApi.rabbitmqUrl, log);
      events = { signer: createEventSigner(config.eventApi, config.dataDir, log), publisher: eventPublisher };
      log.info('Event API: events are recorded in the outbox and published to RabbitMQ (barong.events.*)');
    }
    const outbox = createOutboxWorker({ db: database.db, config: config.outbox, log, secretBox, mailer, events });
    const deps: Deps = {
      config,
      db: database.db,
      log,
      passwords,
      jwt,
      mailer,
      tokenKey: tokenKey.trim(),
      background,
      rateLimiter: redisLimiter ?? createMemoryRateLimiter(),
      sms: config.twilio ? createTwilioSmsSender(config.twilio) : createOutboxSmsSender(config.dataDir, log),
      storage: s3Storage ?? createLocalFileStorage(path.join(config.dataDir, 'uploads')),
      secretBox,
      outbox,
    };
    if (options.deliverOutbox !== false) outbox.start();

    const created = await ensureDefaultApplication(database.db, config.defaultApplicationUid);
    if (created) log.info({ application_id: created.uid }, 'created the default application: sign in with this application_id');

    return {
      deps,
      database,
      async close() {
        await background.drain();
        await outbox.stop();
        await eventPublisher?.close();
        mailer.close();
        await redisLimiter?.close();
        s3Storage?.close();
        await database.close();
      },
    };
  } catch (error) {
    await eventPublisher?.close();
    await redisLimiter?.close();
    s3Storage?.close();
    await database.close();
    throw error;
  }
}
