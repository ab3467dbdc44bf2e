/**
 * The real app on a real database (a copy of the migrated PGlite template, or TEST_DATABASE_URL),
 * with a real SMTP server receiving its mail. One per test file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { startServices, type Services } from '../../src/bootstrap.js';
import { loadConfig, type Env } from '../../src/config.js';
import { pgliteDirOf } from '../../src/db/database.js';
import { generateRsaPem } from '../../src/crypto/jwt.js';
import { randomToken } from '../../src/crypto/tokens.js';
import { createLogger } from '../../src/logger.js';
import { assertMatchesContract } from './contract.js';
import { startMailSink, type MailSink } from './mail-sink.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  mail: MailSink;
  api: Api;
  dataDir: string;
  operatorToken: string;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
  /** The body's bytes (file downloads). */
  raw: Buffer;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Send the body as application/x-www-form-urlencoded instead of JSON. */
  form?: boolean;
  /** The client address the request comes from (default 127.0.0.1), for per-address limits. */
  remoteAddress?: string;
}

export type Api = ReturnType<typeof createApi>;

/**
 * One session signing key per test worker (files share their worker's modules): a new RSA key for
 * every app cost about 150 ms of CPU each. An app whose env names a key of its own uses that.
 */
let workerSigningKey: Promise<string> | undefined;
const signingKeyFor = (env: Env) =>
  env.JWT_PRIVATE_KEY || env.JWT_PRIVATE_KEY_PATH ? undefined : (workerSigningKey ??= generateRsaPem());

export async function createTestApp(env: Env = {}, options: { logStream?: DestinationStream } = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'barong-test-'));
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) fs.cpSync(inject('pgliteTemplate'), pgliteDirOf(dataDir), { recursive: true });
  const mail = await startMailSink();
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SMTP_ADDRESS: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    FRONTEND_DOMAIN: 'https://exchange.example',
    LOG_LEVEL: 'silent',
    // Every injected request comes from one address: per-address limits would cut the test journeys
    // short. Tests of those limits set them back.
    RATE_LIMIT_SIGN_UP_PER_IP: '100000/3600',
    RATE_LIMIT_CONFIRM_PER_IP: '100000/3600',
    RATE_LIMIT_CONFIRMATION_PER_IP: '100000/3600',
    RATE_LIMIT_RESET_PASSWORD_TOKEN_PER_IP: '100000/3600',
    RATE_LIMIT_GENERATE_JWT_PER_IP: '100000/3600',
    // Outbox jobs (mails, events) go out promptly and retry fast.
    OUTBOX_POLL_MS: '50',
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_RETRY_MAX_MS: '1000',
    // Test files share TEST_DATABASE_URL: each app delivers only its own mails and events.
    OUTBOX_QUEUE: `test-${randomToken(8)}`,
    JWT_PRIVATE_KEY: await signingKeyFor(env),
    ...env,
  });
  const log = options.logStream
    ? createLogger({ logLevel: 'info' }, options.logStream)
    : createLogger({ logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2));
  const services = await startServices(config, log);
  const operatorToken = randomToken();
  const app = await buildApp({ deps: services.deps, operatorToken, loggerInstance: log });
  await app.ready();
  return {
    app,
    services,
    mail,
    api: createApi(app),
    dataDir,
    operatorToken,
    async close() {
      await app.close();
      await services.close();
      await mail.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** HTTP calls through app.inject(); every response is held against the OpenAPI document. */
export function createApi(app: FastifyInstance) {
  async function request(method: InjectOptions['method'], url: string, body?: unknown, options: RequestOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      if (options.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(body as Record<string, string>).toString();
      } else {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
    }
    const response = await app.inject({ method, url, headers, payload, remoteAddress: options.remoteAddress });
    assertMatchesContract(String(method), url, response.statusCode, String(response.headers['content-type'] ?? ''), response.body);
    let parsed: unknown = undefined;
    if (response.body && String(response.headers['content-type'] ?? '').includes('json')) parsed = JSON.parse(response.body);
    return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body, raw: response.rawPayload } as ApiResponse;
  }
  return {
    request,
    get: (url: string, options?: RequestOptions) => request('GET', url, undefined, options),
    post: (url: string, body?: unknown, options?: RequestOptions) => request('POST', url, body ?? {}, options),
    put: (url: string, body?: unknown, options?: RequestOptions) => request('PUT', url, body ?? {}, options),
    patch: (url: string, body?: unknown, options?: RequestOptions) => request('PATCH', url, body ?? {}, options),
    delete: (url: string, options?: RequestOptions) => request('DELETE', url, undefined, options),
  };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${process.pid}.${counter}@example.com`;
}

export const PASSWORD = 'Secret123';
