/**
 * One code path for both databases: Kysely's PostgresDialect over a pg.Pool. With DATABASE_URL the
 * pool talks to PostgreSQL; without it, to embedded PGlite through its node-postgres adapter, so
 * value types and savepoints behave the same. The PGlite pool must keep its single connection
 * (never set `max` on it), and code inside a transaction must only use the transaction object.
 */
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createPostgresPool } from './postgres-pool.js';
import type { Database, Db } from './schema.js';

// DATE columns as their 'YYYY-MM-DD' text. pg's default makes a local-midnight Date, which shifts
// the day when serialised in any time zone east of UTC. Both modes (PostgreSQL, PGlite through the
// node-postgres adapter) parse with these pg type parsers, so they agree.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` on a database without the statement and connect timeouts (migrations: they may
   * take long, or wait for another node's migration lock). The embedded database has none anyway.
   */
  withoutTimeouts<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory (used when databaseUrl is not set). */
  pgliteDir: string;
  poolMax?: number;
  /** PostgreSQL only: prepare the statements this process runs again and again (postgres-pool.ts). */
  preparedStatements?: boolean;
  /** PostgreSQL only; unset = no timeouts. */
  timeouts?: { statementMs: number; connectMs: number };
  /** Told about pooled connections that failed (they are replaced; the process carries on). */
  onConnectionError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const { databaseUrl, onConnectionError } = options;
    const pool = createPostgresPool({
      connectionString: databaseUrl,
      max: options.poolMax ?? 10,
      timeouts: options.timeouts,
      preparedStatements: options.preparedStatements,
      onConnectionError,
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      async withoutTimeouts(work) {
        if (!options.timeouts) return work(db);
        const unbounded = new Kysely<Database>({
          dialect: new PostgresDialect({ pool: createPostgresPool({ connectionString: databaseUrl, max: 1, onConnectionError }) }),
        });
        try {
          return await work(unbounded);
        } finally {
          await unbounded.destroy();
        }
      },
      close: () => db.destroy(),
    };
  }

  // Loaded only in embedded mode: a PostgreSQL server process never loads PGlite.
  const { ensurePgliteCluster, openPglite } = await import('./pglite.js');
  await ensurePgliteCluster(options.pgliteDir);
  const pglite = await openPglite(options.pgliteDir);
  const db = await kyselyOverPglite(pglite, options.onConnectionError);
  return {
    db,
    kind: 'pglite',
    withoutTimeouts: (work) => work(db),
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

/** Kysely over an open PGlite, through its node-postgres adapter (one connection: never set `max`). */
export async function kyselyOverPglite(pglite: PGlite, onConnectionError?: (error: Error) => void): Promise<Kysely<Database>> {
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const pool = new pg.Pool({ ...createPgConfig(pglite), connectionTimeoutMillis: 30_000 });
  if (onConnectionError) pool.on('error', onConnectionError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Where the embedded database lives inside DATA_DIR. */
export function pgliteDirOf(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
