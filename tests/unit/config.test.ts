import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config.js';

describe('loadConfig', () => {
  it('gives working defaults for the embedded set-up', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 3000,
      appName: 'Barong',
      dataDir: path.resolve('/srv/app', 'data'),
      databaseUrl: undefined,
      jwt: { lifetimeSeconds: 14_400 },
      mail: { senderEmail: 'noreply@barong.io', senderName: 'Barong', smtp: undefined, frontendUrl: 'http://localhost:3000' },
      lockout: { maxAttempts: 5, lockSeconds: 3600 },
    });
    expect(Object.isFrozen(config.mail)).toBe(true);
  });

  it("reads Barong's variable names", () => {
    const config = loadConfig({
      PORT: '8080',
      APP_NAME: 'Exchange',
      JWT_LIFETIME: '600',
      SENDER_EMAIL: 'id@exchange.example',
      SENDER_NAME: 'Exchange ID',
      SMTP_ADDRESS: 'smtp.example',
      SMTP_PORT: '2525',
      FRONTEND_DOMAIN: 'app.exchange.example',
      DATABASE_URL: 'postgres://u@db/barong',
      RATE_LIMIT_SIGN_IN_PER_IP: '5/10',
    });
    expect(config.port).toBe(8080);
    expect(config.appName).toBe('Exchange');
    expect(config.jwt.lifetimeSeconds).toBe(600);
    expect(config.mail.smtp).toEqual({ host: 'smtp.example', port: 2525, user: undefined, password: undefined });
    expect(config.mail.frontendUrl).toBe('https://app.exchange.example');
    expect(config.databaseUrl).toBe('postgres://u@db/barong');
    expect(config.rateLimits.sign_in_per_ip).toEqual({ limit: 5, windowSeconds: 10 });
  });

  it('reports every bad key at once', () => {
    const problems = configProblems({
      PORT: 'eighty',
      JWT_LIFETIME: '5',
      LOG_LEVEL: 'chatty',
      DATABASE_URL: 'mysql://x',
      SMTP_PORT: '25',
      RATE_LIMIT_SIGN_IN_PER_IP: 'lots',
      API_CORS_ORIGINS: 'app.example',
      REDIS_URL: 'http://cache:6379',
    }).join('\n');
    for (const key of ['PORT', 'JWT_LIFETIME', 'LOG_LEVEL', 'DATABASE_URL', 'SMTP_ADDRESS', 'RATE_LIMIT_SIGN_IN_PER_IP', 'API_CORS_ORIGINS', 'REDIS_URL']) {
      expect(problems).toContain(key);
    }
  });

  it('takes REDIS_URL as a redis:// or rediss:// URL, and never puts it in a message', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl).toBe('redis://127.0.0.1:6379/2');
    expect(loadConfig({ REDIS_URL: 'rediss://:s3cret@cache.example:6380' }).redisUrl).toBe('rediss://:s3cret@cache.example:6380');
    for (const bad of ['cache:6379', 'redis://', 'redis://cache/x', 'http://:s3cret@cache:6379']) {
      expect(() => loadConfig({ REDIS_URL: bad })).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(() => loadConfig({ REDIS_URL: bad })).not.toThrow(/s3cret/);
    }
  });
});
