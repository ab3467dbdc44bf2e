import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config.js';

describe('loadConfig: operating limits', () => {
  it('defaults: 5 s database timeouts, a 5 s drain, 20 s to finish, orphan uploads after an hour', () => {
    expect(loadConfig({}).operations).toEqual({
      databaseStatementTimeoutMs: 5_000,
      databaseConnectTimeoutMs: 5_000,
      shutdownGraceMs: 5_000,
      shutdownTimeoutMs: 20_000,
      uploadOrphanAgeSeconds: 3_600,
    });
  });

  it('reads each key, and reports bad values all at once', () => {
    expect(
      loadConfig({
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
        SHUTDOWN_GRACE_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '1000',
        UPLOAD_ORPHAN_AGE_SECONDS: '60',
      }).operations,
    ).toEqual({ databaseStatementTimeoutMs: 2_000, databaseConnectTimeoutMs: 1_500, shutdownGraceMs: 0, shutdownTimeoutMs: 1_000, uploadOrphanAgeSeconds: 60 });
    const problems = configProblems({ DATABASE_STATEMENT_TIMEOUT_MS: '0', SHUTDOWN_GRACE_MS: '-1', UPLOAD_ORPHAN_AGE_SECONDS: 'hour' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/DATABASE_STATEMENT_TIMEOUT_MS[\s\S]*SHUTDOWN_GRACE_MS[\s\S]*UPLOAD_ORPHAN_AGE_SECONDS/);
  });

  it('DATABASE_PREPARED_STATEMENTS: on unless set to false (PgBouncer in transaction mode before 1.21)', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'TRUE' }).databasePreparedStatements).toBe(true);
    expect(configProblems({ DATABASE_PREPARED_STATEMENTS: 'no' })).toEqual(['DATABASE_PREPARED_STATEMENTS must be true or false (got "no")']);
  });
});
