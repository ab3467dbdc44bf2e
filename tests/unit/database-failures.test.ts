/** Which errors count as "the database is unavailable" (503 + Retry-After) and which stay bugs (500). */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/adapters/storage/file-storage.js';
import { DatabaseTimeoutError, isDatabaseUnavailable } from '../../src/db/failures.js';
import { freePort } from '../helpers/server-process.js';

describe('isDatabaseUnavailable', () => {
  it('a refused connection, as pg reports it (nothing listens on the port)', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await freePort(), user: 'x', database: 'x' });
    const error = await client.connect().then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("the server's refusals and cancels (SQLSTATE 08xxx, 53xxx, 57P01, 57014) and pg's own states", () => {
    for (const code of ['08006', '08001', '53300', '57P01', '57P03', '57014']) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseTimeoutError(1000))).toBe(true);
  });

  it('not: constraint violations, syntax errors, other adapters wrapping their own socket errors, non-errors', () => {
    for (const code of ['23505', '42601', '22P02', '40001']) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), code).toBe(false);
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new StorageError('put', 'key', { cause: refused }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('fetch failed', { cause: refused }))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});
