/**
 * Structured logs (pino) with request ids; pretty in a terminal, JSON otherwise. Secrets never reach
 * the log: credentials are redacted by path, and request URLs are logged without their query string
 * (GET /api_keys carries a TOTP code there).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

const REDACT = [
  'req.headers.authorization',
  'req.headers["x-operator-token"]',
  'req.headers.cookie',
  'password',
  'token',
  'code',
  '*.password',
  '*.token',
  '*.otp_code',
  '*.code',
  '*.totp_code',
];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY;
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string; ip?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.split('?')[0],
          remoteAddress: req.ip,
        }),
        err: pino.stdSerializers.err,
      },
      transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } : undefined,
    },
    destination,
  );
}
