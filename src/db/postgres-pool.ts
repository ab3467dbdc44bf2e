/**
 * The pg pool for DATABASE_URL, made to survive the database going away:
 * - pg emits `error` on a client whose socket dies (PostgreSQL stopped, a failover, a proxy
 *   restart, pg_terminate_backend); with no listener that is an uncaught exception that ends the
 *   process. Idle clients report through the pool, checked-out ones on themselves: both are
 *   listened to, and the pool replaces the dead client on the next checkout.
 * - Timeouts: the server cancels a statement after `statementTimeoutMs` (the connection stays
 *   usable); a server that does not answer at all (hung, or the network gone quiet) gets one more
 *   second, then the connection is dropped so the query fails and the pool does not reuse it (once
 *   the process has read what arrived meanwhile: see deadline.ts).
 *   Waiting for a connection (pool full, or connecting) ends after `connectTimeoutMs`.
 * - Prepared statements (see statementNamer): PostgreSQL parses and plans an unnamed statement on
 *   every execution, half of its CPU for a primary-key lookup.
 */
import pg from 'pg';
import { deadline } from '../deadline.js';
import { DatabaseTimeoutError } from './failures.js';

export interface PostgresPoolOptions {
  connectionString: string;
  max: number;
  /** Unset: no timeouts (migrations, which may take long or wait for another node's lock). */
  timeouts?: { statementMs: number; connectMs: number };
  /** Prepare the statements this process runs again and again (default: no). */
  preparedStatements?: boolean;
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
  const nameOf = options.preparedStatements ? statementNamer() : undefined;
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
    if (nameOf) prepareRepeatedStatements(client, nameOf);
    if (timeouts) guardAgainstSilence(client, timeouts.statementMs + SILENCE_MARGIN_MS);
  });
  return pool;
}

/** A statement is prepared once this process has run its text this many times (pgJDBC's default is 5). */
const PREPARE_AFTER = 3;
/** Texts prepared per process at most (each connection keeps its own copy of each, in PostgreSQL). */
const MAX_PREPARED = 500;
/** Texts counted towards PREPARE_AFTER at most; past it, new texts are never prepared. */
const MAX_COUNTED = 10_000;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * The statement name for a query text, once it has run PREPARE_AFTER times; undefined for the rest.
 * As pgJDBC and pgx do, statements run again and again are prepared on each connection (PostgreSQL
 * then skips parsing and planning them: 56-59 µs of server CPU per primary-key lookup became 28-30
 * on this machine). Only data statements without `*` qualify: a prepared `select *` or
 * `returning *` fails ("cached plan must not change result type") once a migration adds a column,
 * so the hot queries list their columns. Names are per process and stable, so every connection
 * agrees on them.
 */
function statementNamer(): (text: string) => string | undefined {
  const runs = new Map<string, number>();
  const names = new Map<string, string>();
  return (text) => {
    const name = names.get(text);
    if (name !== undefined) return name;
    if (names.size >= MAX_PREPARED || text.includes('*') || !DATA_STATEMENT.test(text)) return undefined;
    const count = (runs.get(text) ?? 0) + 1;
    if (count < PREPARE_AFTER) {
      if (runs.has(text) || runs.size < MAX_COUNTED) runs.set(text, count);
      return undefined;
    }
    runs.delete(text);
    const prepared = `barong_${names.size + 1}`;
    names.set(text, prepared);
    return prepared;
  };
}

/** Kysely calls query(text, values): such calls of a repeated statement go out as a named one. */
function prepareRepeatedStatements(client: pg.PoolClient, nameOf: (text: string) => string | undefined): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? nameOf(text) : undefined;
    return name === undefined ? query(...args) : query({ name, text, values });
  };
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
      const cancel = deadline(ms, () => socket().destroy(new DatabaseTimeoutError(ms)));
      result.then(cancel, cancel);
    }
    return result;
  };
}
