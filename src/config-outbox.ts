/**
 * Settings of the outbox worker (OUTBOX_*) and of Barong's Event API (EVENT_API_*), parsed for
 * config.ts; every bad key is added to `problems` like the others.
 */
import path from 'node:path';

export interface OutboxConfig {
  /**
   * The outbox queue this process writes to and delivers from (OUTBOX_QUEUE, default `default`).
   * Every node of one deployment uses the same; only independent deployments (or test runs)
   * sharing one database set their own.
   */
  readonly queue: string;
  /** How often each process looks for due jobs (a commit that writes one also wakes it). */
  readonly pollMs: number;
  /** Delay before the second attempt; it doubles with each failure up to retryMaxMs. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Attempts before a job is marked dead. */
  readonly maxAttempts: number;
  /** How long a claimed job is reserved for the process delivering it. */
  readonly leaseMs: number;
}

export interface EventApiConfig {
  /** amqp:// URL of RabbitMQ (EVENT_API_RABBITMQ_URL, or built from Barong's HOST/PORT/USERNAME/PASSWORD). */
  readonly rabbitmqUrl: string;
  /** PEM of the signing key (EVENT_API_JWT_PRIVATE_KEY: URL-safe Base64 of the PEM as Barong, or the PEM). */
  readonly privateKeyPem?: string;
  readonly privateKeyPath?: string;
  readonly algorithm: string;
}

export const EVENT_API_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

type Str = (key: string) => string | undefined;
type Int = (key: string, fallback: number, min: number, max: number) => number;

export function outboxFrom(str: Str, int: Int, problems: string[]): OutboxConfig {
  const queue = str('OUTBOX_QUEUE') ?? 'default';
  if (!/^[\w.-]{1,64}$/.test(queue)) problems.push(`OUTBOX_QUEUE must be 1-64 letters, digits, "_", "-" or "." (got "${queue}")`);
  return {
    queue,
    pollMs: int('OUTBOX_POLL_MS', 1_000, 10, 600_000),
    retryBaseMs: int('OUTBOX_RETRY_BASE_MS', 10_000, 10, 3_600_000),
    retryMaxMs: int('OUTBOX_RETRY_MAX_MS', 3_600_000, 10, 86_400_000),
    maxAttempts: int('OUTBOX_MAX_ATTEMPTS', 15, 1, 1_000),
    leaseMs: int('OUTBOX_LEASE_MS', 60_000, 1_000, 3_600_000),
  };
}

/** Unset (no EVENT_API_RABBITMQ_URL nor EVENT_API_RABBITMQ_HOST): no events are recorded. */
export function eventApiFrom(str: Str, problems: string[], cwd: string): EventApiConfig | undefined {
  const url = str('EVENT_API_RABBITMQ_URL');
  const host = str('EVENT_API_RABBITMQ_HOST');
  const parts = ['EVENT_API_RABBITMQ_PORT', 'EVENT_API_RABBITMQ_USERNAME', 'EVENT_API_RABBITMQ_PASSWORD'];
  const keyText = str('EVENT_API_JWT_PRIVATE_KEY');
  const keyPath = str('EVENT_API_JWT_PRIVATE_KEY_PATH');
  const algorithm = str('EVENT_API_JWT_ALGORITHM') ?? 'RS256';

  if (!url && !host) {
    const stray = [...parts, 'EVENT_API_JWT_PRIVATE_KEY', 'EVENT_API_JWT_PRIVATE_KEY_PATH', 'EVENT_API_JWT_ALGORITHM'].filter((k) => str(k));
    if (stray.length > 0) problems.push(`${stray.join(', ')} ${stray.length === 1 ? 'needs' : 'need'} EVENT_API_RABBITMQ_URL or EVENT_API_RABBITMQ_HOST`);
    return undefined;
  }
  if (url && host) problems.push('set only one of EVENT_API_RABBITMQ_URL and EVENT_API_RABBITMQ_HOST');
  if (url && !/^amqps?:\/\/[^/\s]+/.test(url)) problems.push('EVENT_API_RABBITMQ_URL must be an amqp:// or amqps:// URL');
  const port = str('EVENT_API_RABBITMQ_PORT') ?? '5672';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) problems.push(`EVENT_API_RABBITMQ_PORT must be a port number (got "${port}")`);
  if (!EVENT_API_ALGORITHMS.includes(algorithm)) {
    problems.push(`EVENT_API_JWT_ALGORITHM must be one of ${EVENT_API_ALGORITHMS.join(', ')} (got "${algorithm}")`);
  }
  if (keyText && keyPath) problems.push('set only one of EVENT_API_JWT_PRIVATE_KEY and EVENT_API_JWT_PRIVATE_KEY_PATH');
  const privateKeyPem = keyText ? pemFrom(keyText) : undefined;
  if (keyText && !privateKeyPem) problems.push('EVENT_API_JWT_PRIVATE_KEY must be a PEM private key or its URL-safe Base64');

  const rabbitmqUrl =
    url ??
    `amqp://${encodeURIComponent(str('EVENT_API_RABBITMQ_USERNAME') ?? 'guest')}:${encodeURIComponent(
      str('EVENT_API_RABBITMQ_PASSWORD') ?? 'guest',
    )}@${host}:${port}`;
  return { rabbitmqUrl, privateKeyPem, privateKeyPath: keyPath && path.resolve(cwd, keyPath), algorithm };
}

/** Barong reads the key as Base64.urlsafe_decode64(EVENT_API_JWT_PRIVATE_KEY); a PEM as such is taken too. */
function pemFrom(value: string): string | undefined {
  if (value.includes('PRIVATE KEY-----')) return value.replace(/\\n/g, '\n');
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  return decoded.includes('PRIVATE KEY-----') ? decoded : undefined;
}
