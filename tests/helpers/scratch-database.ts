/**
 * A PostgreSQL database of a test file's own, on the server of TEST_DATABASE_URL, for tests that
 * must not share the suite's database (a migration history of their own, a server cut off from it).
 */
import pg from 'pg';

export interface ScratchDatabase {
  name: string;
  /** The server's URL with this database in it. */
  url: string;
  /** A connection to the server through the suite's database, for what the test does beside (pg_stat_activity, …). */
  admin: pg.Client;
  /** Drops the database, whatever is still connected to it, and closes `admin`. */
  drop(): Promise<void>;
}

export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    admin,
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await admin.end();
    },
  };
}
