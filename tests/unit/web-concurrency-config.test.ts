import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config.js';

const SHARED = { DATABASE_URL: 'postgres://u@db/barong', REDIS_URL: 'redis://cache:6379/0' };

describe('WEB_CONCURRENCY', () => {
  it('is one process by default', () => {
    expect(loadConfig({}).webConcurrency).toBe(1);
  });

  it('takes a number, or auto for the cores this process may use', () => {
    expect(loadConfig({ ...SHARED, WEB_CONCURRENCY: '3' }).webConcurrency).toBe(3);
    expect(loadConfig({ ...SHARED, WEB_CONCURRENCY: 'auto' }).webConcurrency).toBe(os.availableParallelism());
  });

  it('refuses several workers on the embedded database, which lives inside one process', () => {
    expect(configProblems({ REDIS_URL: SHARED.REDIS_URL, WEB_CONCURRENCY: '2' })).toEqual([
      'WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database runs inside a single process',
    ]);
  });

  it('refuses several workers without Redis, where each would count rate limits alone', () => {
    expect(configProblems({ DATABASE_URL: SHARED.DATABASE_URL, WEB_CONCURRENCY: '2' })).toEqual([
      'WEB_CONCURRENCY above 1 needs REDIS_URL: the workers must share their rate-limit counters',
    ]);
  });

  it('accepts 1 anywhere and reports nonsense', () => {
    expect(configProblems({ WEB_CONCURRENCY: '1' })).toEqual([]);
    expect(configProblems({ ...SHARED, WEB_CONCURRENCY: 'many' })).toEqual(['WEB_CONCURRENCY must be auto or an integer from 1 to 256 (got "many")']);
    expect(configProblems({ ...SHARED, WEB_CONCURRENCY: '0' })).toHaveLength(1);
  });

  it('shares PASSWORD_HASH_CONCURRENCY, one hash per core by default, among the workers, at least one each', () => {
    const hashes = (env: Record<string, string>) => loadConfig({ ...SHARED, ...env }).passwordHash.concurrency;
    expect(hashes({})).toBe(Math.min(os.availableParallelism(), 64));
    expect(hashes({ PASSWORD_HASH_CONCURRENCY: '3' })).toBe(3);
    expect(hashes({ PASSWORD_HASH_CONCURRENCY: '4', WEB_CONCURRENCY: '2' })).toBe(2);
    expect(hashes({ PASSWORD_HASH_CONCURRENCY: '5', WEB_CONCURRENCY: '2' })).toBe(2);
    expect(hashes({ PASSWORD_HASH_CONCURRENCY: '2', WEB_CONCURRENCY: '4' })).toBe(1);
    expect(hashes({ WEB_CONCURRENCY: 'auto' })).toBe(1);
  });
});
