import fs from 'node:fs';
import { Migrator } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';

describe('migrations/index.ts', () => {
  it('lists every migration file of the folder, in name order', () => {
    const files = fs
      .readdirSync(new URL('../../migrations', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});

const adminUrl = process.env.TEST_DATABASE_URL;
/** Kysely's advisory lock for migrations on PostgreSQL (kysely/dist/esm/dialect/postgres/postgres-adapter.js). */
const KYSELY_MIGRATION_LOCK = '3853314791062309107';

describe.skipIf(!adminUrl)('migrating at start-up (PostgreSQL)', () => {
  let scratch: ScratchDatabase;
  let opened: DatabaseHandle;

  beforeAll(async () => {
    scratch = await createScratchDatabase(adminUrl!, 'barong_migrate');
    opened = await openDatabase({ databaseUrl: scratch.url, pgliteDir: '' });
  });

  afterAll(async () => {
    await opened?.close();
    await scratch?.drop();
  });

  it('applies the migrations a database lacks, then finds nothing to do', async () => {
    const names = Object.keys(migrations);
    const behind = new Migrator({ db: opened.db, provider: { getMigrations: async () => migrations } });
    expect((await behind.migrateTo(names[names.length - 3])).error).toBeUndefined();

    const { results } = await migrateToLatest(opened.db);
    expect(results.map((r) => [r.migrationName, r.status])).toEqual(names.slice(-2).map((name) => [name, 'Success']));
    expect((await migrateToLatest(opened.db)).results).toEqual([]);
  });

  it('a restart finds an up-to-date database at once, even while another node holds the migration lock', async () => {
    const other = new pg.Client({ connectionString: scratch.url }); // advisory locks are per database
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK})`);
      const started = Date.now();
      const outcome = await Promise.race([
        migrateToLatest(opened.db),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3_000)),
      ]);
      expect(outcome).toEqual({ results: [] });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await other.end(); // its session lock goes with it
    }
  });
});
