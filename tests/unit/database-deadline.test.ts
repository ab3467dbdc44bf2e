/**
 * The pool's deadline for a silent PostgreSQL (src/db/postgres-pool.ts) counts from the server's
 * side: a reply that arrived while this process was busy is taken, not dropped with the connection.
 * A server that is really silent is dropped: tests/e2e/database-outage.test.ts (hung). On the
 * machine's PostgreSQL (TEST_DATABASE_URL).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresPool } from '../../src/db/postgres-pool.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

describe.runIf(databaseUrl)('the silent-database deadline (PostgreSQL)', () => {
  // Dropped after 50 + 1000 ms of silence.
  const pool = createPostgresPool({ connectionString: databaseUrl!, max: 1, timeouts: { statementMs: 50, connectMs: 5_000 } });
  afterAll(() => pool.end());

  it('takes a reply that came while the event loop was blocked past the deadline', async () => {
    const client = await pool.connect();
    try {
      const answer = client.query<{ one: number }>('select 1 as one');
      const busyUntil = Date.now() + 1_500;
      while (Date.now() < busyUntil); // a GC pause or a long task, well past the deadline
      expect((await answer).rows).toEqual([{ one: 1 }]);
      expect((await client.query<{ two: number }>('select 2 as two')).rows).toEqual([{ two: 2 }]); // the connection is kept
    } finally {
      client.release();
    }
  });
});
