import { generateKeyPairSync } from 'node:crypto';
import { generalVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEventSigner } from '../../src/crypto/event-jwt.js';
import { retryDelayMs } from '../../src/domain/outbox/worker.js';
import { configProblems } from '../helpers/config.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const silent = { warn() {}, info() {} };

describe('Event API and outbox settings', () => {
  it('records no events without RabbitMQ, and delivers with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.eventApi).toBeUndefined();
    expect(config.outbox).toEqual({ queue: 'default', pollMs: 1000, retryBaseMs: 10_000, retryMaxMs: 3_600_000, maxAttempts: 15, leaseMs: 60_000 });
  });

  it("builds the broker URL from Barong's EVENT_API_RABBITMQ_HOST/PORT/USERNAME/PASSWORD and reads the key as URL-safe Base64", () => {
    const config = loadConfig({
      EVENT_API_RABBITMQ_HOST: 'mq.internal',
      EVENT_API_RABBITMQ_USERNAME: 'barong',
      EVENT_API_RABBITMQ_PASSWORD: 'p@ss',
      EVENT_API_JWT_PRIVATE_KEY: Buffer.from(pem).toString('base64url'),
    });
    expect(config.eventApi).toEqual({
      rabbitmqUrl: 'amqp://barong:p%40ss@mq.internal:5672',
      privateKeyPem: pem,
      privateKeyPath: undefined,
      algorithm: 'RS256',
    });
  });

  it('reports bad Event API and outbox keys', () => {
    expect(configProblems({ EVENT_API_RABBITMQ_URL: 'http://mq', EVENT_API_JWT_PRIVATE_KEY: 'nope', EVENT_API_JWT_ALGORITHM: 'HS256' })).toEqual([
      'EVENT_API_RABBITMQ_URL must be an amqp:// or amqps:// URL',
      'EVENT_API_JWT_ALGORITHM must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 (got "HS256")',
      'EVENT_API_JWT_PRIVATE_KEY must be a PEM private key or its URL-safe Base64',
    ]);
    expect(configProblems({ EVENT_API_JWT_ALGORITHM: 'RS256' })).toEqual([
      'EVENT_API_JWT_ALGORITHM needs EVENT_API_RABBITMQ_URL or EVENT_API_RABBITMQ_HOST',
    ]);
    expect(configProblems({ OUTBOX_QUEUE: 'a b' })).toEqual(['OUTBOX_QUEUE must be 1-64 letters, digits, "_", "-" or "." (got "a b")']);
  });

  it('signs an event as a jwt-multisig JWT with one signature by "barong", valid for 60 seconds', async () => {
    const config = loadConfig({ EVENT_API_RABBITMQ_URL: 'amqp://127.0.0.1', EVENT_API_JWT_PRIVATE_KEY: pem });
    const signer = createEventSigner(config.eventApi!, '/nonexistent', silent);
    const jws = await signer.sign({ name: 'system.document.verified', uid: 'ID092B2AF8E8', email: 'a@example.com' }, 'job-1');
    expect(Object.keys(jws).sort()).toEqual(['payload', 'signatures']);
    expect(jws.signatures[0].header).toEqual({ kid: 'barong' });
    const { payload, protectedHeader } = await generalVerify(jws, (await import('node:crypto')).createPublicKey(signer.publicKeyPem));
    expect(protectedHeader).toEqual({ alg: 'RS256' });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({ iss: 'barong', jti: 'job-1', event: { name: 'system.document.verified', uid: 'ID092B2AF8E8' } });
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('backs off exponentially up to the maximum', () => {
    const outbox = loadConfig({}).outbox;
    expect([1, 2, 3, 9, 10, 15].map((n) => retryDelayMs(outbox, n))).toEqual([10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000]);
  });
});
