/**
 * The pg pool for DATABASE_URL, made to survive the database going away:
 * - pg emits `error` on a client whose socket dies (PostgreSQL stopped, a failover, a proxy
 *   restart, pg_terminate_backend); with no listener that is an uncaught exception that ends the
 *   process. Idle clients report through the pool, checked-out ones on themselves: both are
 *   listened to, and the pool replaces the dead client on the next checkout.
 * - Timeouts: the server cancels a statement after `statementTimeoutMs` (the connection stays
 *   usable); a server that does not answer at all (hung, or the network gone quiet) gets one more
 *   second, then the connection is dropped so the query fails and the pool does not reuse it.
 *   Waiting for a connection (pool full, or connecting) ends after `connectTimeoutMs`.
 */
import pg from 'pg';
import { DatabaseTimeoutError } from './failures.js';

export interface PostgresPoolOptions {
  connectionString: string;
  max: number;
  /** Unset: no timeouts (migrations, which may take long or wait for another node's lock). */
  timeouts?: { statementMs: number; connectMs: number };
  /** Told about connections that failed; the pool has already dropped them. */
  onConnectionError?: (error: Error) => void;
}

/** How much longer than the server-side statement timeout a silent server gets before the connection is dropped. */
const SILENCE_MARGIN_MS = 1_000;

export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const { timeouts } = options;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: timeouts?.connectMs ?? 30_000,
    statement_timeout: timeouts?.statementMs,
    // Dead peers of idle connections are noticed by the kernel, not by the next request.
    keepAlive: true,
  });
  const report = (error: Error) => options.onConnectionError?.(error);
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
    if (timeouts) guardAgainstSilence(client, timeouts.statementMs + SILENCE_MARGIN_MS);
  });
  return pool;
}

/**
 * pg's own `query_timeout` answers the caller but leaves the hung query on the connection, so the
 * pool hands that connection out again and the next query waits behind it. Dropping the socket
 * instead fails the query at once and marks the client unusable, so the pool discards it.
 */
function guardAgainstSilence(client: pg.PoolClient, ms: number): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // The socket is not part of pg's typed API; pg itself destroys it the same way on a pipeline timeout.
  const socket = () => (client as unknown as { connection: { stream: { destroy(error?: Error): void } } }).connection.stream;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      const timer = setTimeout(() => socket().destroy(new DatabaseTimeoutError(ms)), ms);
      const clear = () => clearTimeout(timer);
      result.then(clear, clear);
    }
    return result;
  };
}
