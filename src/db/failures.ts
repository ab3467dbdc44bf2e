/**
 * Which errors mean "the database cannot answer right now" (stopped, restarting, unreachable, hung,
 * out of connections) rather than a bug: those are worth a 503 and a retry, never a 500 or a 401.
 * pg reports socket failures with Node's error codes, the server's refusals with SQLSTATEs, and its
 * own pool and client states with bare messages, so all three are checked.
 */

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_DESTROYED',
  'ERR_SOCKET_CLOSED',
]);

/**
 * SQLSTATEs: class 08 (connection exception), 53 (insufficient resources: too many connections,
 * disk full, out of memory), 57P01-57P03 (administrator or crash shutdown, cannot connect now),
 * 57014 (statement timeout or cancel) and 25P03 (idle-in-transaction timeout).
 */
const SQLSTATE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '25P03']);
const SQLSTATE_CLASSES = new Set(['08', '53']);

const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Postgres connection has been discarded',
  'driver has already been destroyed',
];

/** Our own timeout (postgres-pool.ts) when the server does not answer at all. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DATABASE_TIMEOUT';
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms; the connection was dropped`);
    this.name = 'DatabaseTimeoutError';
  }
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  if (error instanceof DatabaseTimeoutError) return true;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && (SQLSTATE_CODES.has(code) || SQLSTATE_CLASSES.has(code.slice(0, 2)))) return true;
  }
  if (typeof message === 'string' && PG_MESSAGES.some((m) => message.includes(m))) return true;
  // Node's happy-eyeballs connect (::1 then 127.0.0.1) fails with an AggregateError.
  // (`cause` is not followed: other adapters wrap their own socket errors, e.g. StorageError.)
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => isDatabaseUnavailable(e, depth + 1));
}
